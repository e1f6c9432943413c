"""Soak: many consecutive monitor runs in one process against a demo site that changes between runs.

Run from the repository root::

    uv run python bench/soak.py [--runs 200] [--check-every 10] [--seed 1]

Each run is the real ``monitor_flow`` (Prefect, a temporary API from ``prefect_test_harness``)
against ``demo.newsite.NewsSite`` and an alert receiver, in this process, so the resident set
size sampled after every run is the monitor's own. Between runs the site changes the way news
sites do (``SiteChanger``): new articles every run, syndicated copies, edited articles (same URL,
new body), articles that answer 404 from the start or later, and a fourth source whose feed
answers 500 every other run. Every ``--check-every`` runs and after the last one the database is
checked with ``warehouse/queries/consistency_checks.sql`` (each row is a violation) and compared
with what the site published (every reachable article stored, every 404 one not).

Output: runs by final state, violations, articles/stories/alerts, seconds per run, and RSS after
run 50 vs the last run with the least-squares slope over the last runs (MB per 100 runs).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from warehouse.consistency import violations

FLAP_PATH = "/feeds/flap.rss"
MAX_PAGE_ATTEMPTS = 5
"""NEWSMON_MAX_PAGE_ATTEMPTS's default: no page is fetched more often than this."""
_KO_SUBJECTS = ("SK텔레콤은", "KT는", "LG유플러스는", "도이치텔레콤은", "싱텔은", "소프트뱅크는")
_KO_TOPICS = (
    "글로벌 텔코 AI 얼라이언스",
    "AI-RAN 얼라이언스",
    "O-RAN 얼라이언스",
    "GSMA",
    "TM 포럼",
)
_SYLLABLES = (
    "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주기니디리미비시지치"
)
_KO_ENDINGS = ("밝혔다.", "설명했다.", "전했다.", "덧붙였다.", "강조했다.")
_EN_WORDS = (
    "network",
    "model",
    "operator",
    "pilot",
    "spectrum",
    "edge",
    "cloud",
    "agent",
    "partner",
    "customer",
    "roaming",
    "fibre",
    "latency",
    "energy",
    "platform",
    "sovereign",
    "tower",
    "data",
)
_EN_SUBJECTS = ("Deutsche Telekom", "SoftBank", "Singtel", "SK Telecom", "the GSMA", "e&")
_EN_TOPICS = ("the Global Telco AI Alliance", "the AI-RAN Alliance", "the O-RAN Alliance")


@dataclass
class Published:
    """What the site has published: paths by whether a complete run should have stored them."""

    live: set[str] = field(default_factory=set)
    gone_before_fetch: set[str] = field(default_factory=set)
    edited: set[str] = field(default_factory=set)


