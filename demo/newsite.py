"""A synthetic news site on 127.0.0.1 for the demo and for integration tests.

Why a real server and not a mocked transport: the fetch stage's hard cases (charset sniffing when
the header says nothing, conditional GET, retries on 429/5xx, connections reset mid-body, bodies too
large to keep, slow servers) only show up with real sockets. The site serves the packaged pages and
feeds described by ``demo/content/manifest.toml`` and can inject those faults per path on demand.

Routing ignores tracking parameters (``utm_*``, ``fbclid``, ...) and unknown query parameters, the
way real news CMSs do, so the tracked links in the feeds resolve to the same page as the clean ones.
Responses are gzip-compressed when the client accepts it (with a weak ETag, as nginx does), and
every request is logged before it is answered so a test can count hits right after a call returns.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import html
import random
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType
from typing import Any, Literal, Self, cast, get_args
from urllib.parse import urlsplit

import brotli

from demo.manifest import Manifest, load_manifest, read_content

FaultKind = Literal[
    "status",
    "timeout",
    "malformed",
    "reset",
    "redirect",
    "large",
    "html_as",
    "trickle",
    "empty",
    "binary",
    "brotli_bomb",
]

TRACKING_PARAMS = frozenset({"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "_ga", "igshid"})

_TEXTUAL = (
    "text/",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "application/json",
)
_EPOCH = datetime(2026, 11, 1, tzinfo=UTC)


def _is_tracking(key: str) -> bool:
    return key.lower().startswith("utm_") or key.lower() in TRACKING_PARAMS


def strip_tracking(target: str) -> str:
    """The request target without tracking parameters (order of the others kept)."""
    path, sep, query = target.partition("?")
    if not sep:
        return target
    kept = [part for part in query.split("&") if part and not _is_tracking(part.split("=", 1)[0])]
    return path + ("?" + "&".join(kept) if kept else "")


def _candidates(target: str) -> Iterator[str]:
    """Keys to look a request target up by: as sent, without tracking, path only."""
    yield target
    clean = strip_tracking(target)
    if clean != target:
        yield clean
    path = urlsplit(target).path
    if path not in (target, clean):
        yield path


@dataclass(frozen=True, slots=True)
class Route:
    """One servable resource: the bytes sent (before optional gzip) and their validators."""

    body: bytes
    content_type: str
    etag: str
    last_modified: datetime

    @classmethod
    def make(
        cls,
        body: bytes,
        content_type: str,
        *,
        last_modified: datetime | None = None,
        etag: str | None = None,
    ) -> Route:
        """Build a route; the default ETag hashes the body, so it changes when the content does."""
        digest = hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20]
        return cls(
            body=body,
            content_type=content_type,
            etag=etag if etag is not None else f'"{digest}"',
            last_modified=(last_modified or datetime.now(UTC))
            .astimezone(UTC)
            .replace(microsecond=0),
        )


@dataclass(frozen=True, slots=True)
class StatusFault:
    """Answer with ``status`` (e.g. 404, 429, 500, 503), optionally with Retry-After."""

    status: int = 500
    retry_after: int | str | None = None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TimeoutFault:
    """Wait ``seconds`` before answering normally; the wait ends at once when the site stops."""

    seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class MalformedFault:
    """Serve ``body``, or by default the first ``keep`` of the real body plus junk bytes."""

    body: bytes | None = None
    keep: float = 0.6


@dataclass(frozen=True, slots=True)
class ResetFault:
    """Promise the full Content-Length, send ``after_bytes`` (default half), then a TCP RST."""

    after_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class RedirectFault:
    """Redirect to ``to`` (a path on this site or an absolute URL)."""

    to: str = "/"
    status: int = 302


@dataclass(frozen=True, slots=True)
class LargeFault:
    """Stream ``size`` bytes of filler HTML.

    ``declare_length=False`` streams chunked with no Content-Length, so only counting bytes can
    stop the client; ``gzip=True`` sends it gzip-encoded, so ``size`` is the decompressed size
    (a decompression-bomb check).
    """

    size: int = 20_000_000
    content_type: str = "text/html; charset=utf-8"
    declare_length: bool = True
    gzip: bool = False


@dataclass(frozen=True, slots=True)
class HtmlAsFault:
    """Serve the resource (or ``body``) under a wrong Content-Type."""

    content_type: str = "application/octet-stream"
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class TrickleFault:
    """Slowloris body: headers at once, then ``bytes_per_tick`` bytes every ``tick_s`` seconds
    for up to ``seconds``, so every read succeeds and only a total deadline ends the request."""

    bytes_per_tick: int = 4
    tick_s: float = 0.25
    seconds: float = 60.0
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class EmptyFault:
    """A 200 with an empty body under the resource's (or the given) Content-Type."""

    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class BinaryFault:
    """``size`` bytes of random binary (seeded, so repeatable) where HTML or XML is promised."""

    size: int = 65_536
    content_type: str = "text/html; charset=utf-8"
    seed: int = 0


