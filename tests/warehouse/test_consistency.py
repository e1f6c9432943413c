"""The consistency checks and the fetch-attempt limit for pages still listed in a feed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.consistency import check_names, violations
from warehouse.database import open_writer, query

URL = "https://news.example/gone.html"


def _fail_fetches(con: duckdb.DuckDBPyConnection, n: int) -> None:
    con.execute(
        "INSERT INTO feed_items (url_key, url, source_name, first_seen_at)"
        " VALUES ('news.example/gone.html', $url, 's', now())",
        {"url": URL},
    ).fetchall()
    for _ in range(n):
        con.execute(
            "INSERT INTO fetch_log (run_id, url, source_name, purpose, requested_at, http_status,"
            " error, bytes, elapsed_ms) VALUES ('r', $url, 's', 'article', now(), 404,"
            " 'http_4xx', 0, 1)",
            {"url": URL},
        ).fetchall()


def _exhausted(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        query("exhausted_url_keys"), {"keys": ["news.example/gone.html"], "max_attempts": 5}
    ).fetchall()


def test_a_page_that_failed_max_attempts_times_is_not_fetched_again(tmp_path: Path) -> None:
    with open_writer(tmp_path / "a.duckdb") as con:
        _fail_fetches(con, 4)
        assert _exhausted(con) == []
        con.execute(
            "INSERT INTO fetch_log (run_id, url, source_name, purpose, requested_at, bytes,"
            " elapsed_ms) VALUES ('r', $url, 's', 'article', now(), 0, 1)",
            {"url": URL},
        ).fetchall()
        assert _exhausted(con) == [("news.example/gone.html",)]


def test_a_fresh_database_is_consistent_and_an_orphan_is_named(tmp_path: Path) -> None:
    with open_writer(tmp_path / "b.duckdb") as con:
        assert violations(con) == []
        _fail_fetches(con, 1)  # a fetch_log row of a run that does not exist
        found = violations(con)
    assert [(check, key) for check, key, _ in found] == [("fetch_log_unknown_run", "r")]
    assert "fetch_log_unknown_run" in check_names() and len(check_names()) >= 20
