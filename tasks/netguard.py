"""The private-network guard at connect time: resolve once, check, connect to that address.

Checking a hostname's addresses before the request is not enough: httpx resolves the name again
when it opens the connection, and a hostile DNS server can answer a public address to the check and
127.0.0.1 to the connection (DNS rebinding). ``GuardedBackend`` is the httpcore network backend
under newsmon's client: it resolves the host itself, refuses the connection if any address is not
public (unless private networks are allowed), and connects to the address it checked. The URL,
the ``Host`` header and TLS SNI keep the hostname, since httpcore takes those from the request.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port)`` to IP address strings; ``socket.gaierror`` when the name does not resolve."""


class PrivateAddressRefused(Exception):
    """A connection to a non-public address was refused (``private_network`` in fetch_log)."""


def is_public_address(address: str) -> bool:
    """True when an IP address is globally routable (not loopback, private, link-local, …)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def ip_literal(host: str) -> str | None:
    """The address when ``host`` is an IP literal (brackets allowed), else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (``getaddrinfo``), addresses in its preference order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(
    host: str, port: int, allow_private: bool, resolver: Resolver
) -> list[str]:
    """Every address of ``host``; raises ``PrivateAddressRefused`` if any is not public."""
    literal = ip_literal(host)
    addresses = [literal] if literal else await resolver(host, port)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, f"no address for {host}")
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise PrivateAddressRefused(
                    f"{host} resolves to non-public address {address}; "
                    "set NEWSMON_ALLOW_PRIVATE_NETWORKS=true to allow it"
                )
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's default backend, but every TCP connection goes to a checked address."""

    def __init__(self, allow_private: bool, resolver: Resolver | None = None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolver = resolver or system_resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(host, port, self._allow_private, self._resolver)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise PrivateAddressRefused("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying context per process: loading the CA bundle costs ~50 ms per context."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over ``GuardedBackend`` (httpx has no public knob for the backend, so
    the connection pool it builds is replaced by one with the same settings)."""

    def __init__(
        self,
        *,
        allow_private: bool,
        limits: httpx.Limits,
        resolver: Resolver | None = None,
        http2: bool = True,
    ) -> None:
        context = _ssl_context()
        super().__init__(verify=context, http2=http2, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            network_backend=GuardedBackend(allow_private, resolver),
        )
