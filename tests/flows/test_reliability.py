"""Crash, concurrency and disk-full behaviour of ``newsmon run`` as a real subprocess.

The short versions of ``bench/kill_test.py`` (which runs 20+ random kills): children share the
session's Prefect API, so each run costs a few seconds rather than a Prefect server start.
"""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect.settings import PREFECT_API_URL

from bench.kill_test import Harness, Snapshot, kill_trial, snapshot
from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    with NewsSite() as site, WebhookReceiver() as receiver:
        yield Harness(site, receiver, str(PREFECT_API_URL.value()), tmp_path_factory.mktemp("rel"))


@pytest.fixture(scope="module")
def base(harness: Harness) -> tuple[Snapshot, Path]:
    """One uninterrupted run: what every crashed-and-rerun database must equal."""
    db = harness.root / "baseline.duckdb"
    code, err = harness.run(db)
    assert code == 0, err
    return snapshot(db), db


def _cli(h: Harness, *args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args],
        env={**h.env, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_killed_while_delivering_alerts_sends_each_at_most_twice(
    harness: Harness, base: tuple[Snapshot, Path]
) -> None:
    """Killed once the first alert is out: articles, stories, mentions and validators are
    committed, the rest of the outbox is not delivered yet (random kill points: the bench)."""
    trial = kill_trial(harness, base[0], 1, 30.0, when=lambda: bool(harness.receiver.messages))
    assert trial.killed
    assert trial.problems == []  # includes: every alert delivered, none more than twice
    assert trial.duplicates <= 1  # only the alert in flight at the kill can be sent again


def test_second_run_on_the_same_database_is_refused_by_name_and_sql_still_answers(
    harness: Harness, base: tuple[Snapshot, Path], tmp_path: Path
) -> None:
    db = tmp_path / "busy.duckdb"
    shutil.copy(base[1], db)
    harness.site.set_fault("/feeds/ko.rss", "timeout", seconds=4)  # keeps the winner busy
    args = ("run", "--sources", str(harness.sources), "--db", str(db))
    try:
        runs = [_cli(harness, *args, NEWSMON_RUN_LOCK_WAIT_S="0.5") for _ in range(2)]
        lock = db.with_name(db.name + ".lock")
        deadline = time.monotonic() + 30
        while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        reader = _cli(harness, "sql", "SELECT count(*) FROM articles", "--db", str(db), "-f", "csv")
        errors = [r.communicate(timeout=60)[1].decode() for r in runs]
        out_sql, err_sql = reader.communicate(timeout=60)
    finally:
        harness.site.clear_faults()
    codes = [r.returncode for r in runs]
    assert sorted(codes) == [0, 3], errors
    winner, loser = (runs[0], errors[1]) if codes[0] == 0 else (runs[1], errors[0])
    message = " ".join(loser.split())
    assert f"database {db} is in use by run" in message, message
    assert f"(process {winner.pid})" in message
    assert "Traceback" not in loser
    # the reader either answers or says the writer holds the file (exit 3), never a traceback
    assert reader.returncode in (0, 3), err_sql.decode()
    assert "Traceback" not in err_sql.decode()
    if reader.returncode == 0:
        assert out_sql.decode().split()[-1] == str(len(base[0].articles))
    after = snapshot(db)
    assert (after.articles, after.migrations) == (base[0].articles, base[0].migrations)


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_disk_full_fails_cleanly_and_keeps_the_previous_data(
    harness: Harness, base: tuple[Snapshot, Path], tmp_path: Path
) -> None:
    db = tmp_path / "full.duckdb"
    shutil.copy(base[1], db)
    before = snapshot(db)
    harness.site.publish(
        "/news/disk-full-1.html",
        "<html><body><article><h1>SK텔레콤 새 소식</h1>"
        + "<p>SK텔레콤은 새 AI 서비스를 발표했다. 이 문단은 채우기용 문장이다.</p>" * 400
        + "</article></body></html>",
        title="SK텔레콤 새 소식",
    )
    limit = 16_384  # the write-ahead log of the new article cannot fit; the file cannot grow
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--db", str(db), "--sources", harness.sources],
        env=harness.env,
        capture_output=True,
        preexec_fn=lambda: _limit_file_size(limit),
        timeout=120,
    )
    err = proc.stderr.decode()
    assert proc.returncode == 1, err[-3000:]  # an exit code, not a signal
    assert "Traceback" not in err, err[-3000:]
    after = snapshot(db)  # opens and reads without the limit
    assert after.articles == before.articles
    assert after.migrations == before.migrations
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM mentions").fetchall()[0][0] == len(before.mentions)
    finally:
        con.close()
