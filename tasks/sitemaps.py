"""News sitemaps and listing pages: the two discovery kinds that are not feeds.

XML is parsed with entity resolution and network access off, so a billion-laughs or
external-entity document is rejected instead of expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from tasks.charset import decode_html
from tasks.feeds import FeedError
from tasks.models import FeedItem, Source

_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_ARTICLE_HINT = re.compile(r"(article|news|view|story|/20\d{2}[/-]?\d{2}|idxno=|\d{6,})", re.I)


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: article items (urlset) or child sitemap URLs (sitemapindex)."""

    items: tuple[FeedItem, ...]
    children: tuple[str, ...]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
    )


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def looks_like_sitemap(content: bytes) -> bool:
    head = content[:2048].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def parse_sitemap(content: bytes, source: Source, base_url: str) -> Sitemap:
    """Parse a sitemap or sitemap index (Google News tags kept as title and date)."""
    if b"<!ENTITY" in content[:4096]:
        raise FeedError("sitemap declares XML entities; refused")
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not a readable sitemap: {exc}") from exc
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        locs = [(loc.text or "").strip() for loc in root.iterfind(".//sm:sitemap/sm:loc", _NS)]
        return Sitemap((), tuple(urljoin(base_url, u) for u in locs if u))
    if tag != "urlset":
        raise FeedError(f"not a sitemap (root element {tag!r})")
    items: list[FeedItem] = []
    for node in root.iterfind("sm:url", _NS):
        loc = (node.findtext("sm:loc", namespaces=_NS) or "").strip()
        url = urljoin(base_url, loc)
        if not loc or urlsplit(url).scheme not in ("http", "https"):
            continue
        title = node.findtext("news:news/news:title", namespaces=_NS)
        published = _date(node.findtext("news:news/news:publication_date", namespaces=_NS))
        items.append(
            FeedItem(
                source_name=source.name,
                url=url,
                title=title.strip() if title else None,
                published_at=published or _date(node.findtext("sm:lastmod", namespaces=_NS)),
                guid=None,
                summary=None,
                lang=source.lang,
            )
        )
    return Sitemap(tuple(items), ())


def _document(content: bytes, content_type: str | None) -> html.HtmlElement:
    text, _charset = decode_html(content, content_type)
    return html.fromstring(text)


def harvest_links(
    content: bytes, source: Source, base_url: str, content_type: str | None = None
) -> tuple[FeedItem, ...]:
    """Article links of a listing page: same host, matching the source's pattern if it has one.

    Without a pattern, a link counts as an article when its path looks like one (ids, dates,
    ``articleView``-style paths); navigation links are left out.
    """
    try:
        document = _document(content, content_type)
    except (etree.ParserError, ValueError) as exc:
        raise FeedError(f"not a readable page: {exc}") from exc
    host = urlsplit(base_url).hostname
    pattern = re.compile(source.link_pattern) if source.link_pattern else _ARTICLE_HINT
    items: list[FeedItem] = []
    seen: set[str] = set()
    for anchor in document.iterfind(".//a[@href]"):
        url = urljoin(base_url, anchor.get("href", "").strip()).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != host or url in seen:
            continue
        if not pattern.search(parts.path + ("?" + parts.query if parts.query else "")):
            continue
        seen.add(url)
        text = " ".join(anchor.text_content().split()) or None
        items.append(FeedItem(source.name, url, text, None, None, None, source.lang))
    return tuple(items)


def feed_links(content: bytes, base_url: str, content_type: str | None = None) -> list[str]:
    """Feed URLs a homepage advertises with ``<link rel="alternate" type="…rss+xml">``."""
    try:
        document = _document(content, content_type)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in document.iterfind(".//link[@rel]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and kind in _FEED_TYPES and link.get("href"):
            found.append(urljoin(base_url, link.get("href", "")))
    return found
