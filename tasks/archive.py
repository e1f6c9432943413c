"""The raw page archive and the per-item page state: what a run keeps besides the articles.

Every stored article keeps the bytes it was extracted from, zstd-compressed, with the response
headers and the charset they were read with, so that ``newsmon reprocess`` can run an improved
extractor over history without fetching again (pages change and disappear; the archive does not).
zstd at level 3 shrinks news HTML 5.1× (about 170 KiB to 33 KiB a page on the real pages of
bench/extraction_eval.py) at ~0.4 ms a page and decompresses in 0.1–0.2 ms, the direction
reprocessing pays for. Level 9 stores 10 % less (5.6×) but took 1.7 ms a page, 9 % of a whole
run's CPU next to trafilatura's ~18 ms (bench/prefect_bench.py throughput): every run pays the
compression, while the archive's size grows by a tenth. gzip -6 gives 5.0× and reads 3–4× slower.

Every fetched feed item also gets a page state (an article's quality, or ``fetch_failed`` with
the error class) that is written beside the feed item's own title and summary, so a page that
failed still leaves what the feed told us, together with why the page is missing.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import zstandard

from tasks.charset import detect_charset
from tasks.models import Article, FeedItem, FetchResult
from tasks.urls import url_key

__all__ = [
    "COMPRESSION",
    "ArchivedPage",
    "PageState",
    "archive_pages",
    "compress",
    "decompress",
    "page_states",
]

COMPRESSION = "zstd"
_ZSTD_LEVEL = 3
_MAX_DECOMPRESSED = 64 * 1024 * 1024
_COMPRESSORS = threading.local()


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """One row of the ``pages`` table: an article's fetched bytes, compressed, with headers."""

    article_id: str
    url_key: str
    url: str
    final_url: str | None
    fetched_at: datetime
    http_status: int | None
    content_type: str | None
    headers: tuple[tuple[str, str], ...]
    encoding: str | None
    compression: str
    raw_bytes: int
    content: bytes


@dataclass(frozen=True, slots=True)
class PageState:
    """The latest outcome of a feed item's page (see warehouse/migrations/003_page_archive.sql)."""

    url_key: str
    state: str
    error: str | None
    checked_at: datetime


def compress(content: bytes) -> bytes:
    """Compress page bytes with ``COMPRESSION``; the frame records its size for ``decompress``.

    Memory, since a run keeps every page's result until its load: one compressor per thread,
    reused (a new one per page allocated and dropped its working memory each time, and the
    allocator kept much of it); and the result copied into a bytes object of its own size (the
    compressor returns its worst-case buffer shrunk in place, whose freed tails fragment the
    heap: 3,000 pages, 87 MB compressed, held +148 MB of RSS; copied, +84 MB)."""
    compressor: zstandard.ZstdCompressor | None = getattr(_COMPRESSORS, "zstd", None)
    if compressor is None:
        compressor = _COMPRESSORS.zstd = zstandard.ZstdCompressor(level=_ZSTD_LEVEL)
    return bytes(memoryview(compressor.compress(content)))


def decompress(content: bytes, compression: str) -> bytes:
    """Undo ``compress`` (or gzip, or nothing), whichever the row says was used."""
    if compression == "zstd":
        return zstandard.ZstdDecompressor().decompress(content, max_output_size=_MAX_DECOMPRESSED)
    if compression == "gzip":
        return gzip.decompress(content)
    if compression == "none":
        return content
    raise ValueError(f"unknown page compression {compression!r}")


def archive_pages(
    articles: Sequence[Article], fetched: Sequence[tuple[FeedItem, FetchResult]]
) -> list[ArchivedPage]:
    """Archive rows for the articles of a run, from the fetches they were extracted from.

    Articles are matched to fetches by the url_key of the feed item's URL, the same identity
    ``tasks.processing.build_article`` gives an article; a fetch without an article (it failed,
    or extraction raised) is not archived.
    """
    by_key = {a.url_key: a for a in articles}
    rows: list[ArchivedPage] = []
    for item, result in fetched:
        if not result.ok or result.content is None:
            continue
        try:
            article = by_key.get(url_key(item.url))
        except ValueError:
            continue
        if article is None:
            continue
        headers = result.headers or (
            (("content-type", result.content_type),) if result.content_type else ()
        )
        rows.append(
            ArchivedPage(
                article_id=article.article_id,
                url_key=article.url_key,
                url=result.url,
                final_url=result.final_url,
                fetched_at=result.requested_at,
                http_status=result.http_status,
                content_type=result.content_type,
                headers=tuple(headers),
                encoding=detect_charset(result.content, result.content_type),
                compression=COMPRESSION,
                raw_bytes=len(result.content),
                content=compress(result.content),
            )
        )
    return rows


def page_states(
    articles: Sequence[Article],
    fetched: Sequence[tuple[FeedItem, FetchResult]],
    checked_at: datetime,
) -> list[PageState]:
    """The outcome of every fetched item's page: its article's quality, ``fetch_failed`` (no
    article row, so it is fetched again next run) or ``extract_failed`` (extraction raised)."""
    quality = {a.url_key: a.quality for a in articles}
    states: list[PageState] = []
    for item, result in fetched:
        try:
            key = url_key(item.url)
        except ValueError:
            continue
        if key in quality:  # an empty or binary page's article came from its feed item
            states.append(PageState(key, quality[key], result.error, checked_at))
        elif not result.ok:
            states.append(PageState(key, "fetch_failed", result.error or "other", checked_at))
        else:
            states.append(PageState(key, "extract_failed", None, checked_at))
    return states
