"""Fetch-stage unit tests: httpx's MockTransport for status handling, real sockets for the guard."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator

import httpx
import pytest

from tasks.fetching import Fetcher, FetchPolicy, FetchRequest, is_public_address
from tasks.models import FetchResult


def _run(
    policy: FetchPolicy,
    url: str,
    transport: httpx.AsyncBaseTransport | None = None,
    expect: str = "html",
) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(policy, transport) as fetcher:
            return await fetcher.fetch(FetchRequest(url, "src", expect))

    return asyncio.run(go())


POLICY = FetchPolicy(
    user_agent="test",
    allow_private_networks=True,
    backoff_s=0.01,
    timeout_s=2,
    respect_robots=False,
)


@pytest.mark.parametrize(
    ("status", "error"),
    [(200, None), (404, "http_4xx"), (403, "http_4xx"), (500, "http_5xx"), (503, "http_5xx")],
)
def test_status_classification(status: int, error: str | None) -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(
            status, text="<html>x</html>", headers={"content-type": "text/html"}
        )
    )
    result = _run(POLICY, "http://news.example/a", transport)
    assert result.error == error
    assert result.http_status == status
    assert result.ok is (error is None)


def test_retries_5xx_once_then_succeeds() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500 if len(calls) == 1 else 200, text="ok")

    result = _run(POLICY, "http://news.example/a", httpx.MockTransport(handler))
    assert result.ok and len(calls) == 2


def test_no_retry_on_404() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404)

    _run(POLICY, "http://news.example/a", httpx.MockTransport(handler))
    assert len(calls) == 1


def test_redirects_followed_and_final_url_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/new"})
        return httpx.Response(200, text="new")

    result = _run(POLICY, "http://news.example/old", httpx.MockTransport(handler))
    assert result.ok and result.final_url == "http://news.example/new"
    assert result.url == "http://news.example/old"


def test_endless_redirects_end_as_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(302, headers={"location": "/loop"}))
    result = _run(POLICY, "http://news.example/loop", transport)
    assert result.error == "http_4xx" and "redirects" in (result.error_detail or "")


def test_size_cap() -> None:
    small = FetchPolicy(user_agent="t", allow_private_networks=True, max_bytes=1000)
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 5000))
    assert _run(small, "http://news.example/big", transport).error == "too_large"


def test_not_html_for_pages_but_fine_for_feeds() -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=b"%PDF", headers={"content-type": "application/pdf"})
    )
    assert _run(POLICY, "http://news.example/x.pdf", transport).error == "not_html"


def test_connect_error_is_classified() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    assert _run(POLICY, "http://news.example/", httpx.MockTransport(handler)).error == "connect"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x.example/a", "http:///nohost"]
)
def test_non_http_urls_are_refused(url: str) -> None:
    assert _run(POLICY, url).error == "invalid_url"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1", False),
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            threading.Event().wait(3)
        body = b"<html><body>hello</body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def local_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_private_network_refused_by_default(local_url: str) -> None:
    guarded = FetchPolicy(user_agent="t")
    result = _run(guarded, f"{local_url}/")
    assert result.error == "private_network"
    assert "NEWSMON_ALLOW_PRIVATE_NETWORKS" in (result.error_detail or "")


def test_localhost_name_is_refused_too(local_url: str) -> None:
    port = local_url.rsplit(":", 1)[1]
    assert _run(FetchPolicy(user_agent="t"), f"http://localhost:{port}/").error == "private_network"


def test_private_network_allowed_when_set(local_url: str) -> None:
    result = _run(POLICY, f"{local_url}/")
    assert result.ok and result.content is not None and b"hello" in result.content


def test_timeout_is_classified(local_url: str) -> None:
    quick = FetchPolicy(user_agent="t", allow_private_networks=True, timeout_s=0.3, retries=0)
    result = _run(quick, f"{local_url}/slow")
    assert result.error == "timeout"


def test_redirect_to_a_private_address_is_refused_at_the_hop() -> None:
    """A public page that redirects to cloud metadata must not be followed (checked per hop)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://169.254.169.254/latest/meta-data"})

    guarded = FetchPolicy(user_agent="t", respect_robots=False)
    result = _run(guarded, "http://93.184.216.34/news/1", httpx.MockTransport(handler))
    assert result.error == "private_network"
    assert seen == ["http://93.184.216.34/news/1"]


def test_credentials_in_the_url_go_as_basic_auth_and_never_to_another_host() -> None:
    """``https://user:secret@host/feed``: the request line has no user-info (httpx logs it), the
    Authorization header carries the (percent-decoded) credentials, a same-host redirect keeps
    them and a redirect to another host does not get them."""
    import base64

    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("authorization")))
        if request.url.path == "/feed":
            return httpx.Response(301, headers={"location": "/feed2"})
        if request.url.path == "/feed2":
            return httpx.Response(302, headers={"location": "http://cdn.example/feed3"})
        return httpx.Response(200, text="<rss/>", headers={"content-type": "application/rss+xml"})

    result = _run(POLICY, "http://reader:p%40ss@news.example/feed", httpx.MockTransport(handler))
    basic = "Basic " + base64.b64encode(b"reader:p@ss").decode()
    assert result.ok
    assert seen == [
        ("http://news.example/feed", basic),
        ("http://news.example/feed2", basic),
        ("http://cdn.example/feed3", None),
    ]
