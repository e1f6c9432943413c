"""Discover one source: fetch its feed, sitemap or listing page and turn it into feed items.

Nothing here raises for bad input: a source that cannot be read comes back as a ``Discovery`` with
an error, so the run goes on for the other sources.

``auto`` sources are sniffed: a feed is parsed as a feed, a sitemap as a sitemap, and an HTML page
is searched for an advertised feed (``<link rel="alternate">``), then for a feed at the usual
paths (``/rss``, ``/feed``, ``/rss/allArticle.xml``), before its links are harvested.

A feed that answers 304 to our conditional GET, or whose body hashes to what we stored last time
(validators that lie), is ``unchanged``: it is not parsed again and yields no items.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urljoin

from tasks.feeds import FeedError, looks_like_json_feed, newest_first, parse_feed
from tasks.fetching import Fetcher, FetchRequest, Validators
from tasks.models import FeedItem, FetchResult, Source
from tasks.sitemaps import feed_links, harvest_links, looks_like_sitemap, parse_sitemap

MAX_CHILD_SITEMAPS = 5
USUAL_FEED_PATHS = ("/rss", "/feed", "/rss/allArticle.xml")


@dataclass(frozen=True, slots=True)
class Discovery:
    """A source's discovery fetches, its items, and why it failed when it did."""

    source: Source
    fetch: FetchResult
    items: tuple[FeedItem, ...]
    error: str | None
    warning: str | None = None
    extra_fetches: tuple[FetchResult, ...] = ()
    kind: str | None = None
    unchanged: bool = False
    body_sha256: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def body_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _is_html(content: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type:
        return True
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _sniff(content: bytes, content_type: str | None) -> str:
    if looks_like_sitemap(content):
        return "sitemap"
    if looks_like_json_feed(content):
        return "json"
    if _is_html(content, content_type):
        return "page"
    return "feed"


async def _from_sitemap(
    fetcher: Fetcher, source: Source, fetched: FetchResult
) -> tuple[tuple[FeedItem, ...], list[FetchResult]]:
    assert fetched.content is not None
    sitemap = parse_sitemap(fetched.content, source, fetched.final_url)
    items = list(sitemap.items)
    extra: list[FetchResult] = []
    for child_url in sitemap.children[:MAX_CHILD_SITEMAPS]:
        child = await fetcher.fetch(FetchRequest(child_url, source.name, expect="feed"))
        extra.append(child)
        if child.ok and child.content is not None:
            try:
                items.extend(parse_sitemap(child.content, source, child.final_url).items)
            except FeedError:
                continue
    return tuple(items), extra


async def _from_page(
    fetcher: Fetcher, source: Source, fetched: FetchResult, extra: list[FetchResult]
) -> tuple[tuple[FeedItem, ...], str | None, str]:
    """Items of an HTML source: its feed if it has one (``auto``), else its article links."""
    assert fetched.content is not None
    if source.kind == "auto":
        advertised = feed_links(fetched.content, fetched.final_url, fetched.content_type)
        guesses = [urljoin(fetched.final_url, path) for path in USUAL_FEED_PATHS]
        for candidate in [*advertised, *(g for g in guesses if g not in advertised)]:
            feed = await fetcher.fetch(FetchRequest(candidate, source.name, "feed"))
            extra.append(feed)
            if not feed.ok or feed.content is None or _sniff(feed.content, None) == "page":
                continue
            try:
                parsed = parse_feed(feed.content, source, feed.final_url)
            except FeedError:
                continue
            return parsed.items, parsed.warning, "feed (autodiscovered)"
    links = harvest_links(fetched.content, source, fetched.final_url, fetched.content_type)
    return links, None, "page"


async def discover(
    fetcher: Fetcher,
    source: Source,
    max_items: int,
    validators: Validators | None = None,
    previous_sha256: str | None = None,
) -> Discovery:
    """Fetch and read one source according to its kind (see the module docstring)."""
    fetched = await fetcher.fetch(FetchRequest(source.url, source.name, "feed", validators))
    if fetched.not_modified:
        return Discovery(source, fetched, (), None, kind=source.kind, unchanged=True)
    if not fetched.ok or fetched.content is None:
        return Discovery(source, fetched, (), f"{fetched.error}: {fetched.error_detail}")
    content = fetched.content
    digest = body_hash(content)
    if previous_sha256 is not None and digest == previous_sha256:
        return Discovery(
            source, fetched, (), None, kind=source.kind, unchanged=True, body_sha256=digest
        )
    extra: list[FetchResult] = []
    warning: str | None = None
    kind = source.kind if source.kind != "auto" else _sniff(content, fetched.content_type)
    try:
        if kind == "sitemap":
            items, extra = await _from_sitemap(fetcher, source, fetched)
        elif kind == "page":
            items, warning, kind = await _from_page(fetcher, source, fetched, extra)
        else:
            parsed = parse_feed(content, source, feed_url=fetched.final_url)
            items, warning = parsed.items, parsed.warning
            kind = "json" if looks_like_json_feed(content) else kind
    except FeedError as exc:
        return Discovery(
            source, fetched, (), f"parse: {exc}", extra_fetches=tuple(extra), kind=kind
        )
    capped = tuple(newest_first(items, max_items))
    return Discovery(
        source, fetched, capped, None, warning, tuple(extra), kind=kind, body_sha256=digest
    )
