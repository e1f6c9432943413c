"""The summary-backed views equal their full-scan definitions (warehouse/reference/), through
incremental loads, story merges, a reprocess that moves articles and mentions, gazetteer changes,
a rebuild, and the backfill of a database written before migration 008."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tasks.models import StoryMerge
from warehouse import database, loading, summaries
from warehouse.database import apply_migrations, open_writer

ENTITIES = """
INSERT INTO entities
SELECT 'e' || i,
       CASE WHEN i IN (3, 4) THEN 'alliance' ELSE 'company' END,
       CASE WHEN i = 4 THEN NULL ELSE 'Entity ' || i END, '엔티티 ' || i, NULL, '{}',
       CASE WHEN i = 3 THEN '[{"id": "e0"}, {"id": "e1"}, {"id": "e7"}]'
            WHEN i = 4 THEN '[{"id": "e2"}]' ELSE '[]' END
FROM range(12) AS t(i)
"""

ARTICLES = """
INSERT INTO articles (article_id, url, url_key, source_name, title, body, lang, published_at,
                      site_name, outlet, fetched_at, quality, content_hash, story_id, dup_kind,
                      similarity, run_id)
SELECT
    'a' || i,
    'https://news.example/' || i,
    CASE WHEN i % 7 = 0 THEN 'naver:' ELSE 'news.example/' END || i,
    'src' || (i % 3),
    'title ' || i,
    repeat('x', 50 + i % 13),
    'ko',
    CASE WHEN i % 11 = 0 THEN NULL
         ELSE now() - to_minutes(CAST((i * 7919) % (80 * 1440) AS BIGINT)) + INTERVAL 2 DAY END,
    CASE WHEN i % 5 = 0 THEN NULL ELSE 'site' || (i % 4) END,
    CASE WHEN i % 3 = 0 THEN 'outlet' || (i % 6) END,
    now() - to_minutes(CAST((i * 104729) % (80 * 1440) AS BIGINT)),
    'ok', 'h' || i, 's' || (i // 3),
    CASE WHEN i % 3 = 0 THEN 'original' ELSE 'near' END, 1.0, 'r'
FROM range($lo, $hi) AS t(i)
"""

MENTIONS = """
INSERT INTO mentions (article_id, entity_id, field, start_pos, end_pos, surface, sentence,
                      in_title, in_lead, collective, sentence_index)
SELECT
    'a' || i,
    'e' || ((i * 3 + j * j) % 12),
    CASE WHEN j = 0 THEN 'title' ELSE 'body' END,
    CASE WHEN j IN (2, 3) AND i % 4 = 0 THEN 200 ELSE j * 100 END,
    CASE WHEN j IN (2, 3) AND i % 4 = 0 THEN 205 ELSE j * 100 + 5 END,
    'name',
    'sentence ' || (i % 4) || repeat('.', (i * 13 + j) % 17),
    j = 0, j = 1, j IN (2, 3) AND i % 4 = 0,
    CASE WHEN i % 9 = 0 THEN NULL ELSE j // 2 END
FROM range($lo, $hi) AS t(i), range(5) AS u(j)
"""


def _load(con: duckdb.DuckDBPyConnection, lo: int, hi: int) -> None:
    """Rows ``lo``..``hi`` in one transaction with their summary refresh, as the loader does."""
    con.execute("BEGIN TRANSACTION")
    con.execute(ARTICLES, {"lo": lo, "hi": hi}).fetchall()
    con.execute(MENTIONS, {"lo": lo, "hi": hi}).fetchall()
    summaries.refresh(con, summaries.scope_of(con, [f"a{i}" for i in range(lo, hi)]))
    con.execute("COMMIT")


def _differences(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in one side and not the other, per view; example_sentence is compared by length
    (the shortest sentence is not unique when two have the same length)."""
    summaries.create_reference_views(con)
    found = {}
    for view in summaries.SUMMARY_VIEWS:
        new_columns = con.execute(f"DESCRIBE {view}").fetchall()
        assert [c[:2] for c in new_columns] == [
            c[:2] for c in con.execute(f"DESCRIBE reference_{view}").fetchall()
        ], view
        columns = (
            "* REPLACE (length(example_sentence) AS example_sentence)" * (view == "co_mentions")
            or "*"
        )
        new = f"SELECT {columns} FROM {view}"
        old = f"SELECT {columns} FROM reference_{view}"
        sql = f"SELECT count(*) FROM (({new} EXCEPT ALL {old}) UNION ALL ({old} EXCEPT ALL {new}))"
        found[view] = int(con.execute(sql).fetchall()[0][0])
    return found


def _nonempty(con: duckdb.DuckDBPyConnection) -> None:
    for view in summaries.SUMMARY_VIEWS:
        assert con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0] > 0, view