class SiteChanger:
    """Changes the demo site between runs, deterministically from a seed.

    Every run: a new Korean article. Every third run: a copy of the last one (syndication).
    Every fifth run: an earlier article's body edited in place. Every fourth run: an article
    listed in the feed whose page answers 404 (its fetch fails and is retried up to the limit).
    Every seventh run: an earlier stored article removed (404 from now on). The flapping source's
    feed answers 500 on odd runs and gains an English article on even runs.
    """

    def __init__(self, site: NewsSite, seed: int) -> None:
        self.site = site
        self.rng = random.Random(seed)
        self.published = Published()
        self._flap_items: list[tuple[str, str, datetime]] = []
        self._last_ko: tuple[str, str, str] | None = None
        self._write_flap_feed()

    def sources_toml(self) -> str:
        """The demo sources plus the flapping one."""
        return self.site.render_sources_toml() + (
            f'\n[[sources]]\nname = "soak-flap"\nurl = "{self.site.url(FLAP_PATH)}"\n'
            'kind = "rss"\nlang = "en"\ngroup = "demo"\n'
        )

    def step(self, run: int) -> None:
        """Change the site before run number ``run`` (0-based)."""
        now = datetime.now(UTC)
        path, title, page = self._korean(run)
        self.site.publish(path, page, title=title, feed="ko", published=now)
        self.published.live.add(path)
        if run % 3 == 1 and self._last_ko is not None:
            copy_path = f"/syndicated/{run}.html"
            _, copy_title, copy_page = self._last_ko
            self.site.publish(
                copy_path, copy_page, title=copy_title, feed="ko-euckr", published=now
            )
            self.published.live.add(copy_path)
        self._last_ko = (path, title, page)
        if run % 5 == 2:
            self._edit_one()
        if run % 4 == 3:
            gone = f"/news/gone-{run}.html"
            self.site.publish(gone, "<html></html>", title=f"삭제된 기사 {run}", feed="ko")
            self.site.remove_page(gone)
            self.published.gone_before_fetch.add(gone)
        if run % 7 == 6:
            stored = sorted(self.published.live - self.published.edited)
            if stored:
                victim = self.rng.choice(stored[:-1] or stored)
                self.site.remove_page(victim)  # stored already: it stays, nothing refetches it
        if run % 2 == 1:
            self.site.set_fault(FLAP_PATH, "status", status=500)
        else:
            self.site.clear_faults(FLAP_PATH)
            self._flap_items.insert(0, self._english(run, now))
            self._write_flap_feed()

    def _korean(self, run: int) -> tuple[str, str, str]:
        subject = self.rng.choice(_KO_SUBJECTS)
        topic = self.rng.choice(_KO_TOPICS)
        paragraphs = [
            f"{subject if i % 2 else topic + '는'} {self._ko_words(6)} "
            + self.rng.choice(_KO_ENDINGS)
            for i in range(7)
        ]
        title = f"{subject.rstrip('은는')} {topic} 협력 {run}번째 발표"
        return f"/news/soak-{run}.html", title, _page(title, paragraphs, "ko")

    def _ko_words(self, n: int) -> str:
        """Random syllable words: no two articles share text by chance, so each is its own story
        unless it is a deliberate copy."""
        return " ".join(
            "".join(self.rng.choices(_SYLLABLES, k=self.rng.randint(2, 4))) for _ in range(n)
        )

    def _english(self, run: int, when: datetime) -> tuple[str, str, datetime]:
        paragraphs = [
            f"{self.rng.choice(_EN_SUBJECTS)} and {self.rng.choice(_EN_TOPICS)} "
            + " ".join(
                f"{self.rng.choice(_EN_WORDS)}{self.rng.randint(10, 99999)}" for _ in range(8)
            )
            + "."
            for _ in range(6)
        ]
        title = f"Operators widen AI cooperation, report {run}"
        path = f"/en/soak-{run}.html"
        self.site.add_page(path, _page(title, paragraphs, "en"), last_modified=when)
        self.published.live.add(path)
        return path, title, when

    def _edit_one(self) -> None:
        candidates = sorted(self.published.live - self.published.edited)
        if not candidates:
            return
        path = self.rng.choice(candidates)
        try:
            body = self.site.content(path).decode("utf-8")
        except KeyError:
            return
        edited = body.replace("</article>", "<p>(수정) 기사 내용이 보완됐다.</p></article>")
        self.site.add_page(path, edited)
        self.published.edited.add(path)

    def _write_flap_feed(self) -> None:
        items = "".join(
            f"<item><title>{escape(title)}</title><link>{self.site.url(path)}</link>"
            f"<guid>{self.site.url(path)}</guid><pubDate>{format_datetime(when)}</pubDate></item>"
            for path, title, when in self._flap_items[:50]
        )
        feed = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>flap</title><link>{self.site.base_url}/</link>{items}</channel></rss>"
        )
        self.site.add_page(FLAP_PATH, feed, "application/rss+xml; charset=utf-8")


def _page(title: str, paragraphs: list[str], lang: str) -> str:
    published = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
    )


@dataclass
class Check:
    """One consistency check pass after run ``run``."""

    run: int
    violations: list[tuple[str, str, str]]


@dataclass
class SoakResult:
    """What a soak did and found."""

    runs: int
    states: Counter[str] = field(default_factory=Counter)
    checks: list[Check] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    seconds: float = 0.0
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def violations(self) -> list[tuple[int, str, str, str]]:
        return [(c.run, *v) for c in self.checks for v in c.violations]

    def rss_slope_mb_per_100(self, last: int) -> float:
        """Least-squares slope of RSS over the last ``last`` runs, in MB per 100 runs."""
        ys = self.rss_mb[-last:]
        if len(ys) < 2:
            return 0.0
        xs = range(len(ys))
        mx, my = (len(ys) - 1) / 2, sum(ys) / len(ys)
        num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
        den = sum((x - mx) ** 2 for x in xs)
        return 100 * num / den


def rss_mb() -> float:
    """This process's current resident set size (Linux ``/proc/self/statm``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def consistency_violations(db: Path) -> list[tuple[str, str, str]]:
    """Rows of ``consistency_checks.sql`` (check, key, detail); empty when consistent."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return violations(con)
    finally:
        con.close()


