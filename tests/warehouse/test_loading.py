from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.models import Alert, Article, FeedItem, FetchResult, Mention, Source, StoryAssignment
from warehouse import loading
from warehouse.database import open_writer

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def _article(n: int) -> Article:
    return Article(
        article_id=f"a{n}",
        url=f"https://news.example/{n}",
        url_key=f"news.example/{n}",
        canonical_url=None,
        source_name="src",
        title=f"제목 {n}",
        body=f"본문 {n} " * 50,
        lead=None,
        lang="ko",
        published_at=NOW,
        date_source="feed",
        author=None,
        site_name=None,
        fetched_at=NOW,
        quality="ok",
        content_hash=f"h{n}",
        title_flags=("속보",),
    )


def _batch(run_id: str) -> loading.Batch:
    articles = [_article(1), _article(2)]
    fetch = FetchResult(
        "https://news.example/1", "https://news.example/1", "src", NOW, 200, b"x", "text/html", 5
    )
    item = FeedItem("src", "https://news.example/1", "t", NOW, "g", "s", "ko")
    mention = Mention("a1", "sk_telecom", "SK텔레콤", "body", 0, 5, "SK텔레콤은 …", False, True)
    return loading.Batch(
        run_id=run_id,
        fetches=[(fetch, "article")],
        feed_items=[("news.example/1", item), ("news.example/1", item)],
        articles=articles,
        assignments=[
            StoryAssignment("a1", "a1", "original", 1.0),
            StoryAssignment("a2", "a1", "near", 0.8, "a1"),
        ],
        signatures={"a1": [1, 2, 3], "a2": [4, 5, 6]},
        mentions=[mention, mention],
    )


def test_write_batch_is_idempotent_and_stories_view_follows(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_writer(db) as con:
        first = loading.write_batch(con, _batch("r1"))
        second = loading.write_batch(con, _batch("r2"))
        core = ("feed_items", "articles", "signatures", "mentions")  # other tables: own tests
        assert {k: first[k] for k in core} == {
            "feed_items": 1,
            "articles": 2,
            "signatures": 2,
            "mentions": 1,
        }
        assert {k: second[k] for k in core} == dict.fromkeys(core, 0)
        story = con.execute(
            "SELECT story_id, n_articles, representative_article_id FROM stories"
        ).fetchall()
        assert story == [("a1", 2, "a1")]
        assert con.execute("SELECT count(*) FROM fetch_log").fetchall() == [(2,)]
        flags = con.execute("SELECT title_flags FROM articles WHERE article_id='a1'").fetchall()
        assert flags == [(["속보"],)]


def test_insert_in_slices_keeps_first_of_each_key_and_counts_new(tmp_path: Path) -> None:
    """Rows go in slices (memory); across slice boundaries a key given twice keeps its first
    row, a key already stored is left alone, and the count is of new rows only."""
    n = loading._SLICE_ROWS * 2 + 37
    rows = [{"k": f"k{i % (n - 100)}", "v": bytes([i % 251]) * 40, "i": i} for i in range(n)]
    with open_writer(tmp_path / "s.duckdb") as con:
        con.execute("CREATE TEMP TABLE t (k VARCHAR PRIMARY KEY, v BLOB, i INTEGER)")
        con.execute("INSERT INTO t VALUES ('k5', NULL, -1)")
        assert loading._insert(con, "t", rows, ["k"]) == n - 100 - 1
        stored = dict(con.execute("SELECT k, i FROM t").fetchall())
    assert len(stored) == n - 100
    assert stored["k5"] == -1
    assert stored["k7"] == 7  # given again at 7 + n - 100, in a later slice: the first one stays


def test_batch_with_unassigned_article_is_rejected_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    batch = _batch("r1")
    broken = loading.Batch(run_id="r1", articles=batch.articles, assignments=batch.assignments[:1])
    with open_writer(db) as con:
        with pytest.raises(ValueError, match="without a story"):
            loading.write_batch(con, broken)
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(0,)]


def test_outbox_keys_are_unique_and_marking_works(tmp_path: Path) -> None:
    alert = Alert("x1", "alliance_new_story", "gtaa", "s1", "a1", "t", "m", NOW)
    twin = Alert("x2", "alliance_new_story", "gtaa", "s1", "a2", "t", "m", NOW)
    with open_writer(tmp_path / "o.duckdb") as con:
        assert loading.enqueue_alerts(con, [alert, twin]) == 1
        assert loading.enqueue_alerts(con, [twin]) == 0
        loading.mark_alert(con, "x1", "sent", 1, None, None)
        row = con.execute("SELECT status, attempts, sent_at IS NOT NULL FROM alerts").fetchall()
        assert row == [("sent", 1, True)]


def test_sources_and_entities_sync(tmp_path: Path) -> None:
    with open_writer(tmp_path / "s.duckdb") as con:
        loading.sync_sources(con, [Source("a", "https://x/rss", "rss", "ko")])
        loading.sync_sources(con, [Source("a", "https://x/rss2", "rss", "ko", "g")])
        assert con.execute("SELECT url, source_group FROM sources").fetchall() == [
            ("https://x/rss2", "g")
        ]
        loading.sync_entities(con, [("kt", "company", "KT", "KT", "KR", ["KT"], [])])
        loading.sync_entities(con, [("gtaa", "alliance", "GTAA", None, None, [], ["sk_telecom"])])
        assert con.execute("SELECT entity_id FROM entities").fetchall() == [("gtaa",)]
