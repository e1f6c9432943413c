"""Discovery: turn a feed document into feed items, keeping what the feed said about each.

feedparser does the parsing (RSS 0.9x/1.0/2.0, Atom, encodings declared in the XML prolog such as
EUC-KR); JSON Feed, which feedparser does not read, is parsed here. This module decides what counts
as a usable item and what counts as a broken feed.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from tasks.models import FeedItem, Source

_TAG_RE = re.compile(r"<[^>]+>")
_WS_RE = re.compile(r"\s+")
_MAX_SUMMARY = 2_000
# feedparser takes ~0.2 ms per item, all of it before any cap applies: a hostile 100,000-item feed
# would hold a worker for 20 s. Real news feeds list tens to hundreds of items.
MAX_FEED_ITEMS = 10_000
_ITEM_TAGS = (b"<item", b"<entry", b"<rss:item")


class FeedError(Exception):
    """The document is not a feed newsmon can read (the reason is in the message)."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """Items of one feed plus a note when feedparser had to recover from malformed XML."""

    items: tuple[FeedItem, ...]
    feed_title: str | None
    warning: str | None


def _plain(text: str | None) -> str | None:
    if not text:
        return None
    cleaned = _WS_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", text))).strip()
    return cleaned[:_MAX_SUMMARY] or None


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _entry_link(entry: Any, base: str) -> str | None:
    candidates: list[str] = []
    link = entry.get("link")
    if isinstance(link, str):
        candidates.append(link)
    for item in entry.get("links") or []:
        href = item.get("href")
        if isinstance(href, str) and item.get("rel", "alternate") == "alternate":
            candidates.append(href)
    guid = entry.get("id")
    if isinstance(guid, str) and entry.get("guidislink", False):
        candidates.append(guid)
    for raw in candidates:
        url = urljoin(base, html.unescape(raw.strip()))
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname:
            return url
    return None


def _json_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def looks_like_json_feed(content: bytes) -> bool:
    head = content[:512].lstrip()
    return head.startswith(b"{") and b"jsonfeed.org/version" in content[:4096]


def parse_json_feed(content: bytes, source: Source, feed_url: str | None = None) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser does not read."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"not a readable JSON feed: {exc}") from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedError("not a JSON feed (no jsonfeed.org version)")
    base = feed_url or source.url
    items: list[FeedItem] = []
    seen: set[str] = set()
    for raw in data.get("items") or []:
        if not isinstance(raw, dict):
            continue
        link = raw.get("url") or raw.get("external_url")
        if not isinstance(link, str):
            continue
        url = urljoin(base, link.strip())
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        summary = raw.get("summary") or raw.get("content_text") or raw.get("content_html")
        title = raw.get("title")
        guid = raw.get("id")
        items.append(
            FeedItem(
                source_name=source.name,
                url=url,
                title=_plain(title) if isinstance(title, str) else None,
                published_at=_json_date(raw.get("date_published") or raw.get("date_modified")),
                guid=str(guid) if guid is not None else None,
                summary=_plain(summary) if isinstance(summary, str) else None,
                lang=source.lang,
            )
        )
    title = data.get("title")
    return ParsedFeed(tuple(items), _plain(title) if isinstance(title, str) else None, None)


def parse_feed(content: bytes, source: Source, feed_url: str | None = None) -> ParsedFeed:
    """Parse feed bytes into items; raise FeedError when nothing usable is in them.

    Links are made absolute against the feed URL; items without an http(s) link are dropped
    (``javascript:`` links, empty links). A feed that parses with recoverable errors keeps its items
    and carries a warning.
    """
    if not content.strip():
        raise FeedError("empty document")
    if looks_like_json_feed(content):
        return parse_json_feed(content, source, feed_url)
    n_items = sum(content.count(tag) for tag in _ITEM_TAGS)
    if n_items > MAX_FEED_ITEMS:
        raise FeedError(f"feed lists {n_items} items, over the limit of {MAX_FEED_ITEMS}")
    parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    base = feed_url or source.url
    entries = parsed.get("entries") or []
    version = parsed.get("version") or ""
    if parsed.get("bozo") and not entries:
        reason = parsed.get("bozo_exception")
        raise FeedError(f"not a readable feed: {type(reason).__name__}: {reason}"[:300])
    if not version and not entries:
        raise FeedError("not a feed (no RSS/Atom root element)")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        link = _entry_link(entry, base)
        if link is None or link in seen:
            continue
        seen.add(link)
        summary = entry.get("summary") or entry.get("description")
        guid = entry.get("id")
        items.append(
            FeedItem(
                source_name=source.name,
                url=link,
                title=_plain(entry.get("title")),
                published_at=_entry_date(entry),
                guid=guid if isinstance(guid, str) else None,
                summary=_plain(summary if isinstance(summary, str) else None),
                lang=source.lang,
            )
        )
    if parsed.get("bozo") and not items:
        reason = parsed.get("bozo_exception")
        raise FeedError(f"malformed feed with no usable item: {reason}"[:300])
    warning = None
    if parsed.get("bozo"):
        warning = f"recovered from malformed XML: {parsed.get('bozo_exception')}"[:300]
    title = parsed.get("feed", {}).get("title")
    return ParsedFeed(tuple(items), _plain(title) if isinstance(title, str) else None, warning)


def newest_first(items: Sequence[FeedItem], limit: int) -> list[FeedItem]:
    """Cap a feed at ``limit`` items, newest first (undated items last, in feed order)."""
    dated = sorted(
        (i for i in items if i.published_at is not None),
        key=lambda i: i.published_at or datetime.min.replace(tzinfo=UTC),
        reverse=True,
    )
    undated = [i for i in items if i.published_at is None]
    return (dated + undated)[:limit]
