"""The CPU stage on real Dask clusters gives the same database as the default thread runner.

The monitor flow runs twice against the local news site into two fresh DuckDB files, once on
threads and once on a 2-worker ``LocalCluster`` that the runner creates itself
(``NEWSMON_TASK_RUNNER=dask``); every stored row is compared (run ids and wall-clock times aside).
Then ``reprocess`` repairs a damaged article on a cluster reached by address
(``NEWSMON_DASK_ADDRESS``) and the database is again row for row the thread runner's. Last, a
cluster started apart (``dask scheduler`` and ``dask worker`` processes in another directory, as
on another machine) tags with the writer's own gazetteer file, which the workers cannot open.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from distributed import LocalCluster

from demo.newsite import NewsSite
from flows.reprocess import reprocess
from flows.runner import gazetteer_and_tagger
from flows.settings import Settings
from tests.flows.conftest import BLIND_GAZETTEER, run_flow

pytestmark = pytest.mark.dask

COMPARED = (
    "articles",
    "article_signatures",
    "stories",
    "mentions",
    "relation_candidates",
    "alerts",
)
Contents = dict[str, list[tuple[object, ...]]]


def _kept(column: str) -> bool:
    """Columns that must match between two runs: not run ids, not the clock (publication dates
    come from the pages, so they stay)."""
    if column in {"run_id", "alert_id", "attempts", "last_error"}:
        return False
    return not column.endswith("_at") or "published" in column


def _contents(db: Path) -> Contents:
    con = duckdb.connect(str(db), read_only=True)
    try:
        contents: Contents = {}
        for table in COMPARED:
            names = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description or []]
            columns = ", ".join(f'"{n}"' for n in names if _kept(n))
            contents[table] = con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()
    return contents


@pytest.mark.usefixtures("local_env")
def test_dask_runners_write_the_same_database_as_threads(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.render_sources_toml(), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CHUNK_SIZE", "4")  # several chunks, so both workers get some
    threads_db, dask_db = tmp_path / "threads.duckdb", tmp_path / "dask.duckdb"
    assert run_flow(sources, threads_db).is_completed()
    monkeypatch.setenv("NEWSMON_TASK_RUNNER", "dask")
    monkeypatch.setenv("NEWSMON_DASK_WORKERS", "2")
    state = run_flow(sources, dask_db)
    assert state.is_completed(), state.message

    threads = _contents(threads_db)
    assert threads["articles"], "the site served no article: the comparison would be empty"
    assert threads["mentions"] and threads["alerts"]
    dask = _contents(dask_db)
    for table in COMPARED:
        assert dask[table] == threads[table], table

    # reprocess on a cluster reached by address repairs a damaged article in place
    con = duckdb.connect(str(dask_db))
    try:
        victim = con.execute("SELECT min(article_id) FROM mentions").fetchall()[0][0]
        con.execute("UPDATE articles SET body = 'stale' WHERE article_id = ?", [victim]).fetchall()
        con.execute("DELETE FROM mentions WHERE article_id = ?", [victim]).fetchall()
    finally:
        con.close()
    gazetteer, tagger = gazetteer_and_tagger(None)
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        settings = Settings(task_runner="dask", dask_address=cluster.scheduler_address)
        report = reprocess(dask_db, gazetteer, tagger, settings=settings)
    assert not report.failed and report.changed_bodies == 1
    assert report.mentions_after > report.mentions_before
    assert _contents(dask_db) == threads


def _module(name: str) -> list[str]:
    return [sys.executable, "-m", f"distributed.cli.{name}"]


@contextmanager
def _cluster_apart(workdir: Path) -> Iterator[str]:
    """A Dask scheduler and one single-threaded worker as separate processes started in
    ``workdir`` (the way a cluster on other machines is started); yields the scheduler address."""
    workdir.mkdir()
    address_file = workdir / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    scheduler = subprocess.Popen(
        [*_module("dask_scheduler"), "--port", "0", "--scheduler-file", str(address_file), *common],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() or not address_file.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "dask scheduler did not start"
            assert scheduler.poll() is None, "dask scheduler exited"
            time.sleep(0.1)
        address = json.loads(address_file.read_text(encoding="utf-8"))["address"]
        worker = subprocess.Popen(
            [*_module("dask_worker"), address, "--nthreads", "1", *common],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.mark.usefixtures("local_env")
def test_cluster_started_apart_tags_with_the_writers_gazetteer(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gazetteer is named by a path relative to the writer's directory: a worker elsewhere
    could not open it, so what ships is its text (``GazetteerFile``), and the database is row
    for row the thread runner's with the same gazetteer."""
    writer_dir = tmp_path / "writer"
    writer_dir.mkdir()
    (writer_dir / "sources.toml").write_text(site.render_sources_toml(), encoding="utf-8")
    (writer_dir / "blind.toml").write_text(BLIND_GAZETTEER, encoding="utf-8")
    monkeypatch.chdir(writer_dir)
    monkeypatch.setenv("NEWSMON_ENTITIES", "blind.toml")
    monkeypatch.setenv("NEWSMON_CHUNK_SIZE", "4")
    sources = Path("sources.toml")
    assert run_flow(sources, writer_dir / "threads.duckdb").is_completed()
    with _cluster_apart(tmp_path / "elsewhere") as address:
        assert not (tmp_path / "elsewhere" / "blind.toml").exists()
        monkeypatch.setenv("NEWSMON_TASK_RUNNER", "dask")
        monkeypatch.setenv("NEWSMON_DASK_ADDRESS", address)
        state = run_flow(sources, writer_dir / "dask.duckdb")
    assert state.is_completed(), state.message

    threads = _contents(writer_dir / "threads.duckdb")
    assert threads["mentions"], "no mention at all: the comparison would say nothing"
    assert not [m for m in threads["mentions"] if "o_ran_alliance" in m]
    dask = _contents(writer_dir / "dask.duckdb")
    for table in COMPARED:
        assert dask[table] == threads[table], table
    assert os.getcwd() == str(writer_dir)