SAME = dict.fromkeys(summaries.SUMMARY_VIEWS, 0)


def test_views_equal_full_scans_through_loads_merges_reprocess_and_gazetteer_changes(
    tmp_path: Path,
) -> None:
    with open_writer(tmp_path / "s.duckdb") as con:
        con.execute(ENTITIES).fetchall()
        summaries.ensure(con)
        for lo in range(0, 600, 150):
            _load(con, lo, lo + 150)
        _nonempty(con)
        assert _differences(con) == SAME

        merges = [
            StoryMerge("s7", "s2", "a21", 0.9),
            StoryMerge("s2", "s40", "a120", 0.9),  # a chain: s7's articles end in s40
            StoryMerge("s99", "s150", "a450", 0.9),
        ]
        loading.write_batch(con, loading.Batch(run_id="m", merges=merges))
        assert con.execute("SELECT count(*) FROM articles WHERE story_id = 's40'").fetchall() == [
            (9,)
        ]
        assert _differences(con) == SAME

        # A reprocess: new dates (another week), mentions dropped and added, a new outlet.
        moved = ["a5", "a6", "a300", "a301", "a599"]
        con.execute("BEGIN TRANSACTION")
        before = summaries.scope_of(con, moved)
        con.execute(
            "UPDATE articles SET published_at = published_at - INTERVAL 9 DAY, outlet = 'new'"
            " WHERE article_id IN ('a5', 'a300', 'a599')"
        ).fetchall()
        con.execute("DELETE FROM mentions WHERE article_id IN ('a6', 'a301')").fetchall()
        con.execute(
            "INSERT INTO mentions VALUES ('a6', 'e3', 'body', 999, 1003, 'x', 'sentence 1',"
            " false, false, false, 0, NULL)"
        ).fetchall()
        summaries.refresh(con, before | summaries.scope_of(con, moved))
        con.execute("COMMIT")
        assert _differences(con) == SAME

        con.execute("UPDATE entities SET kind = 'alliance', members = '[]' WHERE entity_id = 'e5'")
        con.execute("UPDATE entities SET members = '[{\"id\": \"e9\"}]' WHERE entity_id = 'e4'")
        assert summaries.ensure(con) == "alliances"
        assert summaries.ensure(con) is None
        assert _differences(con) == SAME

        before_rebuild = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall() for t in summaries.TABLES
        }
        summaries.rebuild(con)
        after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall() for t in summaries.TABLES}
        assert after == before_rebuild
        assert _differences(con) == SAME


def test_a_database_from_before_migration_008_is_backfilled_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.duckdb"
    known = database.migrations()
    with monkeypatch.context() as patched:
        patched.setattr(database, "migrations", lambda: [m for m in known if m[0] < 8])
        con = duckdb.connect(str(db))
        apply_migrations(con)
        con.execute(ENTITIES).fetchall()
        con.execute(ARTICLES, {"lo": 0, "hi": 200}).fetchall()
        con.execute(MENTIONS, {"lo": 0, "hi": 200}).fetchall()
        con.close()
    with open_writer(db) as con:
        _nonempty(con)
        assert _differences(con) == SAME
        state = con.execute("SELECT needs_rebuild, rebuilt_at IS NOT NULL FROM summary_state")
        assert state.fetchall() == [(False, True)]


def test_rebuild_summaries_command_recomputes_what_a_manual_edit_changed(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    with open_writer(db) as con:
        con.execute(ENTITIES).fetchall()
        _load(con, 0, 90)
        con.execute("DELETE FROM mentions WHERE entity_id = 'e0'").fetchall()  # behind its back
        assert _differences(con)["entity_daily"] > 0
    result = CliRunner().invoke(app, ["rebuild-summaries", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "entity_day_stats:" in result.output
    with open_writer(db) as con:
        assert _differences(con) == SAME
        assert con.execute(
            "SELECT count(*) FROM entity_daily WHERE entity_id = 'e0'"
        ).fetchall() == [(0,)]


def test_a_failed_load_leaves_summaries_as_they_were(tmp_path: Path) -> None:
    with open_writer(tmp_path / "f.duckdb") as con:
        con.execute(ENTITIES).fetchall()
        _load(con, 0, 60)

        def counts() -> list[tuple[int]]:
            return con.execute("SELECT sum(n_mentions) FROM entity_day_stats").fetchall()

        before = counts()
        with pytest.raises(duckdb.Error):
            _load(con, 50, 80)  # a50..a59 exist: the primary key refuses the batch
        database.rollback(con)
        assert counts() == before
        assert _differences(con) == SAME
