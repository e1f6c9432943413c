"""Discovery over httpx's MockTransport: each source kind, auto-detection, and failures as data."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tasks.discovery import Discovery, discover
from tasks.fetching import Fetcher, FetchPolicy
from tasks.models import Source

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>https://n.example/news/articleView.html?idxno=1</link></item>
</channel></rss>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://n.example/child.xml</loc></sitemap></sitemapindex>"""
CHILD = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://n.example/article/7</loc></url></urlset>"""
HOME = b"""<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>
<body><a href="/news/articleView.html?idxno=5">x</a></body></html>"""
LISTING = b"""<html><body><a href="/news/articleView.html?idxno=5">x</a></body></html>"""

ROUTES = {
    "/rss.xml": (200, "application/rss+xml", RSS),
    "/index.xml": (200, "application/xml", INDEX),
    "/child.xml": (200, "application/xml", CHILD),
    "/home": (200, "text/html; charset=utf-8", HOME),
    "/list": (200, "text/html", LISTING),
    "/broken.xml": (200, "application/xml", b"<rss><channel><item><title>x"),
    "/error": (500, "text/html", b"oops"),
}


def _handler(request: httpx.Request) -> httpx.Response:
    status, ctype, body = ROUTES.get(request.url.path, (404, "text/html", b""))
    return httpx.Response(status, content=body, headers={"content-type": ctype})


def _discover(path: str, kind: str) -> Discovery:
    source = Source("s", f"https://n.example{path}", kind, "ko")  # type: ignore[arg-type]
    policy = FetchPolicy(user_agent="t", allow_private_networks=True, retries=0)

    async def go() -> Discovery:
        async with Fetcher(policy, httpx.MockTransport(_handler)) as fetcher:
            return await discover(fetcher, source, 50)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("path", "kind", "urls"),
    [
        ("/rss.xml", "rss", ["https://n.example/news/articleView.html?idxno=1"]),
        ("/rss.xml", "auto", ["https://n.example/news/articleView.html?idxno=1"]),
        ("/index.xml", "sitemap", ["https://n.example/article/7"]),
        ("/index.xml", "auto", ["https://n.example/article/7"]),
        ("/home", "auto", ["https://n.example/news/articleView.html?idxno=1"]),
        ("/list", "page", ["https://n.example/news/articleView.html?idxno=5"]),
    ],
)
def test_kinds_and_autodetection(path: str, kind: str, urls: list[str]) -> None:
    found = _discover(path, kind)
    assert found.ok, found.error
    assert [i.url for i in found.items] == urls


@pytest.mark.parametrize(
    ("path", "needle"),
    [("/broken.xml", "parse"), ("/error", "http_5xx"), ("/missing", "http_4xx")],
)
def test_failures_are_data_not_exceptions(path: str, needle: str) -> None:
    found = _discover(path, "rss")
    assert not found.ok and found.items == ()
    assert needle in (found.error or "")


def test_sitemap_index_children_are_logged_as_extra_fetches() -> None:
    found = _discover("/index.xml", "sitemap")
    assert [f.url for f in found.extra_fetches] == ["https://n.example/child.xml"]
