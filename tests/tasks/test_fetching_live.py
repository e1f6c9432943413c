"""The fetcher against a real misbehaving server on 127.0.0.1 (demo.newsite.NewsSite)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator

import pytest

from demo.newsite import NewsSite
from tasks.fetching import Fetcher, FetchPolicy, FetchRequest, Validators
from tasks.models import FetchResult

PAGE = "/techdaily/news/articleView.html?idxno=48213"


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def _policy(**overrides: object) -> FetchPolicy:
    base: dict[str, object] = {
        "user_agent": "newsmon-test",
        "allow_private_networks": True,
        "timeout_s": 1.0,
        "backoff_s": 0.01,
        "retries": 1,
        "max_bytes": 2_000_000,
    }
    base.update(overrides)
    return FetchPolicy(**base)  # type: ignore[arg-type]


def _fetch(policy: FetchPolicy, *requests: FetchRequest) -> list[FetchResult]:
    async def go() -> list[FetchResult]:
        async with Fetcher(policy) as fetcher:
            return await fetcher.fetch_many(list(requests))

    return asyncio.run(go())


def _one(site: NewsSite, path: str = PAGE, **overrides: object) -> FetchResult:
    return _fetch(_policy(**overrides), FetchRequest(site.url(path), "s"))[0]


@pytest.mark.parametrize(
    ("kind", "opts", "error", "status"),
    [
        ("status", {"status": 404}, "http_4xx", 404),
        ("status", {"status": 410}, "http_4xx", 410),
        ("status", {"status": 500}, "http_5xx", 500),
        ("status", {"status": 503, "retry_after": 0}, "http_5xx", 503),
        ("timeout", {"seconds": 5}, "timeout", None),
        ("reset", {}, "connect", None),
        ("redirect", {"to": PAGE}, "http_4xx", 302),
        ("large", {"size": 50_000_000}, "too_large", 200),
        ("large", {"size": 50_000_000, "declare_length": False}, "too_large", 200),
        ("large", {"size": 50_000_000, "gzip": True}, "too_large", 200),
        ("html_as", {"content_type": "image/png"}, "not_html", 200),
    ],
)
def test_faults_are_classified(
    site: NewsSite, kind: str, opts: dict[str, object], error: str, status: int | None
) -> None:
    site.set_fault(PAGE, kind, **opts)  # type: ignore[arg-type]
    started = time.monotonic()
    result = _one(site)
    assert result.error == error, result.error_detail
    assert result.http_status == status
    assert result.content is None
    assert time.monotonic() - started < 10


def test_retry_after_429_then_success(site: NewsSite) -> None:
    site.set_fault(PAGE, "status", status=429, retry_after=1, times=1)
    started = time.monotonic()
    result = _one(site)
    assert result.ok and result.http_status == 200
    assert time.monotonic() - started >= 0.7  # waited for Retry-After (with jitter)
    assert site.hits(PAGE) == 2


def test_no_retry_on_404_one_retry_on_500(site: NewsSite) -> None:
    site.set_fault(PAGE, "status", status=404)
    _one(site)
    assert site.hits(PAGE) == 1
    site.clear_requests()
    site.set_fault(PAGE, "status", status=500)
    _one(site)
    assert site.hits(PAGE) == 2


def test_redirect_chain_is_followed(site: NewsSite) -> None:
    site.set_fault("/a", "redirect", to="/b")
    site.set_fault("/b", "redirect", to=PAGE, status=301)
    result = _one(site, "/a")
    assert result.ok and result.final_url == site.url(PAGE)


def test_conditional_get_returns_304_without_body(site: NewsSite) -> None:
    first = _fetch(_policy(), FetchRequest(site.url("/feeds/ko.rss"), "s", "feed"))[0]
    assert first.ok and (first.etag or first.last_modified)
    again = _fetch(
        _policy(),
        FetchRequest(
            site.url("/feeds/ko.rss"), "s", "feed", Validators(first.etag, first.last_modified)
        ),
    )[0]
    assert again.not_modified and again.http_status == 304 and again.error is None
    assert again.content is None and again.size == 0


def test_robots_disallow_and_crawl_delay(site: NewsSite) -> None:
    site.add_page(
        "/robots.txt",
        b"User-agent: *\nDisallow: /techdaily/\nCrawl-delay: 0.3\n",
        "text/plain",
    )
    pages = [p for p in site.manifest.pages if not p.path.startswith("/techdaily/")][:4]
    results = _fetch(
        _policy(per_host_concurrency=4),
        FetchRequest(site.url(PAGE), "s"),
        *(FetchRequest(site.url(p.path), "s") for p in pages),
    )
    assert results[0].error == "robots"
    assert all(r.ok for r in results[1:])
    starts = sorted(r.at for r in site.request_log if r.path != "/robots.txt")
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert len(starts) == 4 and min(gaps) >= 0.25
    assert site.hits("/robots.txt") == 1


def test_robots_5xx_disallows_all_for_the_run(site: NewsSite) -> None:
    site.set_fault("/robots.txt", "status", status=503)
    result = _one(site)
    assert result.error == "robots" and "RFC 9309" in (result.error_detail or "")
    assert site.hits(PAGE) == 0


def test_robots_can_be_ignored_by_setting(site: NewsSite) -> None:
    site.add_page("/robots.txt", b"User-agent: *\nDisallow: /\n", "text/plain")
    assert _one(site, respect_robots=False).ok


def test_min_host_interval_spaces_requests(site: NewsSite) -> None:
    pages = site.manifest.pages[:4]
    _fetch(
        _policy(per_host_concurrency=4, min_host_interval_s=0.2, respect_robots=False),
        *(FetchRequest(site.url(p.path), "s") for p in pages),
    )
    starts = sorted(r.at for r in site.request_log)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.15
