"""What Prefect and the task runner cost the monitor, as ratios measured in the same run.

Run from the repository root (each section can be run alone; ``memory`` is the longest)::

    uv run python bench/prefect_bench.py [overhead] [throughput] [startup] [memory]
        [--articles 1000] [--memory-articles 10000] [--runs 100]

Pages are served by a synthetic site in another process (no added latency): the demo site's
pages and, when present, the real pages of ``../shared/corpus/extraction`` (read at run time,
never copied), repeated under distinct URLs with a distinct reference number in the first
paragraph (so dedupe sees near-duplicates, not exact copies: more work than real traffic).

1. overhead: the monitor flow (Prefect, default thread runner) vs the same ``run_monitor`` with
   every Prefect task replaced by its plain function and no run artifact, over ``--articles``
   fresh articles each, in this process. Goal ≤ 1.10×.
2. throughput: articles/s end to end (same runs) vs ``trafilatura.bare_extraction`` alone on the
   same page bytes, per CPU-second of this process (goal ≥ 0.8), trafilatura as shipped (its own
   XPath prune rules, not ``tasks.prune_rules``, which newsmon installs; a row shows
   bare_extraction with them for scale); the fetch stage alone (newsmon's
   Fetcher, and a plain httpx client for scale) over the same pages; then the flow with
   ``NEWSMON_TASK_RUNNER=dask`` on a LocalCluster of 1 and of 2 worker processes.
3. startup: ``newsmon run`` as a subprocess, on an empty source list and on one source: wall
   time, and time from the command's start to the site's first request (goal ≤ 5 s), with
   Prefect's ephemeral API vs a running ``prefect server start``; plus what the ephemeral start
   spends its time on.
4. memory: peak RSS of one ``--memory-articles`` run (in a child process), and RSS over
   ``--runs`` consecutive in-process monitor runs with 10 new articles each (goal: flat within a
   few MB).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.server
import multiprocessing
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, ClassVar
from unittest.mock import patch
from xml.sax.saxutils import escape

from rich.console import Console
from rich.table import Table

for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}.items():
    os.environ.setdefault(_key, _value)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared/corpus/extraction/html"
SOURCES = 10
console = Console(width=150)


def page_blobs() -> list[tuple[bytes, str]]:
    """(HTML bytes, content type) of every page the synthetic site repeats."""
    from demo.manifest import load_manifest, read_content

    blobs = [
        (read_content(p.file), p.header_content_type)
        for p in load_manifest().pages
        if p.header_content_type.startswith("text/html")
    ]
    if CORPUS.is_dir():
        blobs += [
            (gzip.decompress(p.read_bytes()), "text/html") for p in sorted(CORPUS.glob("*.gz"))
        ]
    return blobs


_FIRST_P = re.compile(rb"<p(\s[^>]*)?>", re.I)


def article_bytes(blobs: list[tuple[bytes, str]], index: int) -> tuple[bytes, str]:
    """Page ``index``: a repeated page with a reference number that makes its body distinct."""
    body, ctype = blobs[index % len(blobs)]
    marked = _FIRST_P.sub(lambda m: m.group(0) + f"Ref {index}. ".encode(), body, count=1)
    return marked, ctype


class _Site(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    blobs: ClassVar[list[tuple[bytes, str]]] = []
    limit: Synchronized[int]
    first_hit: Synchronized[float]
    per_source = 100
    base = ""

    def log_message(self, *args: object) -> None:
        return None

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        with self.first_hit.get_lock():
            if not self.first_hit.value:
                self.first_hit.value = time.time()
        if self.path.startswith("/feeds/"):
            self._send(200, self._feed(int(self.path.split("/")[2].split(".")[0])), "text/xml")
        elif self.path.startswith("/a/"):
            index = int(self.path.split("/")[2].split(".")[0])
            self._send(200, *article_bytes(self.blobs, index))
        else:
            self._send(404, b"not found", "text/plain")

    def _feed(self, source: int) -> bytes:
        """The newest ``per_source`` articles of this source below the site's current limit."""
        mine = list(range(source, self.limit.value, SOURCES))[-self.per_source :]
        now = datetime.now(UTC)
        items = "".join(
            f"<item><title>Article {i}</title><link>{self.base}/a/{i}.html</link>"
            f"<guid>{self.base}/a/{i}.html</guid>"
            f"<pubDate>{format_datetime(now - timedelta(minutes=i % 600))}</pubDate></item>"
            for i in reversed(mine)
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>bench {source}</title><link>{escape(self.base)}/</link>"
            f"<description>bench</description>{items}</channel></rss>"
        ).encode()


