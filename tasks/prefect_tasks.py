"""The only module in ``tasks`` that knows Prefect: thin task wrappers around the plain stages.

Granularity follows the cost model: a task per source (I/O) and a task per chunk of pages (CPU),
never a task per article. Inputs are live objects (the HTTP client, the tagger), so caching is off.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.discovery import Discovery, discover
from tasks.fetching import Fetcher, FetchRequest, Validators
from tasks.models import FeedItem, FetchResult, Source
from tasks.processing import ChunkResult, process_chunk
from tasks.tagging import Tagger


@task(name="discover-source", task_run_name="discover {source.name}", cache_policy=NO_CACHE)
async def discover_source(
    fetcher: Fetcher,
    source: Source,
    max_items: int,
    validators: Validators | None = None,
    previous_sha256: str | None = None,
) -> Discovery:
    """Fetch and parse one source's feed (conditionally, when validators are known)."""
    return await discover(fetcher, source, max_items, validators, previous_sha256)


@task(name="fetch-pages", task_run_name="fetch pages of {source_name}", cache_policy=NO_CACHE)
async def fetch_pages(
    fetcher: Fetcher, source_name: str, items: Sequence[FeedItem]
) -> list[tuple[FeedItem, FetchResult]]:
    """Fetch the article pages of one source's new items (per-host limits apply inside)."""
    results = await fetcher.fetch_many([FetchRequest(i.url, source_name) for i in items])
    return list(zip(items, results, strict=True))


@task(name="process-chunk", task_run_name="extract+tag chunk {index}", cache_policy=NO_CACHE)
def process_pages(
    index: int, pages: Sequence[tuple[FeedItem, FetchResult]], tagger: Tagger
) -> ChunkResult:
    """Extract, fingerprint and tag one chunk of fetched pages."""
    return process_chunk(pages, tagger)
