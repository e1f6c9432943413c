"""What a page costs in the pipeline, and what Prefect's granularity costs, as ratios.

Run from the repository root::

    uv run python bench/pipeline_bench.py [--pages N] [--corpus DIR]

1. Per-page CPU: ``process_chunk`` (charset + trafilatura + Korean cleanup + MinHash + tagging)
   against the unavoidable baseline, ``trafilatura.bare_extraction`` alone, on the same pages in the
   same process. Pages are the demo site's pages (ours) and, when present, the real pages of
   ``../shared/corpus/extraction`` (read at run time, never copied).
2. Orchestration: the same pages processed by a Prefect flow with one task per chunk of
   ``NEWSMON_CHUNK_SIZE`` pages (100 by default, what ``flows/monitor.py`` does) against one task
   per page (what DESIGN.md warns against).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")

import trafilatura
from prefect import flow
from rich.console import Console
from rich.table import Table

from demo.manifest import load_manifest, read_content
from flows.settings import Settings
from tasks.gazetteer import load_gazetteer
from tasks.models import FeedItem, FetchResult
from tasks.prefect_tasks import process_pages
from tasks.processing import process_chunk
from tasks.tagging import Tagger

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/extraction/html"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def _pages(corpus: Path, limit: int) -> list[tuple[FeedItem, FetchResult]]:
    blobs: list[tuple[str, bytes, str]] = []
    for page in load_manifest().pages:
        blobs.append((page.path, read_content(page.file), page.header_content_type))
    if corpus.is_dir():
        for path in sorted(corpus.glob("*.html.gz")):
            blobs.append((f"/corpus/{path.name}", gzip.decompress(path.read_bytes()), "text/html"))
    pairs = []
    for index in range(limit):
        path, content, ctype = blobs[index % len(blobs)]
        url = f"https://bench.example{path}?n={index}"
        item = FeedItem("bench", url, None, None, None, None, "ko" if "/ko" in path else "en")
        pairs.append((item, FetchResult(url, url, "bench", NOW, 200, content, ctype, 1)))
    return pairs


def _time(fn: object) -> float:
    assert callable(fn)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    pages = _pages(args.corpus, args.pages)
    tagger = Tagger(load_gazetteer())
    process_chunk(pages[:5], tagger)  # warm caches (and Kiwi, if any page needs it)

    def baseline() -> None:
        for _, fetched in pages:
            assert fetched.content is not None
            trafilatura.bare_extraction(fetched.content, with_metadata=True)

    base_s = _time(baseline)
    ours_s = _time(lambda: process_chunk(pages, tagger))

    size = max(1, Settings().chunk_size)

    @flow(name="bench-chunked")
    async def chunked() -> None:
        for start in range(0, len(pages), size):
            process_pages(start // size, pages[start : start + size], tagger)

    @flow(name="bench-per-page")
    async def per_page() -> None:
        for index, pair in enumerate(pages):
            process_pages(index, [pair], tagger)

    # async flows, as the monitor is: a synchronous flow run adds ~1 s of heartbeat join
    asyncio.run(chunked())  # start Prefect's temporary API before timing
    chunk_s = _time(lambda: asyncio.run(chunked()))
    page_s = _time(lambda: asyncio.run(per_page()))

    table = Table(title=f"pipeline cost on {len(pages)} pages (same process, same pages)")
    for column in ("what", "seconds", "ms/page", "ratio"):
        table.add_column(column, justify="right" if column != "what" else "left")
    n = len(pages)
    rows = [
        ("baseline: trafilatura.bare_extraction", base_s, 1.0),
        ("newsmon process_chunk (extract+clean+MinHash+tag)", ours_s, ours_s / base_s),
        (f"Prefect flow, task per chunk of {size}", chunk_s, chunk_s / ours_s),
        ("Prefect flow, task per page", page_s, page_s / ours_s),
    ]
    for label, seconds, ratio in rows:
        table.add_row(label, f"{seconds:.2f}", f"{seconds / n * 1000:.1f}", f"{ratio:.2f}×")
    Console().print(table)
    Console().print(
        "ratios: row 2 vs the trafilatura baseline; rows 3–4 vs process_chunk without Prefect"
    )


if __name__ == "__main__":
    main()
