from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import duckdb
import pytest

from warehouse import database
from warehouse.database import (
    DatabaseBusy,
    DatabaseError,
    apply_migrations,
    migrations,
    open_reader,
    open_writer,
)

TABLES = {
    "runs",
    "sources",
    "fetch_log",
    "feed_items",
    "articles",
    "article_signatures",
    "entities",
    "mentions",
    "alerts",
    "schema_migrations",
}
VIEWS = {
    "stories",
    "entity_daily",
    "entity_weekly",
    "entity_rising",
    "story_entities",
    "source_health",
    "alliance_timeline",
}


def _names(con: duckdb.DuckDBPyConnection, kind: str) -> set[str]:
    sql = "SELECT table_name FROM information_schema.tables WHERE table_type = ?"
    return {r[0] for r in con.execute(sql, [kind]).fetchall()}


def test_migrations_apply_to_empty_file_and_reapply_is_noop(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    with open_writer(db) as con:
        assert _names(con, "BASE TABLE") >= TABLES
        assert _names(con, "VIEW") >= VIEWS
        assert apply_migrations(con) == []
    with open_writer(db) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()]
    assert versions == [v for v, _, _ in migrations()]


def test_failed_migration_rolls_back_and_stays_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "b.duckdb"
    with open_writer(db):
        pass
    good = migrations()
    bad = (*good, (good[-1][0] + 1, "broken", "CREATE TABLE half (x INT); SELECT * FROM nowhere;"))
    monkeypatch.setattr(database, "migrations", lambda: list(bad))
    with pytest.raises(DatabaseError, match="broken failed"), open_writer(db):
        pass
    monkeypatch.undo()
    with open_reader(db) as con:
        assert "half" not in _names(con, "BASE TABLE")
        top = con.execute("SELECT max(version) FROM schema_migrations").fetchall()
        assert top == [(good[-1][0],)]


def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    with open_writer(db) as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(DatabaseError, match="newer than this newsmon"), open_writer(db):
        pass


def test_reader_on_missing_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no database"), open_reader(tmp_path / "none.duckdb"):
        pass


def _hold(path: str, ready: multiprocessing.synchronize.Event, seconds: float) -> None:
    con = duckdb.connect(path)
    ready.set()
    time.sleep(seconds)
    con.close()


def test_lock_held_by_another_process_gives_busy_with_pid(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    with open_writer(db):
        pass
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(db), ready, 4.0))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(DatabaseBusy, match=r"in use by process \d+"), open_reader(db, 0.2):
            pass
        with pytest.raises(DatabaseBusy), open_writer(db, 0.2):
            pass
    finally:
        holder.join(30)
    with open_reader(db, wait_s=5) as con:
        assert con.execute("SELECT 1").fetchall() == [(1,)]


def test_views_are_recreated_only_when_their_sql_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "v.duckdb"
    with open_writer(db) as con:
        assert database.create_views(con) is False  # open_writer just created them
        assert database.create_views(con, force=True) is True
    real = database._sql_files

    def changed(folder: str) -> list[tuple[str, str]]:
        files = real(folder)
        if folder == "views":
            files.append(("zz_extra.sql", "CREATE OR REPLACE VIEW zz_extra AS SELECT 1 AS one"))
        return files

    monkeypatch.setattr(database, "_sql_files", changed)
    with open_writer(db) as con:
        assert con.execute("SELECT one FROM zz_extra").fetchall() == [(1,)]
