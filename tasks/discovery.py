"""Discover one source: fetch its feed, sitemap or listing page and turn it into feed items.

Nothing here raises for bad input: a source that cannot be read comes back as a ``Discovery`` with
an error, so the run goes on for the other sources.

``auto`` sources are sniffed: a feed is parsed as a feed, a sitemap as a sitemap, and an HTML page
is searched for an advertised feed (``<link rel="alternate">``) before its links are harvested.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasks.feeds import FeedError, newest_first, parse_feed
from tasks.fetching import Fetcher, FetchRequest
from tasks.models import FeedItem, FetchResult, Source
from tasks.sitemaps import feed_links, harvest_links, looks_like_sitemap, parse_sitemap

MAX_CHILD_SITEMAPS = 5


@dataclass(frozen=True, slots=True)
class Discovery:
    """A source's discovery fetches, its items, and why it failed when it did."""

    source: Source
    fetch: FetchResult
    items: tuple[FeedItem, ...]
    error: str | None
    warning: str | None = None
    extra_fetches: tuple[FetchResult, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def _is_html(content: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type:
        return True
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


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


async def discover(fetcher: Fetcher, source: Source, max_items: int) -> Discovery:
    """Fetch and read one source according to its kind (see the module docstring)."""
    fetched = await fetcher.fetch(FetchRequest(source.url, source.name, expect="feed"))
    if not fetched.ok or fetched.content is None:
        return Discovery(source, fetched, (), f"{fetched.error}: {fetched.error_detail}")
    content = fetched.content
    extra: list[FetchResult] = []
    warning: str | None = None
    try:
        kind = source.kind
        if kind == "auto":
            if looks_like_sitemap(content):
                kind = "sitemap"
            elif _is_html(content, fetched.content_type):
                kind = "page"
            else:
                kind = "rss"
        if kind == "sitemap":
            items, extra = await _from_sitemap(fetcher, source, fetched)
        elif kind == "page":
            advertised = (
                feed_links(content, fetched.final_url, fetched.content_type)
                if source.kind == "auto"
                else []
            )
            items = ()
            if advertised:
                feed = await fetcher.fetch(FetchRequest(advertised[0], source.name, "feed"))
                extra.append(feed)
                if feed.ok and feed.content is not None:
                    parsed = parse_feed(feed.content, source, feed.final_url)
                    items, warning = parsed.items, parsed.warning
            if not items:
                items = harvest_links(content, source, fetched.final_url, fetched.content_type)
        else:
            parsed = parse_feed(content, source, feed_url=fetched.final_url)
            items, warning = parsed.items, parsed.warning
    except FeedError as exc:
        return Discovery(source, fetched, (), f"parse: {exc}", extra_fetches=tuple(extra))
    capped = tuple(newest_first(items, max_items))
    return Discovery(source, fetched, capped, None, warning, tuple(extra))
