"""Story merges in the warehouse: re-pointed articles, the merge record, aliases, alerts, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from tasks.models import Alert, Article, StoryAssignment, StoryMerge
from warehouse import loading
from warehouse.database import open_writer, query
from warehouse.window import load_window

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def _article(
    article_id: str,
    minutes: int,
    *,
    body_len: int = 40,
    site: str = "전자신문",
    outlet: str | None = None,
    url_key: str | None = None,
) -> Article:
    when = T0 + timedelta(minutes=minutes)
    return Article(
        article_id=article_id,
        url=f"https://news.example/{article_id}",
        url_key=url_key or f"news.example/{article_id}",
        canonical_url=None,
        source_name="src",
        title=f"title {article_id}",
        body="본문 " * body_len,
        lead=None,
        lang="ko",
        published_at=when,
        date_source="meta",
        author=None,
        site_name=site,
        fetched_at=when,
        quality="ok",
        content_hash=f"h-{article_id}",
        og_url=f"https://news.example/{article_id}",
        outlet=outlet or site,
    )


def _write(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    articles: list[Article],
    assignments: list[StoryAssignment],
    merges: list[StoryMerge] = [],  # noqa: B006 - never mutated
) -> None:
    batch = loading.Batch(run_id=run_id, articles=articles, assignments=assignments, merges=merges)
    loading.write_batch(con, batch)


def _alert(story_id: str) -> Alert:
    return Alert(f"al-{story_id}", "alliance_new_story", "gtaa", story_id, story_id, "t", "m", T0)


def test_merge_repoints_articles_records_history_and_keeps_alerts_sent(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    with open_writer(db) as con:
        _write(
            con,
            "r1",
            [_article("a", 0), _article("b", 10, site="아이뉴스24"), _article("c", 20)],
            [
                StoryAssignment("a", "a", "original", 1.0),
                StoryAssignment("b", "b", "original", 1.0),
                StoryAssignment("c", "c", "original", 1.0),
            ],
        )
        loading.enqueue_alerts(con, [_alert("a"), _alert("b")])
        # Run 2: "bc" bridges b and c (c into b); run 3: "ab" bridges a and b (b into a).
        _write(
            con,
            "r2",
            [_article("bc", 30)],
            [StoryAssignment("bc", "b", "near", 0.4, "b")],
            [StoryMerge("c", "b", "bc", 0.35)],
        )
        _write(
            con,
            "r3",
            [
                _article("ab", 40),
                _article(
                    "portal",
                    41,
                    body_len=400,
                    site="네이버뉴스",
                    outlet="디지털데일리",
                    url_key="naver:138/0002000001",
                ),
            ],
            [
                StoryAssignment("ab", "a", "near", 0.5, "a"),
                StoryAssignment("portal", "a", "exact", 1.0, "ab"),
            ],
            [StoryMerge("b", "a", "ab", 0.45)],
        )
        stories = con.execute("SELECT DISTINCT story_id FROM articles").fetchall()
        assert stories == [("a",)]
        merges = con.execute(
            "SELECT merged_story_id, into_story_id, article_id, similarity, run_id"
            " FROM story_merges ORDER BY run_id"
        ).fetchall()
        assert merges == [("c", "b", "bc", 0.35, "r2"), ("b", "a", "ab", 0.45, "r3")]
        aliases = con.execute(
            "SELECT story_id, current_story_id, n_merges FROM story_aliases ORDER BY 1"
        ).fetchall()
        assert aliases == [("b", "a", 1), ("c", "a", 2)]
        # b's alert counts for a: a new mention of gtaa in story a finds both keys already there.
        keys = con.execute(query("alerted_keys"), {"story_ids": ["a"]}).fetchall()
        assert sorted(keys) == [("alliance_new_story", "gtaa", "a")] * 2
        assert con.execute("SELECT count(*) FROM alerts").fetchall() == [(2,)]

        story = con.execute(
            "SELECT n_articles, n_outlets, representative_article_id, n_merged FROM stories"
        ).fetchall()
        # Outlets: 전자신문 (a, c, bc, ab), 아이뉴스24 (b), 디지털데일리 (the Naver copy).
        assert story == [(6, 3, "a", 2)]
        roles = dict(con.execute("SELECT article_id, role FROM article_roles").fetchall())
        assert roles == {
            "a": "representative",
            "b": "original",
            "c": "original",
            "bc": "near",
            "ab": "near",
            "portal": "exact",
        }
        portal = con.execute(
            "SELECT outlet, is_portal_copy FROM article_roles WHERE article_id = 'portal'"
        ).fetchall()
        assert portal == [("디지털데일리", True)]


def test_representative_prefers_the_outlets_own_page_over_an_earlier_portal_copy(
    tmp_path: Path,
) -> None:
    db = tmp_path / "r.duckdb"
    with open_writer(db) as con:
        _write(
            con,
            "r1",
            [
                _article("naver", 0, site="네이버뉴스", outlet="전자신문", url_key="naver:030/1"),
                _article("own", 5, body_len=30),
                _article("own-full", 5, body_len=60),
            ],
            [
                StoryAssignment("naver", "naver", "original", 1.0),
                StoryAssignment("own", "naver", "near", 0.9, "naver"),
                StoryAssignment("own-full", "naver", "near", 0.9, "naver"),
            ],
        )
        rep = con.execute("SELECT representative_article_id, n_outlets FROM stories").fetchall()
        assert rep == [("own-full", 1)]


def test_window_lookup_loads_only_what_can_match_and_backfills_bands(tmp_path: Path) -> None:
    from dataclasses import replace

    from tasks.dedupe import content_hash, dedupe, signature
    from tests.tasks.test_dedupe import EN_OTHER, KO_OTHER, KO_RELEASE, KO_REWRITE

    stored = [
        replace(_article(name, i), body=body, content_hash=content_hash(body))
        for i, (name, body) in enumerate([("rel", KO_RELEASE), ("oth", KO_OTHER), ("en", EN_OTHER)])
    ]
    new = replace(_article("new", 60), body=KO_REWRITE, content_hash=content_hash(KO_REWRITE))
    db = tmp_path / "w.duckdb"
    with open_writer(db) as con:
        batch = loading.Batch(
            run_id="r1",
            articles=stored,
            assignments=[
                StoryAssignment(a.article_id, a.article_id, "original", 1.0) for a in stored
            ],
            signatures={a.article_id: signature(a.body) for a in stored},
        )
        loading.write_batch(con, batch)
        assert con.execute("SELECT count(*) FROM article_bands").fetchall() == [(3 * 64,)]
        con.execute("DELETE FROM article_bands WHERE article_id = 'rel'").fetchall()
        assert loading.backfill_bands(con) == 1
        assert loading.backfill_bands(con) == 0

        window = load_window(con, [new], {}, T0 - timedelta(days=14))
        assert [d.article_id for d in window] == ["rel"]
        assert window[0].story_since == T0
        (assignment,) = dedupe([new], window).assignments
        assert (assignment.story_id, assignment.dup_kind) == ("rel", "near")


def test_partial_window_gives_the_same_stories_as_the_whole_window(tmp_path: Path) -> None:
    from dataclasses import replace

    from tasks.dedupe import content_hash, dedupe, signature, window_from_arrow
    from tests.tasks.test_dedupe import (
        EN_OTHER,
        EN_RELEASE,
        EN_REWRITE,
        KO_OTHER,
        KO_PORTAL_COPY,
        KO_RELEASE,
        KO_REWRITE,
    )

    def make(name: str, body: str, minutes: int) -> Article:
        return replace(_article(name, minutes), body=body, content_hash=content_hash(body))

    stored = [
        make("rel", KO_RELEASE, 0),
        make("oth", KO_OTHER, 1),
        make("en", EN_RELEASE, 2),
        make("en-oth", EN_OTHER, 3),
    ]
    new = [
        make("portal", KO_PORTAL_COPY, 60),
        make("rw", KO_REWRITE, 61),
        make("en-rw", EN_REWRITE, 62),
        make("round", KO_OTHER + "\n\n" + EN_RELEASE, 63),
    ]
    db = tmp_path / "p.duckdb"
    with open_writer(db) as con:
        batch = loading.Batch(
            run_id="r1",
            articles=stored,
            assignments=[
                StoryAssignment(a.article_id, a.article_id, "original", 1.0) for a in stored
            ],
            signatures={a.article_id: signature(a.body) for a in stored},
        )
        loading.write_batch(con, batch)
        since = T0 - timedelta(days=14)
        partial = load_window(con, new, {}, since)
        whole = window_from_arrow(
            con.sql(
                "SELECT a.article_id, a.story_id, a.content_hash, s.signature, a.body, a.url_key,"
                " a.canonical_url, a.og_url, coalesce(a.published_at, a.fetched_at) AS seen_at,"
                " a.identity_keys"
                " FROM articles AS a JOIN article_signatures AS s USING (article_id)"
            ).to_arrow_table()
        )
    assert len(partial) < len(whole)
    assert dedupe(new, partial) == dedupe(new, whole)
    assert dedupe(new, partial).merges  # the round-up merged two stored stories
