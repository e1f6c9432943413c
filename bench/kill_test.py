"""Crash test: SIGKILL ``newsmon run`` at random points, rerun, compare with an uninterrupted run.

Run from the repository root::

    uv run python bench/kill_test.py [--trials 20] [--seed 1]

The parent serves the demo site (``demo.newsite.NewsSite``) and an alert receiver
(``demo.receiver.WebhookReceiver``) and shares one Prefect API with every child, so a child run
costs seconds rather than a Prefect server start. Each trial starts ``newsmon run`` on a fresh
database, kills its whole process group with SIGKILL after a random delay drawn over the window in
which the run talks to the site (discover, fetch, load, deliver), then reruns it to completion.

The database after the rerun must equal the uninterrupted run's: the same articles (by url_key),
stories (by their members' url_keys, since story ids are chosen at run time), mentions, alerts
(rule, entity, story members) and ``schema_migrations``; every run row must be finished or the
killed one. The receiver must have each alert at least once and at most twice (README: at least
once, and at most one duplicate after a crash between sending and marking).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver

_ARTICLES = "SELECT url_key, story_id FROM articles"
_MENTIONS = (
    "SELECT a.url_key, m.entity_id, m.field, m.start_pos, m.surface "
    "FROM mentions m JOIN articles a USING (article_id)"
)
_ALERTS = (
    "SELECT al.rule, al.entity_id, al.story_id, coalesce(a.story_id, al.story_id), al.title, "
    "al.status FROM alerts al LEFT JOIN articles a ON a.article_id = al.article_id"
)
_MIGRATIONS = "SELECT version, name FROM schema_migrations ORDER BY version"
_RUNS = "SELECT status FROM runs"


@dataclass(frozen=True)
class Snapshot:
    """What a database holds, in terms that do not depend on ids chosen at run time."""

    articles: frozenset[str]
    stories: frozenset[frozenset[str]]
    mentions: frozenset[tuple[object, ...]]
    alerts: Counter[tuple[str, str, frozenset[str]]]
    alert_status: Counter[str]
    titles: Counter[str]
    migrations: tuple[tuple[int, str], ...]
    run_status: Counter[str]


def snapshot(db: Path) -> Snapshot:
    """Read ``db`` read-only into a ``Snapshot``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        articles = con.execute(_ARTICLES).fetchall()
        mentions = con.execute(_MENTIONS).fetchall()
        alerts = con.execute(_ALERTS).fetchall()
        migrations = con.execute(_MIGRATIONS).fetchall()
        runs = con.execute(_RUNS).fetchall()
    finally:
        con.close()
    members: dict[str, set[str]] = {}
    for key, story in articles:
        members.setdefault(story, set()).add(key)
    return Snapshot(
        articles=frozenset(k for k, _ in articles),
        stories=frozenset(frozenset(v) for v in members.values()),
        mentions=frozenset(tuple(r) for r in mentions),
        alerts=Counter(
            (rule, entity, frozenset(members.get(current, {story})))
            for rule, entity, story, current, _, _ in alerts
        ),
        alert_status=Counter(r[5] for r in alerts),
        titles=Counter(r[4] for r in alerts if r[5] == "sent"),
        migrations=tuple((int(v), str(n)) for v, n in migrations),
        run_status=Counter(s for (s,) in runs),
    )


@dataclass
class Trial:
    """One kill-and-rerun and what differed from the uninterrupted run."""

    delay_s: float
    killed: bool
    rerun_exit: int
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0


