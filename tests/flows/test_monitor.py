"""End to end: the real flow under Prefect's test harness, against the real local news site,
into a real DuckDB file, alerting a real local webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from demo.manifest import ENTITY_IDS, Manifest, load_manifest
from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from tasks.urls import url_key
from tests.flows.conftest import run_flow

MANIFEST: Manifest = load_manifest()
COUNTED = ("articles", "mentions", "alerts", "feed_items", "article_signatures")


@dataclass
class Snapshot:
    counts: dict[str, int]
    articles: dict[str, dict[str, Any]]
    mentions: dict[str, set[str]]
    alerts: list[tuple[str, str, str, str]]
    archive: list[tuple[str, int, int | None, bytes, str]]


def _snapshot(db: Path) -> Snapshot:
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in COUNTED}
        cur = con.execute("SELECT * FROM articles")
        names = [d[0] for d in cur.description or []]
        articles = {
            row[names.index("url_key")]: dict(zip(names, row, strict=True))
            for row in cur.fetchall()
        }
        mentions: dict[str, set[str]] = {}
        for article_id, entity_id in con.execute(
            "SELECT article_id, entity_id FROM mentions"
        ).fetchall():
            mentions.setdefault(article_id, set()).add(entity_id)
        alerts = con.execute(
            "SELECT rule, entity_id, story_id, status FROM alerts ORDER BY ALL"
        ).fetchall()
        archive = con.execute(
            "SELECT a.url_key, p.raw_bytes, f.bytes, p.content, p.compression "
            "FROM articles a LEFT JOIN pages p USING (article_id) "
            "LEFT JOIN fetch_log f ON f.url = p.url AND f.purpose = 'article' ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    return Snapshot(counts, articles, mentions, alerts, archive)


@dataclass
class TwoRuns:
    site: NewsSite
    receiver: WebhookReceiver
    first: Snapshot
    second: Snapshot
    states: tuple[Any, Any]
    messages_after_first: int
    page_hits: dict[str, int]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoRuns]:
    tmp = tmp_path_factory.mktemp("e2e")
    with (
        NewsSite() as site,
        WebhookReceiver() as receiver,
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
        mp.setenv("NEWSMON_ALERT_URLS", receiver.apprise_url)
        sources = tmp / "sources.toml"
        sources.write_text(site.render_sources_toml(), encoding="utf-8")
        db = tmp / "e2e.duckdb"
        state1 = run_flow(sources, db)
        first = _snapshot(db)
        after_first = len(receiver.messages)
        state2 = run_flow(sources, db)
        second = _snapshot(db)
        hits = {p.id: site.hits(p.path) for p in MANIFEST.pages}
        yield TwoRuns(site, receiver, first, second, (state1, state2), after_first, hits)


def _article(runs: TwoRuns, page_id: str) -> dict[str, Any]:
    page = MANIFEST.page(page_id)
    return runs.first.articles[url_key(runs.site.url(page.feed_link))]


def test_both_runs_complete(two_runs: TwoRuns) -> None:
    assert all(s.is_completed() for s in two_runs.states), [s.message for s in two_runs.states]


def test_every_page_becomes_one_article(two_runs: TwoRuns) -> None:
    assert two_runs.first.counts["articles"] == len(MANIFEST.pages)
    for page in MANIFEST.pages:
        article = _article(two_runs, page.id)
        assert article["lang"] == page.lang, page.id
        assert article["quality"] == "ok", page.id
        assert "&amp;" not in (article["title"] or "") + article["body"], page.id


def test_every_article_keeps_its_page_bytes_and_the_log_its_size(two_runs: TwoRuns) -> None:
    """Pages are compressed in the extract+tag chunks and their raw bytes let go right after:
    the archive still holds every article's page as served, and the fetch log its full size."""
    from tasks.archive import decompress

    served = {
        url_key(two_runs.site.url(p.feed_link)): len(two_runs.site.content(p.path))
        for p in MANIFEST.pages
    }
    rows = two_runs.first.archive
    assert len(rows) == len(MANIFEST.pages)
    for key, raw_bytes, logged_bytes, content, compression in rows:
        assert raw_bytes == logged_bytes == served[key] == len(decompress(content, compression))


@pytest.mark.parametrize("page", MANIFEST.pages, ids=lambda p: p.id)
def test_mentions_match_the_manifest(two_runs: TwoRuns, page: Any) -> None:
    article = _article(two_runs, page.id)
    found = two_runs.first.mentions.get(article["article_id"], set()) & ENTITY_IDS
    assert page.entities <= found, f"missed {page.entities - found}"
    assert not (page.not_entities & found), f"false {page.not_entities & found}"
    assert found == page.entities, f"extra {found - page.entities}"


@pytest.mark.parametrize("page", MANIFEST.pages, ids=lambda p: p.id)
def test_extracted_body_is_the_article(two_runs: TwoRuns, page: Any) -> None:
    body = _article(two_runs, page.id)["body"]
    for phrase in page.body_contains:
        assert phrase in body, phrase
    for junk in (*page.chrome, *page.boilerplate):
        assert junk not in body, junk


def test_copies_join_one_story_and_different_stories_stay_apart(two_runs: TwoRuns) -> None:
    story_of = {p.id: _article(two_runs, p.id)["story_id"] for p in MANIFEST.pages}
    for group, pages in MANIFEST.stories().items():
        assert len({story_of[p.id] for p in pages}) == 1, group
    distinct_groups = {p.story for p in MANIFEST.pages}
    assert len(set(story_of.values())) == len(distinct_groups)
    for page in MANIFEST.pages:
        assert _article(two_runs, page.id)["dup_kind"] == page.dup, page.id


def test_one_alert_per_alliance_and_story_delivered(two_runs: TwoRuns) -> None:
    alliances = {"gtaa", "ai_ran_alliance", "o_ran_alliance"}
    expected = {
        (p.story, e)
        for p in MANIFEST.pages
        for e in p.entities
        if e in alliances | {"gsma", "tm_forum"}
    }
    story_ids = {p.story: _article(two_runs, p.id)["story_id"] for p in MANIFEST.pages}
    got = {(rule, entity, story) for rule, entity, story, _ in two_runs.first.alerts}
    alliance_expected = {
        ("alliance_new_story", e, story_ids[s]) for s, e in expected if e in alliances
    }
    assert alliance_expected <= got
    assert all(status == "sent" for *_, status in two_runs.first.alerts)
    assert two_runs.messages_after_first == len(two_runs.first.alerts)
    titles = [str(m.get("title", "")) for m in two_runs.receiver.messages]
    assert len(titles) == len(set(titles))


def test_second_run_adds_nothing_sends_nothing_refetches_nothing(two_runs: TwoRuns) -> None:
    assert two_runs.second.counts == two_runs.first.counts
    assert two_runs.second.alerts == two_runs.first.alerts
    assert len(two_runs.receiver.messages) == two_runs.messages_after_first
    assert all(hits == 1 for hits in two_runs.page_hits.values()), two_runs.page_hits