@dataclass(frozen=True, slots=True)
class BrotliBombFault:
    """``size`` bytes of spaces, brotli-encoded (~5,000:1: 1 GB is ~200 KB on the wire), sent
    at once with its Content-Length: a client that decodes a network chunk in one call inflates
    each 64 KB read to ~300 MB."""

    size: int = 1_000_000_000
    content_type: str = "text/html; charset=utf-8"


@functools.lru_cache(maxsize=2)
def _brotli_bomb(size: int) -> bytes:
    compressor = brotli.Compressor(quality=1)
    block = b" " * (1 << 24)
    parts: list[bytes] = [
        compressor.process(block[: min(len(block), size - done)])
        for done in range(0, size, len(block))
    ]
    tail: bytes = compressor.finish()
    return b"".join(parts) + tail


FaultSpec = (
    StatusFault
    | TimeoutFault
    | MalformedFault
    | ResetFault
    | RedirectFault
    | LargeFault
    | HtmlAsFault
    | TrickleFault
    | EmptyFault
    | BinaryFault
    | BrotliBombFault
)

_FAULT_TYPES: dict[str, type[Any]] = {
    "status": StatusFault,
    "timeout": TimeoutFault,
    "malformed": MalformedFault,
    "reset": ResetFault,
    "redirect": RedirectFault,
    "large": LargeFault,
    "html_as": HtmlAsFault,
    "trickle": TrickleFault,
    "empty": EmptyFault,
    "binary": BinaryFault,
    "brotli_bomb": BrotliBombFault,
}


