"""Per-chunk work between fetching and loading: extract each page, build the Article, tag it.

This is the CPU-heavy part of a run (trafilatura ~25 ms/page, tagging a few ms), and it touches no
database, so the flow runs it as one task per chunk of pages, never one task per article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tasks.archive import ArchivedPage, archive_pages
from tasks.dedupe import content_hash, signature
from tasks.extraction import extract_page
from tasks.identity import read_identity
from tasks.models import Article, FeedItem, FetchResult, Mention
from tasks.tagging import Tagger
from tasks.urls import article_id_for, url_key

_HOSTLIKE = re.compile(
    r"[\w.-]+\.[a-z]{2,}(:\d+)?|\d{1,3}(\.\d{1,3}){3}(:\d+)?|localhost(:\d+)?", re.I
)


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """Articles, their MinHash signatures and mentions, and their archived (compressed) pages
    for one chunk of pages. Compressing here, beside the extraction, lets the run let go of the
    raw bytes once extraction is done (not after its load), and spreads the compression over the
    workers."""

    articles: tuple[Article, ...]
    signatures: dict[str, list[int]]
    mentions: tuple[Mention, ...]
    failures: tuple[tuple[str, str], ...]
    pages: tuple[ArchivedPage, ...]


def _outlet_name(site_name: str | None) -> str | None:
    """A site name that is only a host (trafilatura's fallback) says nothing of the outlet."""
    if not site_name or _HOSTLIKE.fullmatch(site_name.strip()):
        return None
    return site_name.strip()


def build_article(item: FeedItem, fetched: FetchResult) -> Article:
    """Extract one fetched page into an Article, with the feed item as fallback for what is missing.

    The identity is the url_key of the URL the feed gave (not of the redirect target or the
    canonical link), so the same feed item maps to the same article on every run.
    """
    assert fetched.content is not None
    page = extract_page(
        fetched.content,
        fetched.final_url,
        content_type=fetched.content_type,
        feed_title=item.title,
        feed_published=item.published_at,
        feed_summary=item.summary,
        lang_hint=item.lang,
    )
    key = url_key(item.url)
    identity = read_identity(fetched.content, fetched.final_url, fetched.content_type)
    published = page.published_at or item.published_at
    date_source = page.date_source if page.published_at else ("feed" if published else None)
    return Article(
        article_id=article_id_for(key),
        url=item.url,
        url_key=key,
        canonical_url=page.canonical_url,
        source_name=item.source_name,
        title=page.title or item.title,
        body=page.body,
        lead=page.lead,
        lang=page.lang or item.lang,
        published_at=published,
        date_source=date_source,
        author=page.author,
        site_name=_outlet_name(page.site_name),
        fetched_at=fetched.requested_at,
        quality=page.quality,
        content_hash=content_hash(page.body),
        title_flags=page.title_flags,
        og_url=identity.og_url,
        outlet=identity.outlet or _outlet_name(page.site_name),
    )


def process_chunk(pages: Sequence[tuple[FeedItem, FetchResult]], tagger: Tagger) -> ChunkResult:
    """Extract, fingerprint and tag a chunk; a page that breaks extraction is reported."""
    articles: list[Article] = []
    signatures: dict[str, list[int]] = {}
    mentions: list[Mention] = []
    failures: list[tuple[str, str]] = []
    for item, fetched in pages:
        try:
            article = build_article(item, fetched)
        except Exception as exc:  # one malformed page must not sink its chunk
            failures.append((item.url, f"{type(exc).__name__}: {exc}"[:300]))
            continue
        articles.append(article)
        signatures[article.article_id] = signature(article.body)
        mentions.extend(tagger.tag(article.article_id, article.title, article.body, article.lead))
    archived = tuple(archive_pages(articles, pages))
    return ChunkResult(tuple(articles), signatures, tuple(mentions), tuple(failures), archived)
