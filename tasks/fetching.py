"""Fetching: one pooled httpx client, polite limits, a private-network guard, a size cap.

Every request, successful or not, comes back as a ``FetchResult`` with a classified error: nothing
here raises for network trouble, so one bad site can never abort a run for the others.

Redirects are followed by hand so that every hop passes the private-network guard (a public URL
redirecting to 127.0.0.1 or to cloud metadata at 169.254.169.254 is refused), and the guard runs
again at connect time on the address really connected to (``tasks.netguard``: no DNS rebinding).

Politeness: robots.txt is read once per host and run (RFC 9309: a 4xx robots.txt allows all, a 5xx
one disallows all for the run), its ``Crawl-delay`` and the policy's minimum interval space the
request starts on one host, and feeds are fetched conditionally (ETag / Last-Modified) so an
unchanged feed costs a 304 and no body.

The size cap counts decoded bytes as they stream, decoding in bounded steps
(``tasks.decoding``), so a gzip or brotli bomb stops at the cap without ever inflating past it.
A 200 whose page body is empty, or binary where HTML was promised, is classified ``empty`` or
``binary`` (``FetchResult.usable`` stays true: the feed item stands in for the page).
"""

from __future__ import annotations

import asyncio
import random
import socket
import ssl
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpx
from protego import Protego

from tasks.decoding import ACCEPT_ENCODING, BodyDecodeError, BodyTooLarge, BoundedBody
from tasks.models import FetchErrorClass, FetchResult
from tasks.netguard import (
    GuardedTransport,
    PrivateAddressRefused,
    Resolver,
    checked_addresses,
    is_public_address,
    system_resolver,
)

__all__ = ["FetchPolicy", "FetchRequest", "Fetcher", "Validators", "is_public_address"]

_REDIRECTS = {301, 302, 303, 307, 308}
_RETRYABLE: frozenset[FetchErrorClass] = frozenset({"timeout", "connect", "http_5xx"})
_RETRY_STATUSES = frozenset({408, 429})
_NOT_HTML_PREFIXES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one run; the flow builds it from ``Settings``."""

    user_agent: str
    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    global_concurrency: int = 16
    per_host_concurrency: int = 2
    allow_private_networks: bool = False
    max_redirects: int = 5
    retries: int = 2
    backoff_s: float = 0.5
    max_retry_after_s: float = 30.0
    min_host_interval_s: float = 0.0
    max_crawl_delay_s: float = 10.0
    respect_robots: bool = True


@dataclass(frozen=True, slots=True)
class Validators:
    """What the last response for a URL said about its version (sent back as a conditional GET)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What to fetch and on whose behalf; ``expect`` decides the content-type check."""

    url: str
    source_name: str
    expect: str = "html"
    validators: Validators | None = None


@dataclass
class _HostState:
    """Per-host politeness state for one run: robots rules and the next allowed start time."""

    robots: Protego | None = None
    robots_checked: bool = False
    robots_error: str | None = None
    next_start: float = 0.0
    interval_s: float = 0.0
    lock: asyncio.Lock | None = None


class _Refused(Exception):
    def __init__(self, error: FetchErrorClass, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.status = status


async def _check_target(url: str, allow_private: bool, resolver: Resolver) -> None:
    """Refuse early (before robots.txt and politeness waits); ``GuardedBackend`` checks again
    on the address it connects to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Refused("invalid_url", f"not an http(s) URL: {url[:200]}")
    if allow_private:
        return
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await checked_addresses(host, port, allow_private, resolver)
    except socket.gaierror as exc:
        raise _Refused("dns", f"cannot resolve {host}: {exc.strerror}") from exc
    except PrivateAddressRefused as exc:
        raise _Refused("private_network", str(exc)) from exc


def _is_binary(body: bytes) -> bool:
    """Binary where text was promised: a NUL byte, or many control bytes, in the first 8 KB
    (after a BOM, so UTF-16 pages are not caught)."""
    head = body[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls > len(head) // 10


def _classify(exc: Exception) -> tuple[FetchErrorClass, str]:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, PrivateAddressRefused):
        return "private_network", text
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout", f"{type(exc).__name__}: {text}"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if any(m in lowered for m in ("name or service not known", "nodename", "resolution")):
            return "dns", text
        if "ssl" in lowered or "certificate" in lowered:
            return "tls", text
        return "connect", text
    if isinstance(exc, ssl.SSLError):
        return "tls", text
    if isinstance(exc, socket.gaierror):
        return "dns", text
    if isinstance(exc, httpx.DecodingError | BodyDecodeError):
        return "decode", text
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "connect", f"{type(exc).__name__}: {text}"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return "invalid_url", text
    return "other", f"{type(exc).__name__}: {text}"