def _serve(
    per_source: int,
    limit: Synchronized[int],
    first_hit: Synchronized[float],
    ports: Any,
    stop: Any,
) -> None:
    _Site.blobs = page_blobs()
    _Site.limit, _Site.first_hit, _Site.per_source = limit, first_hit, per_source
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    server.request_queue_size = 256
    _Site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ports.put(int(server.server_address[1]))
    stop.wait()


class SyntheticSite:
    """The site in a spawned process (serving must not take this process's GIL); ``limit``
    is how many articles exist, ``first_hit`` the wall-clock time of the first request."""

    def __init__(self, articles: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.limit: Synchronized[int] = ctx.Value("l", articles)
        self.first_hit: Synchronized[float] = ctx.Value("d", 0.0)
        self._ports: Any = ctx.Queue()
        self._stop = ctx.Event()
        per_source = max(1, -(-articles // SOURCES))
        self._process = ctx.Process(
            target=_serve,
            args=(per_source, self.limit, self.first_hit, self._ports, self._stop),
            daemon=True,
        )
        self.base = ""

    def __enter__(self) -> SyntheticSite:
        self._process.start()
        self.base = f"http://127.0.0.1:{self._ports.get(timeout=120)}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(10)

    def sources_toml(self, path: Path, count: int = SOURCES) -> Path:
        path.write_text(
            "".join(
                f'[[sources]]\nname = "bench-{s}"\nurl = "{self.base}/feeds/{s}.rss"\n'
                f'kind = "rss"\nlang = "en"\ngroup = "bench"\n\n'
                for s in range(count)
            ),
            encoding="utf-8",
        )
        return path


def bench_env(per_source: int) -> dict[str, str]:
    """Settings for a run against the synthetic site: private network, no politeness waits
    (one host serves everything), no alert channel."""
    return {
        "NEWSMON_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSMON_MIN_HOST_INTERVAL_S": "0",
        "NEWSMON_PER_HOST_CONCURRENCY": "16",
        "NEWSMON_RESPECT_ROBOTS": "false",
        "NEWSMON_MAX_ITEMS_PER_SOURCE": str(per_source),
        "NEWSMON_ALERT_URLS": "",
        "NEWSMON_ALERT_CHANNELS": "",
    }


def environ(values: dict[str, str]) -> Any:
    """The environment with ``values`` set, restored afterwards."""
    return patch.dict(os.environ, values)


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def flow_run(sources: Path, db: Path) -> Any:
    from flows.monitor import RunReport, monitor_flow

    state: Any = asyncio.run(
        monitor_flow(  # type: ignore[arg-type]
            sources=str(sources), db=str(db), send_alerts=False, return_state=True
        )
    )
    result = state.result(raise_on_failure=False)
    assert state.is_completed() and isinstance(result, RunReport), state.message
    return result


@contextmanager
def without_prefect() -> Iterator[None]:
    """``run_monitor`` with each Prefect task swapped for its plain function, the CPU stage
    called chunk by chunk in this thread, and no run artifact: the same stage code, no Prefect."""
    import flows.monitor as monitor
    from flows.runner import gazetteer_and_tagger_for
    from tasks.prefect_tasks import discover_source, fetch_pages
    from tasks.processing import process_chunk

    def direct_chunks(settings: Any, chunks: Any, on_done: Callable[[int], None]) -> list[Any]:
        tagger = gazetteer_and_tagger_for(settings)[1]
        return [process_chunk(chunk, tagger) for chunk in chunks]

    async def no_artifact(*_args: object) -> None:
        return None

    swaps = {
        "discover_source": discover_source.fn,
        "fetch_pages": fetch_pages.fn,
        "run_chunks": direct_chunks,
        "_publish_summary": no_artifact,
    }
    saved = {name: getattr(monitor, name) for name in swaps}
    for name, value in swaps.items():
        setattr(monitor, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(monitor, name, value)


def direct_run(sources: Path, db: Path) -> Any:
    from flows.monitor import run_monitor
    from flows.settings import Settings

    with without_prefect():
        return asyncio.run(run_monitor(Settings(sources=sources, db=db), send_alerts=False))


def fetch_with_fetcher(urls: list[str]) -> None:
    """The pages through newsmon's Fetcher alone, with the bench's settings (the flow's fetch
    stage without discovery, extraction or loading): its share of the end-to-end CPU."""
    from flows.settings import Settings
    from tasks.fetching import Fetcher, FetchRequest

    async def fetch() -> None:
        async with Fetcher(Settings().fetch_policy()) as fetcher:
            results = await fetcher.fetch_many([FetchRequest(u, "bench") for u in urls])
            assert all(r.ok for r in results)

    asyncio.run(fetch())


def fetch_with_httpx(urls: list[str]) -> None:
    """The same pages with a plain ``httpx.AsyncClient`` at the same concurrency: what the HTTP
    client costs before newsmon's limits, guards, retries and body caps."""
    import httpx

    async def fetch() -> None:
        limit = asyncio.Semaphore(16)
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16)) as client:

            async def one(url: str) -> None:
                async with limit:
                    (await client.get(url)).raise_for_status()

            await asyncio.gather(*(one(u) for u in urls))

    asyncio.run(fetch())


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """(wall s, CPU s of this process, result of ``fn(*args)``)."""
    wall, cpu = time.perf_counter(), cpu_s()
    result = fn(*args)
    return time.perf_counter() - wall, cpu_s() - cpu, result


def overhead_and_throughput(articles: int, sections: set[str]) -> None:
    import trafilatura

    per_source = -(-articles // SOURCES)
    with SyntheticSite(articles) as site, environ(bench_env(per_source)):
        tmp = Path(tempfile.mkdtemp(prefix="prefect-bench-"))
        sources = site.sources_toml(tmp / "sources.toml")
        site.limit.value = 40
        flow_run(sources, tmp / "warm.duckdb")  # ephemeral API, Kiwi, caches: not timed
        site.limit.value = articles
        runs: dict[str, list[tuple[float, float]]] = {"direct": [], "flow": []}
        for rep in range(2):
            for label, fn in (("direct", direct_run), ("flow", flow_run)):
                wall, cpu, report = timed(fn, sources, tmp / f"{label}{rep}.duckdb")
                assert report.articles_new == articles, (label, report.articles_new)
                runs[label].append((wall, cpu))
        direct = min(runs["direct"])
        flow = min(runs["flow"])
        if "overhead" in sections:
            table = Table(title=f"1. Prefect overhead: {articles} served articles, fresh database")
            columns = ("variant", "wall s (each run)", "best wall s", "wall ratio")
            for column in (*columns, "CPU s (least)", "CPU ratio"):
                table.add_column(column, justify="right" if column != "variant" else "left")
            least = {k: min(c for _, c in v) for k, v in runs.items()}
            for key, label in (("direct", "stages called directly"), ("flow", "monitor flow")):
                best = direct if key == "direct" else flow
                table.add_row(
                    label,
                    " / ".join(f"{w:.1f}" for w, _ in runs[key]),
                    f"{best[0]:.2f}",
                    f"{best[0] / direct[0]:.3f}×",
                    f"{least[key]:.2f}",
                    f"{least[key] / least['direct']:.3f}×",
                )
            console.print(table)
            console.print(
                "CPU: this process only; the temporary Prefect API runs in a child process "
                "(its CPU is not counted, its latency is in the wall time)"
            )
        if "throughput" not in sections:
            return
        blobs = page_blobs()
        pages = [article_bytes(blobs, i)[0] for i in range(articles)]
        from tasks.prune_rules import stock_trafilatura

        def bare() -> None:
            for page in pages:
                trafilatura.bare_extraction(page, with_metadata=True)

        with stock_trafilatura():  # the baseline is trafilatura as shipped
            wall, cpu, _ = timed(bare)
        rows = [("trafilatura.bare_extraction alone", wall, cpu, 1)]
        rows.append(("monitor flow, threads (end to end)", *flow, 1))
        ruled = ("for scale: bare_extraction with newsmon's prune rules", *timed(bare)[:2], 1)
        urls = [f"{site.base}/a/{i}.html" for i in range(articles)]
        fetch_rows = [
            ("of which: fetching alone (newsmon Fetcher)", *timed(fetch_with_fetcher, urls)[:2], 1),
            ("for scale: plain httpx.AsyncClient.get", *timed(fetch_with_httpx, urls)[:2], 1),
        ]
        for workers in (1, 2):
            with environ({"NEWSMON_TASK_RUNNER": "dask", "NEWSMON_DASK_WORKERS": str(workers)}):
                w, c, report = timed(flow_run, sources, tmp / f"dask{workers}.duckdb")
                assert report.articles_new == articles
            rows.append(
                (f"monitor flow, dask LocalCluster × {workers} (end to end)", w, c, workers)
            )
        shutil.rmtree(tmp, ignore_errors=True)
    table = Table(
        title=f"2. throughput over {articles} articles (load avg {os.getloadavg()[0]:.1f})"
    )
    for column in ("what", "wall s", "articles/s", "flow-process CPU s", "articles/CPU-s", "ratio"):
        table.add_column(column, justify="right" if column != "what" else "left")
    base_rate = articles / rows[0][2]
    rows[2:2] = [*fetch_rows, ruled]
    rated = {rows[0][0], rows[1][0]}  # trafilatura alone and the flow on threads
    for label, wall, cpu, _workers in rows:
        table.add_row(
            label,
            f"{wall:.2f}",
            f"{articles / wall:.1f}",
            f"{cpu:.2f}",
            f"{articles / cpu:.1f}",
            f"{(articles / cpu) / base_rate:.2f}" if label in rated else "-",
        )
    console.print(table)
    console.print(
        f"fetching alone: {fetch_rows[0][2]:.2f} CPU s = {fetch_rows[0][2] / rows[0][2]:.3f}× "
        f"trafilatura alone's CPU (plain httpx: {fetch_rows[1][2]:.2f} s)"
    )
    console.print(
        "ratio: articles per CPU-second of the flow process vs trafilatura alone (goal ≥ 0.8); "
        "with dask the CPU work is in the workers, so compare wall times (1 → 2 processes): "
        f"{rows[5][1] / rows[6][1]:.2f}× faster with 2"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prefect_server() -> Iterator[str]:
    """A real ``prefect server start`` on a free port with a throwaway SQLite database."""
    home = Path(tempfile.mkdtemp(prefix="prefect-home-"))
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_UI_ENABLED": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        import httpx

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError("prefect server did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(home, ignore_errors=True)


def cli_run(
    sources: Path, db: Path, site: SyntheticSite, extra: dict[str, str]
) -> tuple[float, float]:
    """(wall s of ``newsmon run``, s from its start to the site's first request or nan).

    An empty source list is refused inside the flow run (exit 1, "no [[sources]] entries"):
    Prefect's start-up and the flow run are paid all the same, which is what is timed."""
    site.first_hit.value = 0.0
    env = {**os.environ, **extra}
    started = time.time()
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "newsmon"),
            "run",
            "--sources",
            str(sources),
            "--db",
            str(db),
            "--no-alerts",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.time() - started
    expected = "no [[sources]]" in done.stderr if sources.stem == "empty" else not done.returncode
    assert expected, done.stderr[-2000:]
    first = site.first_hit.value - started if site.first_hit.value else float("nan")
    return wall, first


def _python_s(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


def startup(reps: int) -> None:
    setups = {"Prefect's temporary (ephemeral) API": {"PREFECT_API_URL": ""}}
    rows: list[tuple[str, float, float]] = []
    with SyntheticSite(20) as site, environ(bench_env(2)):
        tmp = Path(tempfile.mkdtemp(prefix="prefect-bench-"))
        empty = tmp / "empty.toml"
        empty.write_text("# no sources\n", encoding="utf-8")
        one = site.sources_toml(tmp / "one.toml", count=1)

        def measure(label: str, extra: dict[str, str]) -> None:
            for n in range(reps):
                for kind, path in (("empty source list", empty), ("one source", one)):
                    db = tmp / f"{len(rows)}-{n}.duckdb"
                    rows.append((f"{label}, {kind}", *cli_run(path, db, site, extra)))

        for label, extra in setups.items():
            measure(label, extra)
        with prefect_server() as url:
            measure("running `prefect server start` (PREFECT_API_URL)", {"PREFECT_API_URL": url})
        shutil.rmtree(tmp, ignore_errors=True)
    table = Table(title=f"3. start-up of `newsmon run` (load avg {os.getloadavg()[0]:.1f})")
    for column in ("set-up", "wall s", "first request after s"):
        table.add_column(column, justify="right" if column != "set-up" else "left")
    for label, wall, first in rows:
        table.add_row(label, f"{wall:.2f}", "-" if first != first else f"{first:.2f}")
    console.print(table)
    parts = Table(title="where the ephemeral start goes (fresh interpreters)")
    for column in ("step", "s"):
        parts.add_column(column, justify="right" if column == "s" else "left")
    parts.add_row("python -c pass", f"{_python_s('pass'):.2f}")
    parts.add_row(
        "import flows.cli + flows.monitor (newsmon's own)",
        f"{_python_s('import flows.cli, flows.monitor'):.2f}",
    )
    parts.add_row(
        "import prefect.server.api.server (the API app)",
        f"{_python_s('import prefect.server.api.server'):.2f}",
    )
    start = (
        "from prefect.server.api.server import SubprocessASGIServer as S;import time;"
        "t=time.perf_counter();s=S();s.start();print(time.perf_counter()-t);s.stop()"
    )
    out = subprocess.run([sys.executable, "-c", start], cwd=ROOT, capture_output=True, text=True)
    parts.add_row(
        "SubprocessASGIServer.start() (its uvicorn child: import, migrations, lifespan)",
        out.stdout.strip()[:6] or out.stderr[-200:],
    )
    console.print(parts)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_child(mode: str, articles: int, runs: int) -> None:
    """Runs in a child process so its peak RSS is the run's alone."""
    per_source = -(-articles // SOURCES) if mode == "peak" else 10
    with (
        SyntheticSite(articles if mode == "peak" else 10 * (runs + 1)) as site,
        environ(bench_env(per_source)),
    ):
        tmp = Path(tempfile.mkdtemp(prefix="prefect-bench-"))
        sources = site.sources_toml(tmp / "sources.toml")
        if mode == "peak":
            wall, _cpu, report = timed(flow_run, sources, tmp / "peak.duckdb")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"RESULT peak {report.articles_new} {wall:.1f} {peak:.1f}")
        else:
            samples: list[float] = []
            for run in range(1, runs + 1):
                site.limit.value = 10 * run
                flow_run(sources, tmp / "runs.duckdb")
                samples.append(rss_mb())
            print("RESULT runs " + " ".join(f"{s:.1f}" for s in samples))
        shutil.rmtree(tmp, ignore_errors=True)


def memory(articles: int, runs: int) -> None:
    def child(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, __file__, "_memory-child", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
        assert line, done.stderr[-3000:]
        return line.split()[2:]

    n, wall, peak = child("peak", str(articles), "0")
    samples = [float(x) for x in child("runs", "0", str(runs))]
    table = Table(title="4. memory (RSS of the flow process; the Prefect API child not counted)")
    for column in ("what", "MB"):
        table.add_column(column, justify="right" if column == "MB" else "left")
    table.add_row(f"peak RSS, one run of {n} new articles ({wall} s)", peak)
    marks = sorted({1, 10, min(50, runs), runs})
    for mark in marks:
        table.add_row(
            f"RSS after run {mark} of {runs} (10 new articles each)", f"{samples[mark - 1]:.1f}"
        )
    base = samples[min(10, runs) - 1]
    table.add_row(f"growth from run {min(10, runs)} to run {runs}", f"{samples[-1] - base:+.1f}")
    console.print(table)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_memory-child":
        memory_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "sections", nargs="*", default=["overhead", "throughput", "startup", "memory"]
    )
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--memory-articles", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--reps", type=int, default=1, help="start-up runs per set-up")
    args = parser.parse_args()
    sections = set(args.sections)
    console.print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
    if sections & {"overhead", "throughput"}:
        overhead_and_throughput(args.articles, sections)
    if "startup" in sections:
        startup(args.reps)
    if "memory" in sections:
        memory(args.memory_articles, args.runs)


if __name__ == "__main__":
    main()
