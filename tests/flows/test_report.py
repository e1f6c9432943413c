"""Analyst interfaces: trends, export, the HTML report (rendered in headless Chromium) and the
per-run Prefect markdown artifact."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
from pathlib import Path

import duckdb
import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from typer.testing import CliRunner

from demo.newsite import NewsSite
from flows import analytics
from flows.analytics import publish_run_artifact, run_markdown
from flows.cli import app
from tests.flows.conftest import run_flow
from tests.warehouse.synthetic import Warehouse, days_ago
from warehouse.database import open_reader, open_writer

runner = CliRunner()


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    with open_writer(db) as con:
        w = Warehouse(con)
        w.entity("gtaa", kind="alliance", members=["sk_telecom", "singtel"])
        w.entity("ai_ran_alliance", kind="alliance", members=["nvidia"])
        for entity_id in ("sk_telecom", "singtel", "nvidia"):
            w.entity(entity_id)
        for week in range(6):
            w.article(f"g{week}", days_ago(3 + 7 * week), ["gtaa", "sk_telecom"], title=f"G {week}")
            w.article(f"r{week}", days_ago(4 + 7 * week), ["ai_ran_alliance", "nvidia"])
        for i in range(5):
            w.article(f"burst{i}", days_ago(1 + i / 5), ["singtel", "gtaa"], outlet=f"o{i}")
        w.article("old", days_ago(70), ["nvidia"])
        con.execute(
            "INSERT INTO sources VALUES ('feed-a', 'https://a.example/rss', 'rss', 'ko', 'g', ?)",
            [days_ago(0)],
        ).fetchall()
        con.execute(
            "INSERT INTO feed_items (url_key, url, source_name, published_at, first_seen_at)"
            " VALUES ('k1', 'u', 'feed-a', now(), now())"
        ).fetchall()
        con.execute(
            "INSERT INTO runs (run_id, flow, started_at, status) VALUES (?, 'monitor', ?, 'ok')",
            ["run-1", days_ago(80)],
        ).fetchall()
    return db


@pytest.mark.parametrize("command", ["trends", "export", "report"])
def test_new_commands_have_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_trends_table_and_single_entity(warehouse_db: Path) -> None:
    with open_reader(warehouse_db) as con:
        found = analytics.trends(con, weeks=8)
    assert len(found.weeks) == 8 and found.weeks == tuple(sorted(found.weeks))
    by_id = {r.entity_id: r for r in found.rows}
    assert by_id["gtaa"].n_stories == 11  # 6 weekly stories + the 5-story burst
    assert sum(by_id["gtaa"].per_week) == 11
    assert sum(by_id["singtel"].per_week[-2:]) == 5  # the burst is this week or last
    assert by_id["singtel"].rising_score is not None and by_id["singtel"].rising_score > 2
    assert "old" not in by_id
    result = runner.invoke(app, ["trends", "--db", str(warehouse_db), "--weeks", "4"])
    assert result.exit_code == 0, result.output
    assert "gtaa" in result.output and "singtel" in result.output
    one = runner.invoke(app, ["trends", "--db", str(warehouse_db), "--entity", "singtel"])
    assert one.exit_code == 0, one.output
    assert "rising score" in one.output and re.search(r"│\s+5\s+│\s+5\s+│", one.output)
    unknown = runner.invoke(app, ["trends", "--db", str(warehouse_db), "--entity", "nope"])
    assert unknown.exit_code == 1 and "unknown entity" in unknown.output


def test_export_partitions_by_month_and_round_trips(warehouse_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "exp"
    result = runner.invoke(app, ["export", "--db", str(warehouse_db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    months = sorted(p.name for p in (out / "articles").iterdir())
    assert len(months) >= 2 and all(re.fullmatch(r"month=\d{4}-\d{2}", m) for m in months)
    con = duckdb.connect()
    back = con.execute(
        "SELECT count(*), count(DISTINCT month) FROM read_parquet(?, hive_partitioning = true)",
        [str(out / "articles" / "*" / "*.parquet")],
    ).fetchall()
    mentions = con.execute(
        "SELECT count(*) FROM read_parquet(?)", [str(out / "mentions" / "*" / "*.parquet")]
    ).fetchall()
    with open_reader(warehouse_db) as source:
        expected = source.execute("SELECT count(*), (SELECT count(*) FROM mentions) FROM articles")
        n_articles, n_mentions = expected.fetchall()[0]
    assert back == [(n_articles, len(months))] and mentions == [(n_mentions,)]
    assert (out / "entities.parquet").exists()
    exported_stories = con.execute(
        "SELECT count(*), sum(n_articles) FROM read_parquet(?)", [str(out / "stories.parquet")]
    ).fetchall()
    with open_reader(warehouse_db) as source:
        in_db = source.execute("SELECT count(*), sum(n_articles) FROM stories").fetchall()
    assert exported_stories == in_db and in_db[0][0] > 0
    assert (out / "entity_weekly.parquet").exists() and (out / "co_mentions.parquet").exists()
    again = runner.invoke(
        app, ["export", "-f", "csv", "--db", str(warehouse_db), "--out", str(out)]
    )
    assert again.exit_code == 0, again.output
    assert not list((out / "articles").rglob("*.parquet"))  # the folder was replaced
    assert len(list((out / "articles").rglob("*.csv"))) == len(months)


def test_export_refuses_to_replace_a_foreign_folder(warehouse_db: Path, tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "precious.txt").write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["export", "--db", str(warehouse_db), "--out", str(tmp_path)])
    assert result.exit_code == 1 and "not a newsmon export" in result.output
    assert (tmp_path / "articles" / "precious.txt").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_is_self_contained_and_draws_in_headless_chromium(
    warehouse_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--db", str(warehouse_db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)  # every script is inline: opens offline
    assert page.count('class="plotly-graph-div"') == 4
    assert "Global Telco AI Alliance" in page or "Gtaa" in page
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (.ci/run installs the Debian package)")
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            out.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    charts = re.search(r'data-charts="(\d+)"', dom)
    errors = re.search(r'data-errors="([^"]*)"', dom)
    assert charts is not None and errors is not None, dom[-2000:]
    assert errors.group(1) == ""
    assert int(charts.group(1)) >= 4  # plotly draws at least one <svg class="main-svg"> per chart
    assert dom.count("<svg") >= 4


def test_run_markdown_names_alliances_alerts_and_failing_sources(warehouse_db: Path) -> None:
    with open_reader(warehouse_db) as con:
        text = run_markdown(con, "run-1", 0, [("feed-b", "timeout: read timed out")])
    assert "## New stories by alliance" in text
    assert re.search(r"\| Gtaa \| 11 \|", text)
    assert "| feed-b | timeout: read timed out |" in text
    assert "## Alerts sent (0)" in text


def test_artifact_failure_never_fails_the_flow(
    warehouse_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import prefect.artifacts

    async def broken(**_: object) -> None:
        raise RuntimeError("artifact API down")

    monkeypatch.setattr(prefect.artifacts, "acreate_markdown_artifact", broken)

    @flow
    async def probe() -> bool:
        return await publish_run_artifact(warehouse_db, "run-1", 0, [])

    assert asyncio.run(probe()) is False
    assert asyncio.run(publish_run_artifact(warehouse_db, "run-1", 0, [])) is False  # no flow


def test_monitor_run_publishes_a_markdown_artifact(
    tmp_path: Path, site: NewsSite, local_env: None
) -> None:
    sources = tmp_path / "sources.toml"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    down = f'\n[[sources]]\nname = "down"\nurl = "http://127.0.0.1:{closed}/rss"\nlang = "en"\n'
    sources.write_text(site.render_sources_toml() + down, encoding="utf-8")
    state = run_flow(sources, tmp_path / "a.duckdb")
    assert state.is_completed()

    async def read() -> list[str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["newsmon-run-summary"]))
            )
        return [str(a.data) for a in found if a.flow_run_id == state.state_details.flow_run_id]

    texts = asyncio.run(read())
    assert len(texts) == 1
    assert "Global Telco AI Alliance" in texts[0] and "## Sources failing (1)" in texts[0]
    assert analytics.MONTHLY_EXPORTS  # the module the artifact comes from is importable


def test_report_pairs_come_from_co_mentions_else_from_story_entities(
    warehouse_db: Path, tmp_path: Path
) -> None:
    from flows.report import collect

    with open_reader(warehouse_db) as con:
        data = collect(con, "w", 12)
    assert data.pairs_source == "co_mentions"
    pairs = {frozenset((a, b)): n for a, b, n in data.pairs}
    assert pairs[frozenset(("Gtaa", "Sk Telecom"))] == 6
    assert pairs[frozenset(("Gtaa", "Singtel"))] == 5
    copy = tmp_path / "copy.duckdb"
    shutil.copy(warehouse_db, copy)
    with open_writer(copy) as con:
        con.execute("DROP VIEW co_mentions").fetchall()
        fallback = collect(con, "copy", 12)
    assert fallback.pairs_source == "story_entities"
    assert {frozenset((a, b)): n for a, b, n in fallback.pairs} == pairs
