"""The analyst views over a real DuckDB file, with synthetic rows dated relative to now."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tests.warehouse.synthetic import NOW, Warehouse, days_ago
from warehouse.database import open_writer

KST = ZoneInfo("Asia/Seoul")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[dict[str, object]]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _poisson_tail(k: int, lam: float) -> float:
    return 1.0 - sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k))


def test_entity_weekly_counts_stories_not_copies_and_buckets_by_kst(tmp_path: Path) -> None:
    # A Sunday 16:00 UTC instant is Monday 01:00 in Seoul: it belongs to the next ISO week.
    monday_kst = datetime(2026, 3, 2, 1, 0, tzinfo=KST)
    with open_writer(tmp_path / "w.duckdb") as con:
        w = Warehouse(con)
        w.entity("sk_telecom")
        w.article("s1", monday_kst.astimezone(UTC), ["sk_telecom"], outlet="o1", mentions_each=3)
        w.article(
            "s1", monday_kst.astimezone(UTC) + timedelta(hours=2), ["sk_telecom"], outlet="o2"
        )
        w.article("s2", monday_kst.astimezone(UTC) + timedelta(days=1), ["sk_telecom"], outlet="o1")
        w.article("s3", (monday_kst - timedelta(hours=2)).astimezone(UTC), ["sk_telecom"])
        rows = _rows(con, "SELECT * FROM entity_weekly ORDER BY week_kst")
    assert [(r["iso_week"], r["n_stories"], r["n_articles"]) for r in rows] == [
        ("2026-W09", 1, 1),
        ("2026-W10", 2, 3),
    ]
    this_week = rows[1]
    assert this_week["week_kst"] == monday_kst.date()
    assert (this_week["n_mentions"], this_week["n_outlets"]) == (5, 2)


def test_entity_rising_scores_a_burst_against_its_baseline(tmp_path: Path) -> None:
    with open_writer(tmp_path / "r.duckdb") as con:
        w = Warehouse(con, auto_refresh=False)
        for entity_id in ("hot", "steady", "newcomer", "quiet"):
            w.entity(entity_id)
        for week in range(8):  # one story a week in the baseline for hot and steady
            w.article(f"hot-b{week}", days_ago(10 + 7 * week), ["hot"])
            w.article(f"steady-b{week}", days_ago(10 + 7 * week), ["steady"])
        for i in range(6):  # a burst: six stories this week, one of them in two outlets
            w.article(f"hot-n{i}", days_ago(0.5 + i / 2), ["hot"], outlet=f"o{i}")
        w.article("hot-n0", days_ago(0.4), ["hot"], outlet="copy", dup_kind="exact")
        w.article("steady-n", days_ago(2), ["steady"])
        w.article("newcomer-n", days_ago(1), ["newcomer"])
        w.article("quiet-old", days_ago(20), ["quiet"])
        w.article("hot-ancient", days_ago(200), ["hot"])  # outside the 8-week baseline
        w.refresh()
        rows = {r["entity_id"]: r for r in _rows(con, "SELECT * FROM entity_rising")}
    assert set(rows) == {"hot", "newcomer"}  # steady: 1 story vs a mean of 1 is not rising
    hot = rows["hot"]
    assert (hot["n_stories_7d"], hot["n_articles_7d"], hot["baseline_stories"]) == (6, 7, 8)
    assert hot["baseline_weekly_mean"] == 1.0 and hot["baseline_weekly_sd"] == 0.0
    assert hot["expected"] == pytest.approx(9 / 8)
    assert hot["p_value"] == pytest.approx(_poisson_tail(6, 9 / 8), rel=1e-6)
    assert hot["score"] == pytest.approx(-math.log10(_poisson_tail(6, 9 / 8)), abs=0.01)
    assert hot["score"] > 2.5
    newcomer = rows["newcomer"]
    assert newcomer["baseline_stories"] == 0 and math.isfinite(float(str(newcomer["score"])))
    assert newcomer["score"] < hot["score"]


def test_entity_rising_score_does_not_underflow_for_a_huge_burst(tmp_path: Path) -> None:
    with open_writer(tmp_path / "u.duckdb") as con:
        w = Warehouse(con, auto_refresh=False)
        w.entity("viral")
        for i in range(400):
            w.article(f"v{i}", days_ago(1), ["viral"])
        w.refresh()
        rows = _rows(con, "SELECT score, p_value FROM entity_rising")
    assert len(rows) == 1
    score = float(str(rows[0]["score"]))
    assert math.isfinite(score) and score > 300


def test_alliance_timeline_lists_stories_in_order_with_members(tmp_path: Path) -> None:
    with open_writer(tmp_path / "t.duckdb") as con:
        w = Warehouse(con)
        w.entity("gtaa", kind="alliance", members=["sk_telecom", "singtel"])
        w.entity("o_ran", kind="alliance", members=[])
        for entity_id in ("sk_telecom", "singtel", "nvidia"):
            w.entity(entity_id)
        w.article("late", days_ago(1), ["gtaa"], title="later story", outlet="o1")
        w.article(
            "early",
            days_ago(5),
            ["gtaa", "sk_telecom", "nvidia"],
            title="rep",
            outlet="o1",
            body="long " * 50,
        )
        w.article("early", days_ago(4.9), ["singtel"], title="copy", outlet="o2", dup_kind="near")
        w.article("none", days_ago(3), ["sk_telecom"], title="no alliance")
        w.article("oran", days_ago(2), ["o_ran", "sk_telecom"], title="o-ran story")
        rows = _rows(con, "SELECT * FROM alliance_timeline ORDER BY alliance_id, seq")
    gtaa = [r for r in rows if r["alliance_id"] == "gtaa"]
    assert [(r["seq"], r["story_id"], r["title"]) for r in gtaa] == [
        (1, "early", "rep"),
        (2, "late", "later story"),
    ]
    assert gtaa[0]["outlets"] == ["o1", "o2"] and gtaa[0]["n_articles"] == 2
    assert gtaa[0]["members_mentioned"] == ["singtel", "sk_telecom"]  # not nvidia
    assert gtaa[1]["members_mentioned"] == []
    oran = [r for r in rows if r["alliance_id"] == "o_ran"]
    assert [r["story_id"] for r in oran] == ["oran"] and oran[0]["members_mentioned"] == []


FETCH_SQL = (
    "INSERT INTO fetch_log (run_id, url, source_name, purpose, requested_at, error, bytes,"
    " elapsed_ms) VALUES ('r', 'u', ?, 'feed', ?, ?, 0, 1)"
)
ITEM_SQL = (
    "INSERT INTO feed_items (url_key, url, source_name, published_at, first_seen_at)"
    " VALUES (?, 'u', ?, ?, ?)"
)
SOURCE_SQL = "INSERT INTO sources VALUES (?, 'https://x.example/rss', 'rss', 'ko', 'g', now())"


def test_source_health_keeps_its_columns_and_adds_rate_and_staleness(tmp_path: Path) -> None:
    with open_writer(tmp_path / "h.duckdb") as con:
        for name in ("daily", "gone_quiet", "never", "failing"):
            con.execute(SOURCE_SQL, [name]).fetchall()
        for i in range(14):  # two items a day for a week
            con.execute(ITEM_SQL, [f"d{i}", "daily", days_ago(i / 2), days_ago(i / 2)]).fetchall()
        for i in range(30):  # used to publish three a day, nothing for 6 days
            at = days_ago(6 + i / 3)
            con.execute(ITEM_SQL, [f"q{i}", "gone_quiet", at, at]).fetchall()
        # a feed that stamps its item in the future does not look fresh
        con.execute(ITEM_SQL, ["f1", "failing", NOW + timedelta(days=30), days_ago(1)]).fetchall()
        con.execute(FETCH_SQL, ["failing", days_ago(3), None]).fetchall()
        con.execute(FETCH_SQL, ["failing", days_ago(2), "timeout"]).fetchall()
        con.execute(FETCH_SQL, ["failing", days_ago(1), "http_5xx"]).fetchall()
        con.execute(FETCH_SQL, ["daily", days_ago(0.1), None]).fetchall()
        rows = {r["source_name"]: r for r in _rows(con, "SELECT * FROM source_health")}
    first = list(next(iter(rows.values())))[:7]
    assert first == [
        "source_name",
        "url",
        "source_group",
        "last_success_at",
        "last_failure_at",
        "consecutive_failures",
        "last_error",
    ]
    assert rows["daily"]["items_per_day"] == 2.0 and rows["daily"]["stale"] is False
    assert rows["daily"]["consecutive_failures"] == 0
    assert rows["gone_quiet"]["n_items_7d"] == 3 and rows["gone_quiet"]["stale"] is True
    assert float(str(rows["gone_quiet"]["hours_since_last_item"])) == pytest.approx(144, abs=1)
    assert rows["never"]["stale"] is True and rows["never"]["last_item_at"] is None
    failing = rows["failing"]
    assert (failing["consecutive_failures"], failing["last_error"]) == (2, "http_5xx")
    assert float(str(failing["hours_since_last_item"])) == pytest.approx(24, abs=1)