def coverage_violations(
    db: Path, site: NewsSite, published: Published
) -> list[tuple[str, str, str]]:
    """What the site published against what is stored: nothing reachable lost, no 404 stored,
    and no page fetched more than ``MAX_PAGE_ATTEMPTS`` times (a 404 still listed in its feed
    was fetched on every run before)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = {str(u) for (u,) in con.execute("SELECT url FROM articles").fetchall()}
        refetched = con.execute(
            "SELECT url, count(*) FROM fetch_log WHERE purpose = 'article' GROUP BY url"
            " HAVING count(*) > $max",
            {"max": MAX_PAGE_ATTEMPTS},
        ).fetchall()
    finally:
        con.close()
    out = [
        ("published_not_stored", p, "") for p in sorted(published.live) if site.url(p) not in stored
    ]
    out += [
        ("404_stored", p, "") for p in sorted(published.gone_before_fetch) if site.url(p) in stored
    ]
    out += [("fetched_too_often", str(url), f"{n} article fetches") for url, n in refetched]
    return out


def _totals(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM stories),"
            " (SELECT count(*) FROM mentions), (SELECT count(*) FROM alerts),"
            " (SELECT count(*) FROM fetch_log), (SELECT count(*) FROM runs)"
        ).fetchall()[0]
    finally:
        con.close()
    names = ("articles", "stories", "mentions", "alerts", "fetch_log", "runs")
    return dict(zip(names, (int(v) for v in row), strict=True))


def _run_flow(flow: Any, sources: Path, db: Path) -> Any:
    """One run of the real flow, as ``newsmon run`` does it; returns its final Prefect state."""
    return asyncio.run(flow(sources=str(sources), db=str(db), return_state=True))


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def soak(
    runs: int,
    root: Path,
    *,
    check_every: int = 10,
    seed: int = 1,
    progress: Callable[[int, str, float], None] | None = None,
) -> SoakResult:
    """``runs`` monitor runs in this process (needs a Prefect API: a server or the test harness)."""
    from flows.monitor import monitor_flow

    result = SoakResult(runs)
    db = root / "soak.duckdb"
    sources = root / "sources.toml"
    started = time.monotonic()
    with NewsSite() as site, WebhookReceiver() as receiver:
        changer = SiteChanger(site, seed)
        sources.write_text(changer.sources_toml(), encoding="utf-8")
        env = {
            "NEWSMON_ALLOW_PRIVATE_NETWORKS": "true",
            "NEWSMON_ALERT_URLS": receiver.apprise_url,
            "NEWSMON_TIMEOUT_S": "2",
            "NEWSMON_FETCH_RETRIES": "0",  # the flapping feed fails fast instead of backing off
            "NEWSMON_MIN_HOST_INTERVAL_S": "0",
        }
        with _environment(env):
            for run in range(runs):
                changer.step(run)
                state = _run_flow(monitor_flow, sources, db)
                result.states[state.type.value] += 1
                site.clear_requests()
                receiver.clear()
                if (run + 1) % check_every == 0 or run == runs - 1:
                    found = consistency_violations(db)
                    found += coverage_violations(db, site, changer.published)
                    result.checks.append(Check(run + 1, found))
                result.rss_mb.append(rss_mb())
                if progress is not None:
                    progress(run + 1, state.type.value, result.rss_mb[-1])
        result.totals = _totals(db)
    result.seconds = time.monotonic() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--check-every", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # newsmon captures Apprise's debug log per delivery; keep it out of this report
    logging.getLogger("apprise").addFilter(lambda record: record.levelno >= logging.WARNING)
    from prefect.testing.utilities import prefect_test_harness

    last = [time.monotonic()]

    def progress(run: int, state: str, rss: float) -> None:
        now = time.monotonic()
        took, last[0] = now - last[0], now
        if run % 10 == 0 or state != "COMPLETED" or run < 5:
            print(f"  run {run:4d}  {state:10s}  rss {rss:7.1f} MB  {took:5.1f} s", flush=True)

    with (
        tempfile.TemporaryDirectory(prefix="newsmon-soak-") as tmp,
        prefect_test_harness(server_startup_timeout=120),
    ):
        result = soak(
            args.runs, Path(tmp), check_every=args.check_every, seed=args.seed, progress=progress
        )
    tail = min(150, max(2, args.runs - 50))
    print(f"runs: {args.runs}  final states: {dict(result.states)}")
    print(f"time: {result.seconds:.0f} s ({result.seconds / args.runs:.2f} s per run)")
    print("totals: " + ", ".join(f"{k} {v}" for k, v in result.totals.items()))
    print(f"consistency checks: {len(result.checks)} passes, {len(result.violations)} violations")
    for run, check, key, detail in result.violations[:20]:
        print(f"  after run {run}: {check} {key} {detail}")
    base = result.rss_mb[min(49, len(result.rss_mb) - 1)]
    print(
        f"rss: {base:.1f} MB after run {min(50, args.runs)}, {result.rss_mb[-1]:.1f} MB after run "
        f"{args.runs}, max {max(result.rss_mb[-tail:]):.1f}; slope over the last {tail} runs "
        f"{result.rss_slope_mb_per_100(tail):+.2f} MB per 100 runs"
    )
    if len(result.rss_mb) > 51:
        jumps = [(b - a, n + 2) for n, (a, b) in enumerate(itertools.pairwise(result.rss_mb[50:]))]
        step, at = max(jumps)
        after = max(2, args.runs - (at + 50))  # runs since that rise: a lazy load is a step
        print(
            f"largest one-run rise after run 50: {step:+.1f} MB at run {at + 50}; slope over the "
            f"{after} runs after it {result.rss_slope_mb_per_100(after):+.2f} MB per 100 runs"
        )
    sys.exit(1 if result.violations else 0)


if __name__ == "__main__":
    main()
