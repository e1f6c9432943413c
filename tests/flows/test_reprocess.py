"""The raw page archive, page states and ``newsmon reprocess``, on a DuckDB file made by real runs
of the monitor flow against the local news site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demo.manifest import load_manifest
from demo.newsite import NewsSite
from flows.cli import app
from flows.reprocess import reprocess
from flows.runner import gazetteer_and_tagger
from tasks.archive import decompress
from tasks.identity import page_keys
from tasks.urls import url_key
from tests.flows.conftest import run_flow

MANIFEST = load_manifest()
FAILING = MANIFEST.page("ko-airan-jeonja")


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@dataclass
class Archived:
    db: Path
    site: NewsSite
    first_articles: int
    first_state: tuple[object, ...]


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archived]:
    """Run 1 with one article page failing (503); run 2 with the page back."""
    tmp = tmp_path_factory.mktemp("archive")
    with NewsSite() as site, pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
        mp.setenv("NEWSMON_TIMEOUT_S", "2")
        mp.delenv("NEWSMON_ALERT_URLS", raising=False)
        sources = tmp / "sources.toml"
        sources.write_text(site.render_sources_toml(), encoding="utf-8")
        db = tmp / "archive.duckdb"
        site.set_fault(FAILING.path, "status", status=503)
        assert run_flow(sources, db, send_alerts=False).is_completed()
        first_articles = _rows(db, "SELECT count(*) FROM articles")[0][0]
        first_state = _rows(
            db,
            "SELECT page_state, page_error, title, summary FROM feed_items WHERE url_key = ?",
            [url_key(site.url(FAILING.path))],
        )[0]
        site.clear_faults()
        assert run_flow(sources, db, send_alerts=False).is_completed()
        yield Archived(db, site, int(str(first_articles)), first_state)


def test_a_failed_fetch_keeps_the_feed_item_with_its_state_and_is_retried(
    archived: Archived,
) -> None:
    state, error, title, summary = archived.first_state
    assert (state, error) == ("fetch_failed", "http_5xx")
    assert title and summary  # what the feed told us is stored beside the state
    key = url_key(archived.site.url(FAILING.path))
    after = _rows(
        archived.db,
        "SELECT f.page_state, f.page_error, a.quality FROM feed_items f "
        "JOIN articles a USING (url_key) WHERE url_key = ?",
        [key],
    )
    assert after == [("ok", None, "ok")]  # fetched again on the next run, and now stored
    states = dict(_rows(archived.db, "SELECT page_state, count(*) FROM feed_items GROUP BY 1"))
    articles = _rows(archived.db, "SELECT count(*) FROM articles")[0][0]
    assert (
        sum(int(str(n)) for s, n in states.items() if s not in (None, "fetch_failed")) == articles
    )


def test_every_article_has_its_page_archived_compressed_with_headers(archived: Archived) -> None:
    rows = _rows(
        archived.db,
        "SELECT a.url, p.content, p.compression, p.raw_bytes, p.headers, p.encoding, p.http_status "
        "FROM articles a JOIN pages p USING (article_id)",
    )
    assert len(rows) == _rows(archived.db, "SELECT count(*) FROM articles")[0][0]
    stored = raw = 0
    for url, content, compression, raw_bytes, headers, encoding, status in rows:
        assert isinstance(content, bytes) and isinstance(compression, str)
        page = decompress(content, compression)
        assert len(page) == raw_bytes and b"<html" in page.lower()
        names = {name.lower() for name, _value in json.loads(str(headers))}
        assert "content-type" in names, url
        assert status == 200 and encoding in {"utf-8", "cp949"}
        stored, raw = stored + len(content), raw + len(page)
    assert stored < raw / 2
    encodings = {r[5] for r in rows}
    assert encodings == {"utf-8", "cp949"}  # the EUC-KR pages are read as CP949


def test_reprocess_restores_articles_and_mentions_in_place_and_is_idempotent(
    archived: Archived,
) -> None:
    db = archived.db
    before = _rows(db, "SELECT article_id, title, body, story_id, quality FROM articles ORDER BY 1")
    mentions = _rows(db, "SELECT * FROM mentions ORDER BY ALL")
    relations = _rows(db, "SELECT * FROM relation_candidates ORDER BY ALL")
    assert mentions
    # ids derive from URLs with the test server's random port: pick an article that has mentions
    victim = str(_rows(db, "SELECT min(article_id) FROM mentions")[0][0])
    _rows(db, "UPDATE articles SET body = 'stale', title = 'stale' WHERE article_id = ?", [victim])
    _rows(db, "DELETE FROM mentions WHERE article_id = ?", [victim])
    gazetteer, tagger = gazetteer_and_tagger(None)

    first = reprocess(db, gazetteer, tagger)
    assert first.pages == len(before) and not first.failed
    assert (first.changed_bodies, first.changed_titles) == (1, 1)
    assert first.mentions_after == len(mentions) > first.mentions_before
    assert _rows(
        db, "SELECT article_id, title, body, story_id, quality FROM articles ORDER BY 1"
    ) == (before)
    assert _rows(db, "SELECT * FROM mentions ORDER BY ALL") == mentions
    assert _rows(db, "SELECT * FROM relation_candidates ORDER BY ALL") == relations

    second = reprocess(db, gazetteer, tagger)
    assert (second.changed_bodies, second.changed_titles, second.changed_quality) == (0, 0, 0)
    assert second.mentions_before == second.mentions_after == len(mentions)
    assert _rows(db, "SELECT * FROM mentions ORDER BY ALL") == mentions

    later = reprocess(db, gazetteer, tagger, since=datetime.now(UTC) + timedelta(days=1))
    assert later.pages == 0
    assert _rows(db, "SELECT count(*) FROM runs WHERE flow = 'reprocess'")[0][0] == 3


_IDENTITY = (
    "SELECT article_id, canonical_url, og_url, outlet, identity_keys, story_id, dup_kind, "
    "similarity FROM articles ORDER BY 1"
)


def test_reprocess_refreshes_identity_in_one_transaction_and_keeps_stories(
    archived: Archived, monkeypatch: pytest.MonkeyPatch
) -> None:
    """og_url, outlet, canonical link and identity keys come back from the archived page; a
    failing write leaves every column of the chunk as it was; story membership never moves."""
    db = archived.db
    before = _rows(db, _IDENTITY)
    assert any(row[2] for row in before) and any(row[3] for row in before)
    victim = str(next(row[0] for row in before if row[2]))
    stale = ("https://stale.example/x", "https://stale.example/y", "Stale Outlet", ["stale:key"])
    _rows(
        db,
        "UPDATE articles SET canonical_url = ?, og_url = ?, outlet = ?, identity_keys = ? "
        "WHERE article_id = ?",
        [*stale, victim],
    )
    gazetteer, tagger = gazetteer_and_tagger(None)

    def broken(*_args: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:  # the last write of the chunk fails: nothing is kept
        patch.setattr("flows.reprocess.loading.update_page_states", broken)
        with pytest.raises(RuntimeError):
            reprocess(db, gazetteer, tagger)
    after_failure = _rows(
        db,
        "SELECT canonical_url, og_url, outlet, identity_keys FROM articles WHERE article_id = ?",
        [victim],
    )
    assert after_failure == [stale]

    report = reprocess(db, gazetteer, tagger)
    assert not report.failed
    assert _rows(db, _IDENTITY) == before  # identity refreshed, story_id/dup_kind/similarity kept
    for _id, canonical, og_url, _outlet, keys, *_story in before:
        assert isinstance(keys, list) and keys
        links = [str(u) if u is not None else None for u in (canonical, og_url)]
        assert keys == list(page_keys(str(keys[0]), *links))  # url_key first, as dedupe reads


def test_reprocess_command_prints_a_table(archived: Archived) -> None:
    result = CliRunner().invoke(
        app, ["reprocess", "--db", str(archived.db), "--since", "2000-01-01"]
    )
    assert result.exit_code == 0, result.output
    n_mentions = _rows(archived.db, "SELECT count(*) FROM mentions")[0][0]
    assert f"{n_mentions} → {n_mentions}" in result.output  # the table's mentions column
    bad = CliRunner().invoke(app, ["reprocess", "--db", str(archived.db), "--since", "yesterday"])
    assert bad.exit_code == 1