class Harness:
    """The demo site, the receiver and a shared Prefect API for child ``newsmon run`` processes."""

    def __init__(self, site: NewsSite, receiver: WebhookReceiver, api_url: str, root: Path):
        self.site, self.receiver, self.root = site, receiver, root
        self.sources = root / "sources.toml"
        self.sources.write_text(site.render_sources_toml(), encoding="utf-8")
        self.env = dict(
            os.environ,
            NEWSMON_ALLOW_PRIVATE_NETWORKS="true",
            NEWSMON_MIN_HOST_INTERVAL_S="0",
            NEWSMON_TIMEOUT_S="5",
            NEWSMON_ALERT_URLS=receiver.apprise_url,
            PREFECT_API_URL=api_url,
            PREFECT_LOGGING_LEVEL="WARNING",
        )

    def start(self, db: Path) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "flows.cli", "run", "--sources", str(self.sources)]
        return subprocess.Popen(
            [*command, "--db", str(db)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: the kill reaches every child
        )

    def run(self, db: Path, timeout_s: float = 120.0) -> tuple[int, str]:
        proc = self.start(db)
        _, err = proc.communicate(timeout=timeout_s)
        return proc.returncode, err.decode("utf-8", "replace")[-2000:]


def baseline(h: Harness) -> tuple[Snapshot, float, float]:
    """The uninterrupted run: its snapshot, when it first reached the site and when it ended."""
    h.site.clear_requests()
    h.receiver.clear()
    db = h.root / "baseline.duckdb"
    started = time.monotonic()
    code, err = h.run(db)
    ended = time.monotonic() - started
    if code != 0:
        raise SystemExit(f"baseline run failed ({code}): {err}")
    first = min(r.at for r in h.site.request_log)
    wall_start = time.time() - ended
    return snapshot(db), max(0.0, first.timestamp() - wall_start), ended


def kill_trial(
    h: Harness,
    base: Snapshot,
    index: int,
    delay_s: float,
    when: Callable[[], bool] | None = None,
) -> Trial:
    """Kill a run after ``delay_s`` (or, with ``when``, as soon as it returns True, at most
    ``delay_s`` later), rerun it, compare with ``base``."""
    h.receiver.clear()
    h.site.clear_requests()
    db = h.root / f"trial-{index}.duckdb"
    started = time.monotonic()
    proc = h.start(db)
    deadline = started + delay_s
    while proc.poll() is None and time.monotonic() < deadline:
        if when is not None and when():
            break
        time.sleep(0.005)
    killed = proc.poll() is None
    at_s = time.monotonic() - started
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    code, err = h.run(db)
    trial = Trial(delay_s=at_s, killed=killed, rerun_exit=code)
    if code != 0:
        trial.problems.append(f"rerun exit {code}: {err.strip().splitlines()[-1:]}")
        return trial
    got = snapshot(db)
    for name in ("articles", "stories", "mentions", "alerts", "migrations"):
        if getattr(got, name) != getattr(base, name):
            trial.problems.append(f"{name} differ")
    if got.alert_status != base.alert_status:
        trial.problems.append(f"alert status {dict(got.alert_status)}")
    if set(got.run_status) - {"completed", "crashed"} or got.run_status["completed"] < 1:
        trial.problems.append(f"runs {dict(got.run_status)}")
    h.receiver.wait_for(sum(base.titles.values()), timeout=2.0)
    delivered = Counter(str(m.get("title", "")) for m in h.receiver.messages)
    for title, expected in base.titles.items():
        if delivered[title] < expected:
            trial.problems.append(f"alert never delivered: {title[:60]}")
        elif delivered[title] > 2 * expected:
            trial.problems.append(f"alert delivered {delivered[title]}×: {title[:60]}")
        trial.duplicates += max(0, delivered[title] - expected)
    return trial


@contextmanager
def harness() -> Iterator[Harness]:
    """Everything a trial needs, torn down on exit."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with (
        tempfile.TemporaryDirectory(prefix="newsmon-kill-") as tmp,
        prefect_test_harness(server_startup_timeout=120),
        NewsSite() as site,
        WebhookReceiver() as receiver,
    ):
        yield Harness(site, receiver, str(PREFECT_API_URL.value()), Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    from rich.console import Console
    from rich.table import Table

    console = Console()
    with harness() as h:
        base, first_s, total_s = baseline(h)
        console.print(
            f"baseline: {len(base.articles)} articles, {len(base.stories)} stories, "
            f"{len(base.mentions)} mentions, {sum(base.alerts.values())} alerts; "
            f"first request at {first_s:.1f} s, done at {total_s:.1f} s"
        )
        low = max(0.0, first_s - 0.5)
        table = Table(title=f"kill test: {args.trials} trials (SIGKILL, then rerun)")
        for col in ("trial", "kill at s", "killed", "rerun exit", "dup alerts", "verdict"):
            table.add_column(col)
        failures = 0
        for index in range(args.trials):
            delay = rng.uniform(low, total_s + 0.2)
            trial = kill_trial(h, base, index, delay)
            delay = trial.delay_s
            failures += bool(trial.problems)
            verdict = "; ".join(trial.problems) or "same as uninterrupted"
            table.add_row(
                str(index),
                f"{delay:.2f}",
                "yes" if trial.killed else "no (finished)",
                str(trial.rerun_exit),
                str(trial.duplicates),
                verdict,
            )
            console.print(f"trial {index}: kill at {delay:.2f}s → {verdict}")
        console.print(table)
        console.print(f"{args.trials - failures}/{args.trials} trials identical to the baseline")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