def _retry_after(response: httpx.Response, cap: float) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, cap))


class Fetcher:
    """One pooled async client with a global and a per-host concurrency limit.

    Use as ``async with Fetcher(policy) as f: await f.fetch_many(requests)``. ``transport`` is the
    httpx seam for unit tests (it bypasses the connect-time guard); integration tests use a real
    server on 127.0.0.1. ``resolver`` replaces DNS for both guards (tests of DNS rebinding).
    """

    def __init__(
        self,
        policy: FetchPolicy,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy
        self._transport = transport
        self._resolver = resolver or system_resolver
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(policy.global_concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(policy.per_host_concurrency)
        )
        self._state: defaultdict[str, _HostState] = defaultdict(_HostState)

    async def __aenter__(self) -> Fetcher:
        limits = httpx.Limits(
            max_connections=self.policy.global_concurrency,
            max_keepalive_connections=self.policy.global_concurrency,
        )
        transport = self._transport or GuardedTransport(
            allow_private=self.policy.allow_private_networks,
            resolver=self._resolver,
            http2=True,
            limits=limits,
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self.policy.timeout_s),
            limits=limits,
            follow_redirects=False,
            headers={
                "User-Agent": self.policy.user_agent,
                "Accept-Language": "ko,en;q=0.8",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch_many(self, requests: Sequence[FetchRequest]) -> list[FetchResult]:
        """Fetch all requests concurrently within the limits, results in request order."""
        return list(await asyncio.gather(*(self.fetch(r) for r in requests)))

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one URL, retrying transient failures; never raises for network trouble."""
        attempt = 0
        while True:
            result, wait = await self._fetch_once(request)
            retryable = result.error in _RETRYABLE or result.http_status in _RETRY_STATUSES
            if not retryable or result.error in ("robots", "private_network"):
                return result
            if attempt >= self.policy.retries:
                return result
            attempt += 1
            delay = wait if wait is not None else self.policy.backoff_s * (2 ** (attempt - 1))
            await asyncio.sleep(delay * (0.75 + random.random() / 2))

    async def _fetch_once(self, request: FetchRequest) -> tuple[FetchResult, float | None]:
        assert self._client is not None, "use Fetcher as an async context manager"
        started = time.monotonic()
        requested_at = datetime.now(UTC)
        url = request.url
        status: int | None = None
        retry_wait: float | None = None
        host = _host_key(url)
        headers = _conditional_headers(request.validators)

        def result(status: int | None, **fields: Any) -> FetchResult:
            return FetchResult(
                url=request.url,
                final_url=url,
                source_name=request.source_name,
                requested_at=requested_at,
                http_status=status,
                content=fields.pop("content", None),
                content_type=fields.pop("content_type", None),
                elapsed_ms=int((time.monotonic() - started) * 1000),
                **fields,
            )

        try:
            async with self._global, self._hosts[host]:
                for _hop in range(self.policy.max_redirects + 1):
                    await _check_target(url, self.policy.allow_private_networks, self._resolver)
                    await self._obey_robots(url)
                    await self._wait_turn(_host_key(url))
                    response = await self._get(url, headers)
                    status, retry_wait = response.status, response.retry_after
                    if status in _REDIRECTS and response.location:
                        url = urljoin(url, response.location)
                        continue
                    break
                else:
                    raise _Refused("http_4xx", "too many redirects", status)
            if status == 304 and headers:
                validators = request.validators or Validators()
                return (
                    result(
                        status,
                        etag=validators.etag,
                        last_modified=validators.last_modified,
                        not_modified=True,
                    ),
                    None,
                )
            if status >= 500:
                raise _Refused("http_5xx", f"HTTP {status}", status)
            if status >= 400:
                raise _Refused("http_4xx", f"HTTP {status}", status)
            if request.expect == "html" and response.content_type.startswith(_NOT_HTML_PREFIXES):
                raise _Refused("not_html", f"content type {response.content_type}", status)
            if request.expect == "html" and (
                not response.body.strip() or _is_binary(response.body)
            ):
                kind: FetchErrorClass = "binary" if response.body.strip() else "empty"
                what = f"{len(response.body)} bytes of binary" if kind == "binary" else "no body"
                detail = f"HTTP {status} with {what} as {response.content_type or 'no type'}"
                return result(status, content=b"", error=kind, error_detail=detail), None
            return (
                result(
                    status,
                    content=response.body,
                    content_type=response.content_type or None,
                    etag=response.etag,
                    last_modified=response.last_modified,
                    headers=response.headers,
                ),
                None,
            )
        except _Refused as exc:
            error, detail, status = exc.error, exc.detail, exc.status if exc.status else status
        except Exception as exc:  # every failure becomes a classified row
            error, detail = _classify(exc)
        return result(status, error=error, error_detail=detail[:500]), retry_wait

    async def _wait_turn(self, host: str) -> None:
        """Space request starts on one host by the minimum interval or the robots Crawl-delay."""
        state = self._state[host]
        interval = max(self.policy.min_host_interval_s, state.interval_s)
        if interval <= 0:
            return
        if state.lock is None:
            state.lock = asyncio.Lock()
        async with state.lock:
            now = time.monotonic()
            if state.next_start > now:
                await asyncio.sleep(state.next_start - now)
            state.next_start = max(now, state.next_start) + interval

    async def _obey_robots(self, url: str) -> None:
        """Refuse URLs robots.txt disallows for our user agent; learn the host's Crawl-delay."""
        if not self.policy.respect_robots:
            return
        host = _host_key(url)
        state = self._state[host]
        if state.lock is None:
            state.lock = asyncio.Lock()
        if not state.robots_checked:
            async with state.lock:
                if not state.robots_checked:
                    await self._load_robots(url, state)
                    state.robots_checked = True
        if state.robots_error:
            raise _Refused("robots", state.robots_error)
        if state.robots is not None and not state.robots.can_fetch(url, self.policy.user_agent):
            raise _Refused("robots", f"disallowed by {host}/robots.txt")

    async def _load_robots(self, url: str, state: _HostState) -> None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            await _check_target(robots_url, self.policy.allow_private_networks, self._resolver)
            response = await self._get(robots_url, {})
        except Exception:  # unreachable robots.txt: the page fetch itself will say why
            return
        if response.status >= 500:
            state.robots_error = (
                f"robots.txt answered HTTP {response.status}: disallow all (RFC 9309)"
            )
            return
        if response.status >= 400 or response.status in _REDIRECTS:
            return
        parser = Protego.parse(response.body.decode("utf-8", errors="replace"))
        state.robots = parser
        delay = parser.crawl_delay(self.policy.user_agent)
        if delay is not None:
            state.interval_s = min(float(delay), self.policy.max_crawl_delay_s)

    async def _get(self, url: str, headers: dict[str, str]) -> _Response:
        assert self._client is not None
        target, auth = _credentials_apart(url)
        async with (
            asyncio.timeout(self.policy.timeout_s * 2),
            self._client.stream("GET", target, headers=headers, auth=auth) as response,
        ):
            declared = response.headers.get("content-length")
            encoded = response.headers.get("content-encoding", "identity") != "identity"
            if (
                declared
                and declared.isdigit()
                and not encoded
                and int(declared) > self.policy.max_bytes
            ):
                raise _Refused(
                    "too_large", f"Content-Length {declared} over cap", response.status_code
                )
            body = b""
            if response.status_code not in _REDIRECTS and response.status_code != 304:
                try:
                    body = await self._read_body(response)
                except BodyTooLarge as exc:
                    raise _Refused("too_large", str(exc), response.status_code) from None
            wait = None
            if response.status_code in (429, 503):
                wait = _retry_after(response, self.policy.max_retry_after_s)
            return _Response(
                status=response.status_code,
                content_type=response.headers.get("content-type", "").lower(),
                body=body,
                location=response.headers.get("location"),
                retry_after=wait,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                headers=tuple(response.headers.multi_items()),
            )

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body, raising ``BodyTooLarge`` past the cap (see ``tasks.decoding``)."""
        if response.is_stream_consumed:  # built already read (httpx.MockTransport in unit tests)
            decoder = BoundedBody(None, self.policy.max_bytes)
            decoder.feed(response.content)
            return decoder.finish()
        decoder = BoundedBody(response.headers.get("content-encoding"), self.policy.max_bytes)
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
        return decoder.finish()


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    content_type: str
    body: bytes
    location: str | None
    retry_after: float | None
    etag: str | None
    last_modified: str | None
    headers: tuple[tuple[str, str], ...] = ()


def _credentials_apart(url: str) -> tuple[str, httpx.Auth | None]:
    """The URL without ``user:password@`` and the basic auth it stood for.

    httpx would send the same header either way, but it logs every request's URL (INFO, logger
    ``httpx``), so credentials left in the URL would reach every log handler. A relative redirect
    keeps them (``urljoin`` keeps the user-info: same host); an absolute one to another host has
    none, so the credentials never follow a redirect elsewhere. A URL that does not split is left
    to httpx, which reports it as the fetch error it is.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    if "@" not in parts.netloc:
        return url, None
    bare = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
    return bare, httpx.BasicAuth(unquote(parts.username or ""), unquote(parts.password or ""))


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    if validators is None:
        return {}
    headers: dict[str, str] = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers
