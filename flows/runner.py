"""Where the CPU stage runs: threads in the flow process or a Dask cluster (NEWSMON_TASK_RUNNER).

The CPU stage is extract + fingerprint + tag, one chunk of fetched pages at a time
(``tasks.processing.process_chunk``). It touches no database, so it can run anywhere; the results
come back to the flow process, which stays the single DuckDB writer.

- ``threads`` (default): Prefect's ``ThreadPoolTaskRunner`` in the flow process.
- ``dask``: prefect-dask's ``DaskTaskRunner``: a ``LocalCluster`` of ``NEWSMON_DASK_WORKERS``
  single-threaded worker processes, or the scheduler at ``NEWSMON_DASK_ADDRESS``.

Constraints that keep the stage distributable: the task is a module-level function whose
arguments are plain picklable values (feed items, fetch results, the gazetteer's *text*, so a
worker on another machine needs newsmon installed but not the writer's files); the Tagger (Kiwi
inside) is never shipped, each process builds its own once (``gazetteer_and_tagger``);
results are gathered in chunk order, so every runner gives the same rows.

The runner is entered inside the phase, not fixed on the flow, so every entry point (CLI, serve,
deployments, tests) honours the setting, and a local cluster lives only while the stage runs.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.settings import Settings
from tasks.gazetteer import Gazetteer, GazetteerFile, load_gazetteer
from tasks.models import FeedItem, FetchResult
from tasks.processing import ChunkResult, process_chunk
from tasks.tagging import Tagger

Page = tuple[FeedItem, FetchResult]
T = TypeVar("T")
R = TypeVar("R")


@lru_cache(maxsize=4)
def gazetteer_and_tagger(entities: GazetteerFile | None) -> tuple[Gazetteer, Tagger]:
    """One gazetteer and tagger per process (flow process or Dask worker) and gazetteer text:
    Kiwi is costly to build and must be warmed once."""
    gazetteer = load_gazetteer(entities)
    return gazetteer, Tagger(gazetteer)


def gazetteer_file(settings: Settings) -> GazetteerFile | None:
    """The settings' gazetteer as text to ship to workers (None: the packaged one)."""
    return GazetteerFile.read(settings.entities) if settings.entities else None


def gazetteer_and_tagger_for(settings: Settings) -> tuple[Gazetteer, Tagger]:
    """This process's gazetteer and tagger for the settings' gazetteer file (cached by text)."""
    return gazetteer_and_tagger(gazetteer_file(settings))


@task(name="process-chunk", task_run_name="extract+tag chunk {index}", cache_policy=NO_CACHE)
def extract_and_tag(
    index: int, pages: Sequence[Page], entities: GazetteerFile | None
) -> ChunkResult:
    """Extract, fingerprint and tag one chunk of fetched pages, wherever the runner puts it."""
    return process_chunk(pages, gazetteer_and_tagger(entities)[1])


def task_runner_for(settings: Settings) -> TaskRunner[Any]:
    """The (not yet started) Prefect task runner the settings ask for."""
    if settings.task_runner == "dask":
        from prefect_dask.task_runners import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": max(1, settings.dask_workers),
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
                "silence_logs": logging.ERROR,  # not the cluster's INFO chatter on the console
            }
        )
    # One thread by default (NEWSMON_THREADS): the stage is GIL-bound Python, and two threads on
    # 2 cores measured 1.26x the CPU of one for no wall-time gain (GIL hand-offs), 400 articles,
    # bench/prefect_bench.py overhead; processes (dask) are the way to use more cores.
    return ThreadPoolTaskRunner(max_workers=settings.threads)


@contextmanager
def _api_reachable_from_workers(settings: Settings) -> Iterator[None]:
    """Dask workers run their task runs against the Prefect API named in the context Prefect
    ships with each task. Under the ephemeral API that name is empty, and every worker would
    start a temporary server of its own (seconds each, on a busy machine tens); so the flow
    process's actual API address is pinned in the settings for the stage's duration."""
    context = FlowRunContext.get()
    if settings.task_runner != "dask" or PREFECT_API_URL.value() or context is None:
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: str(context.client.api_url)}):
        yield


@contextmanager
def _quiet_dask(settings: Settings) -> Iterator[None]:
    """No Dask chatter on the console while the stage runs on a cluster: the scheduler's INFO
    lines as the local cluster closes, and a "Sending large graph" warning per chunk (each
    chunk's page bytes go once to one worker by design: that is the stage's input)."""
    if settings.task_runner != "dask":
        yield
        return
    import distributed  # noqa: F401  (creates its loggers; LocalCluster resets only the parent)

    names = ["distributed"] + [
        n for n in logging.root.manager.loggerDict if n.startswith("distributed.")
    ]
    levels = {name: logging.getLogger(name).level for name in names}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        for name in names:
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            yield
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)


def run_chunks(
    settings: Settings,
    chunks: Sequence[Sequence[Page]],
    on_done: Callable[[int], None] = lambda _n: None,
) -> list[ChunkResult]:
    """Run ``extract_and_tag`` over every chunk on the configured runner; results in chunk order.

    ``on_done`` gets each chunk's page count as its result arrives (in order), for progress.
    """
    if not chunks:
        return []
    entities = gazetteer_file(settings)
    results: list[ChunkResult] = []
    with (
        _api_reachable_from_workers(settings),
        _quiet_dask(settings),
        task_runner_for(settings) as runner,
    ):
        futures = [
            runner.submit(extract_and_tag, {"index": i, "pages": chunk, "entities": entities})
            for i, chunk in enumerate(chunks)
        ]
        for future, chunk in zip(futures, chunks, strict=True):
            results.append(future.result())
            on_done(len(chunk))
    return results


@contextmanager
def cpu_map(
    settings: Settings | None,
) -> Iterator[Callable[[Callable[[T], R], Sequence[T]], list[R]]]:
    """A ``map`` for CPU work outside a Prefect flow (``newsmon reprocess``), on the same runner
    settings: in this process with ``threads`` (or no settings), on the Dask cluster with ``dask``.

    Outside a flow there is no flow run to attach Prefect task runs to, so with Dask the items
    are plain Dask futures on the runner's client (no Prefect API needed). ``fn`` must be a
    module-level function of picklable values; results come back in input order.
    """
    if settings is None or settings.task_runner != "dask":
        yield lambda fn, items: [fn(item) for item in items]
        return
    runner = task_runner_for(settings)
    with runner:
        client = runner.client  # type: ignore[attr-defined]

        def dask_map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
            futures = client.map(fn, list(items), pure=False)
            return list(client.gather(futures))

        yield dask_map
