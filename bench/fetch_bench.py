"""Fetching measured as ratios: incremental re-runs, politeness under latency, real feeds.

Run from the repository root::

    uv run python bench/fetch_bench.py [--pages 500] [--hosts 20] [--latency-ms 100]

1. Re-run: the monitor twice over the unchanged demo site; bodies re-downloaded on the second run
   (goal 0: feeds answer 304, stored articles are never fetched) and its wall time as a ratio of
   the first run's.
2. Latency: ``--pages`` pages spread over ``--hosts`` loopback hosts (127.0.0.1, 127.0.0.2, …) whose
   server waits ``--latency-ms`` per request, fetched with a per-host limit of 2; wall time as a
   ratio of the ideal (pages per host ÷ 2 × latency).
3. Real feeds: every file of ../shared/corpus/feeds (read at run time, never copied) through
   newsmon's feed parser: items found per file, or the reason it was refused.
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")

from rich.console import Console
from rich.table import Table

from demo.newsite import NewsSite
from flows.monitor import run_monitor
from flows.settings import Settings
from tasks.feeds import FeedError, parse_feed
from tasks.fetching import Fetcher, FetchPolicy, FetchRequest
from tasks.models import Source

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/feeds"
console = Console()


def rerun_ratio() -> Table:
    table = Table(title="1. second run over unchanged sources (demo site)")
    for column in ("run", "wall s", "article bodies fetched", "feed bodies (bytes)", "ratio"):
        table.add_column(column, justify="right")
    with NewsSite() as site, tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.toml"
        sources.write_text(site.render_sources_toml(), encoding="utf-8")
        settings = Settings(
            db=Path(tmp) / "bench.duckdb",
            sources=sources,
            allow_private_networks=True,
            min_host_interval_s=0,
        )
        warm = Settings(**{**settings.model_dump(), "db": Path(tmp) / "warm.duckdb"})
        asyncio.run(run_monitor(warm, send_alerts=False))  # Prefect's local API, Kiwi, caches
        times: list[float] = []
        for label in ("first", "second"):
            site.clear_requests()
            start = time.perf_counter()
            report = asyncio.run(run_monitor(settings, send_alerts=False))
            times.append(time.perf_counter() - start)
            feed_bytes = sum(
                len(site.content(r.path))
                for r in site.request_log
                if r.path.startswith("/feeds/") and r.method == "GET"
            )
            not_modified = [r for r in site.request_log if r.path.startswith("/feeds/")]
            table.add_row(
                label,
                f"{times[-1]:.2f}",
                str(report.pages_fetched),
                f"{feed_bytes if label == 'first' else 0} ({len(not_modified)} requests)",
                f"{times[-1] / times[0]:.2f}×",
            )
    return table


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real news sites do
    latency_s = 0.1
    body = b"<html><body>" + b"x" * 2000 + b"</body></html>"

    def do_GET(self) -> None:
        time.sleep(self.latency_s)
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        return None


def _serve_slow(count: int, latency_s: float, ports: Queue[list[int]], stop: Event) -> None:
    _SlowHandler.latency_s = latency_s
    servers = []
    for index in range(count):
        server = http.server.ThreadingHTTPServer((f"127.0.0.{index + 1}", 0), _SlowHandler)
        server.daemon_threads = True
        server.request_queue_size = 128
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    ports.put([int(s.server_address[1]) for s in servers])
    stop.wait()


@contextmanager
def slow_hosts(count: int, latency_s: float) -> Iterator[list[str]]:
    """``count`` slow servers on 127.0.0.1 … 127.0.0.N, in another process so that serving does
    not compete with the client for this process's GIL."""
    ctx = multiprocessing.get_context("spawn")
    ports: Queue[list[int]] = ctx.Queue()
    stop = ctx.Event()
    process = ctx.Process(target=_serve_slow, args=(count, latency_s, ports, stop), daemon=True)
    process.start()
    try:
        found = ports.get(timeout=30)
        yield [f"http://127.0.0.{i + 1}:{port}" for i, port in enumerate(found)]
    finally:
        stop.set()
        process.join(10)


def latency_ratio(pages: int, hosts: int, latency_ms: int) -> Table:
    latency = latency_ms / 1000
    with slow_hosts(hosts, latency) as bases:
        requests = [FetchRequest(f"{bases[i % hosts]}/a/{i}", "bench") for i in range(pages)]
        policy = FetchPolicy(
            user_agent="newsmon-bench",
            allow_private_networks=True,
            per_host_concurrency=2,
            global_concurrency=2 * hosts,
            respect_robots=False,
        )

        async def go() -> tuple[float, int]:
            async with Fetcher(policy) as fetcher:
                start = time.perf_counter()
                results = await fetcher.fetch_many(requests)
                return time.perf_counter() - start, sum(1 for r in results if r.ok)

        wall, ok = asyncio.run(go())
    ideal = (pages / hosts) / 2 * latency
    table = Table(title=f"2. {pages} pages on {hosts} hosts, {latency_ms} ms latency, 2 per host")
    for column in ("pages ok", "wall s", "ideal s", "ratio to ideal"):
        table.add_column(column, justify="right")
    table.add_row(str(ok), f"{wall:.2f}", f"{ideal:.2f}", f"{wall / ideal:.2f}×")
    return table


def real_feeds() -> Table:
    table = Table(title="3. real feeds in ../shared/corpus/feeds")
    for column in ("file", "items", "with date", "note"):
        table.add_column(column, justify="right" if column != "file" else "left")
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xml", ".rss", ".atom"))
    for path in files:
        source = Source(path.stem, f"https://feeds.example/{path.name}", "auto", "ko")
        try:
            parsed = parse_feed(path.read_bytes(), source)
        except FeedError as exc:
            table.add_row(str(path.relative_to(CORPUS)), "0", "0", f"refused: {exc}"[:60])
            continue
        dated = sum(1 for i in parsed.items if i.published_at)
        note = (parsed.warning or "")[:60]
        table.add_row(str(path.relative_to(CORPUS)), str(len(parsed.items)), str(dated), note)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description="fetching benchmarks (ratios)")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    console.print(rerun_ratio())
    console.print(latency_ratio(args.pages, args.hosts, args.latency_ms))
    if CORPUS.is_dir():
        console.print(real_feeds())
    else:
        console.print(f"skipped real feeds: {CORPUS} not found")


if __name__ == "__main__":
    main()
