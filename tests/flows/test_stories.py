"""Stories end to end across runs: the real flow against pages published between two runs.

Run 1 stores a Korean release (story A, alerted for GTAA), a different story about the same company
(story B, alerted for GTAA) and an English release (story E). Between the runs the site publishes
an AMP copy of A whose canonical link names A's page, a portal copy of A with portal boilerplate
that names A's outlet, a round-up that quotes A and B (so B merges into the older A), and an English
rewrite of E. Texts are the synthetic ones of tests/tasks/test_dedupe.py.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from tasks.urls import url_key
from tests.flows.conftest import run_flow
from tests.tasks.test_dedupe import (
    EN_RELEASE,
    EN_REWRITE,
    KO_OTHER,
    KO_RELEASE,
    PORTAL_BOILERPLATE_BOTTOM,
    PORTAL_BOILERPLATE_TOP,
)

KO_OTHER_GTAA = (
    KO_OTHER + "\n\nSK텔레콤은 글로벌 텔코 AI 얼라이언스(GTAA) 회원사들과 공동 구매로 장비 비용을 "
    "줄이는 방안도 논의하고 있다."
)
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    body: str
    site: str
    minutes_ago: int
    lang: str = "ko"
    head: str = ""


RUN1 = [
    Page("/t5/a.html", "SK텔레콤, 판교에 AI 데이터센터", KO_RELEASE, "테크데일리", 300),
    Page("/t5/b.html", "SK텔레콤 3분기 실적", KO_OTHER_GTAA, "아이티저널", 240),
    Page("/t5/en1.html", "Nokia and Telstra sign optical deal", EN_RELEASE, "Backhaul", 200, "en"),
]
RUN2 = [
    Page(
        "/t5/amp/a.html",
        "SK텔레콤, 판교에 AI 데이터센터",
        KO_RELEASE,
        "테크데일리",
        100,
        head='<link rel="canonical" href="{base}/t5/a.html">',
    ),
    Page(
        "/portal/v/20261120093000555",
        "SK텔레콤, 판교에 AI 데이터센터",
        PORTAL_BOILERPLATE_TOP + KO_RELEASE + PORTAL_BOILERPLATE_BOTTOM,
        "가상포털 뉴스",
        90,
        head='<meta property="article:media_name" content="테크데일리">',
    ),
    Page(
        "/t5/ab.html",
        "SK텔레콤 주간 브리핑",
        KO_RELEASE + "\n\n" + KO_OTHER_GTAA,
        "누리뉴스",
        60,
    ),
    Page("/t5/en2.html", "Telstra picks Nokia", EN_REWRITE, "Spectrum", 50, "en"),
]


def _html(page: Page) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in page.body.split("\n") if p.strip())
    when = (NOW - timedelta(minutes=page.minutes_ago)).isoformat()
    return (
        f'<!DOCTYPE html><html lang="{page.lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(page.title)}</title>"
        f'<meta property="og:site_name" content="{html.escape(page.site)}">'
        f'<meta property="og:title" content="{html.escape(page.title)}">'
        f'<meta property="article:published_time" content="{when}">{page.head}</head>'
        f"<body><article><h1>{html.escape(page.title)}</h1>\n{paragraphs}\n</article></body></html>"
    )


def _feed(site: NewsSite, pages: list[Page]) -> str:
    items = "".join(
        f"<item><title>{html.escape(p.title)}</title><link>{site.url(p.path)}</link>"
        f"<guid>{site.url(p.path)}</guid>"
        f"<pubDate>{format_datetime(NOW - timedelta(minutes=p.minutes_ago))}</pubDate></item>"
        for p in pages
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t5</title>'
        f"<link>{site.base_url}/</link><description>t5</description>{items}</channel></rss>"
    )


@dataclass
class Runs:
    site: NewsSite
    db: Path
    states: list[Any]
    messages: list[int]
    stories_after_first: int

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def story_of(self, path: str) -> str:
        key = url_key(self.site.url(path))
        ((story,),) = self.rows(f"SELECT story_id FROM articles WHERE url_key = '{key}'")
        return str(story)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("stories")
    with (
        NewsSite() as site,
        WebhookReceiver() as receiver,
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
        mp.setenv("NEWSMON_ALERT_URLS", receiver.apprise_url)
        sources = tmp / "sources.toml"
        sources.write_text(
            f'[[sources]]\nname = "t5"\nurl = "{site.url("/t5/feed.rss")}"\nkind = "rss"\n'
            'lang = "ko"\n',
            encoding="utf-8",
        )
        db = tmp / "stories.duckdb"
        states, messages, stories = [], [], []
        for pages in (RUN1, RUN1 + RUN2):
            for page in pages:
                site.add_page(page.path, _html(page))
            site.add_page("/t5/feed.rss", _feed(site, pages), "application/rss+xml")
            states.append(run_flow(sources, db))
            messages.append(len(receiver.messages))
            stories.append(Runs(site, db, [], [], 0).rows("SELECT count(*) FROM stories")[0][0])
        yield Runs(site, db, states, messages, stories[0])


def test_both_runs_complete(runs: Runs) -> None:
    assert all(s.is_completed() for s in runs.states), [s.message for s in runs.states]
    assert runs.rows("SELECT count(*) FROM articles") == [(7,)]


def test_first_run_keeps_the_three_stories_apart_and_alerts_both_gtaa_stories(runs: Runs) -> None:
    assert runs.stories_after_first == 3
    assert runs.messages[0] == 2


def test_later_copies_join_the_stored_story(runs: Runs) -> None:
    story_a = runs.story_of("/t5/a.html")
    for path in ("/t5/amp/a.html", "/portal/v/20261120093000555", "/t5/ab.html"):
        assert runs.story_of(path) == story_a, path
    assert runs.story_of("/t5/en2.html") == runs.story_of("/t5/en1.html")


def test_bridging_article_merges_the_newer_story_into_the_older(runs: Runs) -> None:
    story_a = runs.story_of("/t5/a.html")
    assert runs.story_of("/t5/b.html") == story_a
    key_ab = url_key(runs.site.url("/t5/ab.html"))
    merges = runs.rows(
        "SELECT m.into_story_id, a.url_key, m.similarity >= 0.3 FROM story_merges AS m"
        " JOIN articles AS a USING (article_id)"
    )
    assert merges == [(story_a, key_ab, True)]


def test_roles_and_outlets(runs: Runs) -> None:
    roles = dict(
        runs.rows(
            "SELECT a.url_key, r.role FROM article_roles AS r JOIN articles AS a USING (article_id)"
        )
    )
    key = lambda path: url_key(runs.site.url(path))  # noqa: E731
    assert roles[key("/t5/a.html")] == "representative"
    assert roles[key("/t5/amp/a.html")] == "exact"
    assert roles[key("/t5/b.html")] == "original"  # founded story B, merged into A
    assert roles[key("/t5/ab.html")] == "near"
    assert roles[key("/t5/en2.html")] == "near"
    # The portal copy counts as its original outlet (테크데일리), not as the portal.
    story = runs.rows(
        "SELECT n_articles, n_outlets, n_merged FROM stories"
        f" WHERE story_id = '{runs.story_of('/t5/a.html')}'"
    )
    assert story == [(5, 3, 1)]


def test_merge_sends_no_alert_again(runs: Runs) -> None:
    assert runs.messages[1] == runs.messages[0]
    statuses = runs.rows("SELECT status, count(*) FROM alerts GROUP BY ALL")
    assert statuses == [("sent", 2)]