@dataclass(slots=True)
class _ActiveFault:
    spec: FaultSpec
    remaining: int | None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it (headers lower-cased)."""

    method: str
    path: str
    headers: Mapping[str, str]
    at: datetime


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], site: NewsSite) -> None:
        self.site = site
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-response are part of the job here, not errors worth printing."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NewsmonDemoSite/1.0"
    sys_version = ""
    timeout = 15.0
    # headers and body go out in separate writes; with Nagle on, each response waits ~40 ms
    # for a delayed ACK on loopback
    disable_nagle_algorithm = True

    @property
    def site(self) -> NewsSite:
        return cast(_Server, self.server).site

    def setup(self) -> None:
        super().setup()
        server = cast(_Server, self.server)
        with server.connections_lock:
            server.connections.add(self.connection)

    def finish(self) -> None:
        server = cast(_Server, self.server)
        with server.connections_lock:
            server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is ``NewsSite.requests``, not stderr."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        site = self.site
        site._record(self.command, self.path, self.headers.items())
        try:
            fault = site._take_fault(self.path)
            if fault is not None and not self._apply_fault(fault, head=head):
                return
            route = site._route(self.path)
            if route is None:
                self._send_simple(
                    404, b"<html><body><h1>404 Not Found</h1></body></html>", head=head
                )
                return
            self._send_route(route, head=head)
        except OSError:
            # the client hung up or timed out, or a fault already dropped the socket
            self.close_connection = True

    def _apply_fault(self, spec: FaultSpec, *, head: bool) -> bool:
        """Act out a fault; True means "now serve the resource normally"."""
        site = self.site
        if isinstance(spec, TimeoutFault):
            if site._stopping.wait(spec.seconds):
                self._abort()
                return False
            return True
        if isinstance(spec, StatusFault):
            headers = dict(spec.headers)
            if spec.retry_after is not None:
                headers["Retry-After"] = str(spec.retry_after)
            body = spec.body or (
                f"<html><body><h1>{spec.status} {_reason(spec.status)}</h1></body></html>".encode()
            )
            self._send_simple(spec.status, body, head=head, headers=headers)
            return False
        if isinstance(spec, RedirectFault):
            location = spec.to if "://" in spec.to else site.base_url + spec.to
            self._send_simple(
                spec.status, b"", head=head, headers={"Location": location}, content_type=None
            )
            return False
        if isinstance(spec, MalformedFault):
            route = site._route(self.path)
            if spec.body is not None:
                body = spec.body
            elif route is not None:
                body = route.body[: int(len(route.body) * spec.keep)] + b"\x00\xff\xfe<<</ \x1b"
            else:
                body = b"<?xml version='1.0'?><rss><channel><item><title>\x00\xff"
            content_type = route.content_type if route else "application/xml"
            self._send_simple(200, body, head=head, content_type=content_type)
            return False
        if isinstance(spec, HtmlAsFault):
            route = site._route(self.path)
            body = spec.body if spec.body is not None else (route.body if route else b"")
            self._send_simple(200, body, head=head, content_type=spec.content_type)
            return False
        if isinstance(spec, TrickleFault):
            self._trickle(spec, head=head)
            return False
        if isinstance(spec, EmptyFault):
            route = site._route(self.path)
            ctype = spec.content_type or (route.content_type if route else "text/html")
            self._send_simple(200, b"", head=head, content_type=ctype)
            return False
        if isinstance(spec, BinaryFault):
            body = random.Random(spec.seed).randbytes(spec.size)
            self._send_simple(200, body, head=head, content_type=spec.content_type)
            return False
        if isinstance(spec, BrotliBombFault):
            body = _brotli_bomb(spec.size)
            headers = {"Content-Encoding": "br"}
            self._send_simple(200, body, head=head, headers=headers, content_type=spec.content_type)
            return False
        if isinstance(spec, ResetFault):
            route = site._route(self.path)
            body = route.body if route else b"x" * 65536
            cut = spec.after_bytes if spec.after_bytes is not None else len(body) // 2
            self.send_response(200)
            self.send_header("Content-Type", route.content_type if route else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body[:cut])
                self.wfile.flush()
            self._abort()
            return False
        self._stream_large(spec, head=head)
        return False

    def _stream_large(self, spec: LargeFault, *, head: bool) -> None:
        site = self.site
        chunked = spec.gzip or not spec.declare_length
        self.send_response(200)
        self.send_header("Content-Type", spec.content_type)
        if spec.gzip:
            self.send_header("Content-Encoding", "gzip")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(spec.size))
        self.end_headers()
        if head:
            return
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if spec.gzip else None
        filler = (b"<p>" + b"lorem ipsum dolor sit amet " * 40 + b"</p>\n") * 16
        sent = 0
        while sent < spec.size:
            if site._stopping.is_set():
                self._abort()
                return
            piece = filler[: min(len(filler), spec.size - sent)]
            sent += len(piece)
            data = compressor.compress(piece) if compressor else piece
            if chunked:
                self._write_chunk(data)
            else:
                self.wfile.write(data)
        if compressor is not None:
            self._write_chunk(compressor.flush())
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _trickle(self, spec: TrickleFault, *, head: bool) -> None:
        site = self.site
        self.send_response(200)
        self.send_header("Content-Type", spec.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if head:
            return
        self._write_chunk(b"<html><body>")
        deadline = time.monotonic() + spec.seconds
        while time.monotonic() < deadline:
            if site._stopping.wait(spec.tick_s):
                self._abort()
                return
            self._write_chunk(b"x" * spec.bytes_per_tick)
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def _write_chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _abort(self) -> None:
        """Drop the connection with a TCP RST (SO_LINGER 0), as a crashing server would."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def _send_route(self, route: Route, *, head: bool) -> None:
        body = route.body
        etag = route.etag
        encoding = None
        if (
            self.site.compress
            and len(body) > 512
            and route.content_type.startswith(_TEXTUAL)
            and "gzip" in self.headers.get("Accept-Encoding", "").lower()
        ):
            body = self.site._gzipped(route)
            encoding = "gzip"
            etag = etag if etag.startswith("W/") else "W/" + etag
        if _not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), route
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", _http_date(route.last_modified))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", _http_date(route.last_modified))
        self.send_header("Cache-Control", "max-age=60")
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_simple(
        self,
        status: int,
        body: bytes,
        *,
        head: bool,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = "text/html; charset=utf-8",
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, route: Route) -> bool:
    """RFC 9110 conditional GET: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or route.etag.removeprefix("W/") in tags
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return route.last_modified <= since
    return False


class NewsSite:
    """The demo news site: a ThreadingHTTPServer on 127.0.0.1 in a background thread.

    Use it as a context manager (``with NewsSite() as site: site.base_url``) or call
    ``start()``/``stop()``. ``port=0`` picks a free port.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        compress: bool = True,
        crawl_delay: float | None = None,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.compress = compress
        self.crawl_delay = crawl_delay
        self.manifest: Manifest = load_manifest()
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self._gzip_cache: dict[tuple[str, str], bytes] = {}
        self._faults: dict[str, _ActiveFault] = {}
        self._log: list[RequestRecord] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind, load the content with the real base URL filled in, and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("NewsSite is already running")
        self._stopping.clear()
        server = _Server((self.host, self._requested_port), self)
        self._server = server
        self._load_content()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"newsite-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake sleeping faults, close keep-alive connections, join the thread."""
        server = self._server
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with server.connections_lock:
            open_connections = list(server.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._server is None:
            raise RuntimeError("NewsSite is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path."""
        return self.base_url + path

    def render_sources_toml(self, *, include_broken: bool = False) -> str:
        """The demo ``sources.toml`` with ``{base}`` filled in (optionally plus the broken feed)."""
        text = resources.files("demo").joinpath("sources.toml").read_text(encoding="utf-8")
        if include_broken:
            text += (
                '\n[[sources]]\nname = "demo-broken"\nurl = "{base}/feeds/broken.rss"\n'
                'kind = "rss"\nlang = "ko"\ngroup = "demo"\n'
            )
        return text.replace("{base}", self.base_url)

    def add_page(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        *,
        last_modified: datetime | None = None,
        etag: str | None = None,
    ) -> None:
        """Add or replace a route at run time (``{base}`` in the body is filled in).

        Pass a fixed ``etag`` to simulate a server whose validators lie (same ETag, new body).
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        data = data.replace(b"{base}", self.base_url.encode("ascii"))
        route = Route.make(data, content_type, last_modified=last_modified, etag=etag)
        with self._lock:
            self._routes[path] = route

    def remove_page(self, path: str) -> None:
        """Forget a route, so the path answers 404 from now on."""
        with self._lock:
            self._routes.pop(path, None)

    def content(self, path: str) -> bytes:
        """The body currently served at ``path`` (KeyError if none)."""
        route = self._route(path)
        if route is None:
            raise KeyError(path)
        return route.body

    def publish(
        self,
        path: str,
        page: bytes | str,
        *,
        title: str,
        feed: str = "ko",
        summary: str = "",
        published: datetime | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        """Add a new article and list it at the top of one of the feeds, as a CMS would.

        This is how tests simulate news arriving between two monitoring runs.
        """
        when = (published or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.add_page(path, page, content_type, last_modified=when)
        spec = self.manifest.feed(feed)
        url = html.escape(self.base_url + path)
        if spec.kind == "rss":
            item = (
                f"    <item>\n      <title>{html.escape(title, quote=False)}</title>\n"
                f"      <link>{url}</link>\n"
                f"      <description>{html.escape(summary, quote=False)}</description>\n"
                f"      <pubDate>{format_datetime(when)}</pubDate>\n"
                f'      <guid isPermaLink="true">{url}</guid>\n    </item>\n'
            )
            anchor, fallback = "    <item>", "  </channel>"
        else:
            item = (
                f"  <entry>\n    <title>{html.escape(title, quote=False)}</title>\n"
                f'    <link rel="alternate" href="{url}"/>\n    <id>{url}</id>\n'
                f"    <published>{when.isoformat()}</published>\n"
                f"    <updated>{when.isoformat()}</updated>\n"
                f"    <summary>{html.escape(summary, quote=False)}</summary>\n  </entry>\n"
            )
            anchor, fallback = "  <entry>", "</feed>"
        current = self.content(spec.path).decode(spec.charset)
        at = current.find(anchor)
        if at < 0:
            at = current.rfind(fallback)
        updated = current[:at] + item + current[at:]
        # character references keep titles outside EUC-KR valid in the EUC-KR feed
        data = updated.encode(spec.charset, errors="xmlcharrefreplace")
        self.add_page(spec.path, data, spec.header_content_type, last_modified=when)

    def set_fault(
        self, path: str, kind: FaultKind, *, times: int | None = None, **opts: Any
    ) -> None:
        """Inject a fault for requests to ``path`` (also matches it with any query added).

        ``times`` limits the fault to the next N requests (e.g. fail twice, then recover);
        ``None`` keeps it until ``clear_faults``. ``opts`` are the fields of the kind's spec class:
        status(status, retry_after, body, headers), timeout(seconds), malformed(body, keep),
        reset(after_bytes), redirect(to, status), large(size, content_type, declare_length,
        gzip), html_as(content_type, body), trickle(bytes_per_tick, tick_s, seconds,
        content_type), empty(content_type), binary(size, content_type, seed),
        brotli_bomb(size, content_type).
        """
        if kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {kind!r}")
        try:
            spec = cast(FaultSpec, _FAULT_TYPES[kind](**opts))
        except TypeError as exc:
            raise ValueError(f"bad options for fault {kind!r}: {exc}") from None
        with self._lock:
            self._faults[path] = _ActiveFault(spec, times)

    def clear_faults(self, path: str | None = None) -> None:
        """Remove one path's fault, or all of them."""
        with self._lock:
            if path is None:
                self._faults.clear()
            else:
                self._faults.pop(path, None)

    @property
    def requests(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request so far, in arrival order (a copy)."""
        with self._lock:
            return [(record.method, record.path) for record in self._log]

    @property
    def request_log(self) -> list[RequestRecord]:
        """Every request with its headers (a copy), e.g. to check User-Agent or validators."""
        with self._lock:
            return list(self._log)

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` (tracking parameters ignored; a path without a query
        also counts requests that added one)."""
        with self._lock:
            targets = [record.path for record in self._log]
        bare = "?" not in path
        return sum(
            1
            for target in targets
            if target == path
            or strip_tracking(target) == path
            or (bare and urlsplit(target).path == path)
        )

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._log.clear()

    def _record(self, method: str, path: str, headers: Any) -> None:
        record = RequestRecord(
            method=method,
            path=path,
            headers={str(k).lower(): str(v) for k, v in headers},
            at=datetime.now(UTC),
        )
        with self._lock:
            self._log.append(record)

    def _take_fault(self, target: str) -> FaultSpec | None:
        with self._lock:
            for key in _candidates(target):
                active = self._faults.get(key)
                if active is None:
                    continue
                if active.remaining is not None:
                    active.remaining -= 1
                    if active.remaining <= 0:
                        del self._faults[key]
                return active.spec
        return None

    def _route(self, target: str) -> Route | None:
        with self._lock:
            for key in _candidates(target):
                route = self._routes.get(key)
                if route is not None:
                    return route
        return None

    def _gzipped(self, route: Route) -> bytes:
        key = (route.etag, route.content_type)
        with self._lock:
            cached = self._gzip_cache.get(key)
        if cached is None:
            cached = gzip.compress(route.body, mtime=0)
            with self._lock:
                self._gzip_cache[key] = cached
        return cached

    def _load_content(self) -> None:
        base = self.base_url.encode("ascii")
        routes: dict[str, Route] = {}
        newest: dict[str, datetime] = {}
        for page in self.manifest.pages:
            body = read_content(page.file).replace(b"{base}", base)
            routes[page.path] = Route.make(
                body, page.header_content_type, last_modified=page.published
            )
            newest[page.feed] = max(newest.get(page.feed, _EPOCH), page.published)
        for feed in self.manifest.feeds:
            body = read_content(feed.file).replace(b"{base}", base)
            routes[feed.path] = Route.make(
                body, feed.header_content_type, last_modified=newest.get(feed.id, _EPOCH)
            )
        robots = "User-agent: *\nAllow: /\n"
        if self.crawl_delay is not None:
            robots += f"Crawl-delay: {self.crawl_delay:g}\n"
        robots += f"Sitemap: {self.base_url}/sitemap-news.xml\n"
        routes["/robots.txt"] = Route.make(robots.encode(), "text/plain; charset=utf-8")
        routes["/"] = Route.make(self._index_html().encode(), "text/html; charset=utf-8")
        routes["/sitemap-news.xml"] = Route.make(
            self._news_sitemap().encode(), "application/xml; charset=utf-8"
        )
        with self._lock:
            self._routes = routes
            self._gzip_cache.clear()

    def _index_html(self) -> str:
        """A listing page: what a crawler without feeds would start from."""
        items = "\n".join(
            f'<li><a href="{html.escape(page.path)}">{html.escape(page.title)}</a> '
            f"<small>{html.escape(page.outlet)}</small></li>"
            for page in sorted(self.manifest.pages, key=lambda p: p.published, reverse=True)
        )
        feeds = "\n".join(
            f'<li><a href="{html.escape(feed.path)}">{html.escape(feed.path)}</a></li>'
            for feed in self.manifest.feeds
        )
        return (
            '<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8">'
            "<title>newsmon 데모 뉴스 사이트</title></head><body>\n"
            "<h1>newsmon 데모 뉴스 사이트</h1>\n<p>모든 기사와 매체는 가상입니다.</p>\n"
            f"<h2>기사</h2>\n<ul>\n{items}\n</ul>\n<h2>피드</h2>\n<ul>\n{feeds}\n</ul>\n"
            "</body></html>\n"
        )

    def _news_sitemap(self) -> str:
        """A Google-News-style sitemap of every article (another discovery path than feeds)."""
        entries = "\n".join(
            "  <url>\n"
            f"    <loc>{html.escape(self.base_url + page.path)}</loc>\n"
            "    <news:news>\n"
            f"      <news:publication><news:name>{html.escape(page.outlet)}</news:name>"
            f"<news:language>{page.lang}</news:language></news:publication>\n"
            f"      <news:publication_date>{page.published.isoformat()}</news:publication_date>\n"
            f"      <news:title>{html.escape(page.title)}</news:title>\n"
            "    </news:news>\n  </url>"
            for page in self.manifest.pages
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            f"{entries}\n</urlset>\n"
        )


def main() -> None:
    """Serve the demo site until Ctrl-C (``python -m demo.newsite``), for poking at it by hand."""
    import time

    with NewsSite(port=8765) as site:
        print(f"demo news site at {site.base_url}/  (feeds: /feeds/ko.rss, /feeds/en.atom)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
