from datetime import UTC, datetime

import pytest

from tasks.feeds import FeedError
from tasks.models import Source
from tasks.sitemaps import feed_links, harvest_links, looks_like_sitemap, parse_sitemap

SRC = Source("s", "https://news.example/sitemap.xml", "sitemap", "ko")

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example/article/1</loc>
    <news:news><news:title>SK\xed\x85\x94\xeb\xa0\x88\xec\xbd\xa4 GTAA</news:title>
    <news:publication_date>2026-11-20T09:00:00+09:00</news:publication_date></news:news></url>
  <url><loc>/article/2</loc><lastmod>2026-11-21</lastmod></url>
  <url><loc>javascript:void(0)</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/s1.xml</loc></sitemap><sitemap><loc>/s2.xml</loc></sitemap>
</sitemapindex>"""

BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol2;</loc></url></urlset>"""


def test_news_sitemap_keeps_title_and_date() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP, SRC, SRC.url)
    assert [i.url for i in sitemap.items] == [
        "https://news.example/article/1",
        "https://news.example/article/2",
    ]
    assert sitemap.items[0].title == "SK텔레콤 GTAA"
    assert sitemap.items[0].published_at == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert sitemap.items[1].published_at == datetime(2026, 11, 21, tzinfo=UTC)


def test_sitemap_index_lists_children() -> None:
    assert looks_like_sitemap(INDEX)
    assert parse_sitemap(INDEX, SRC, SRC.url).children == (
        "https://news.example/s1.xml",
        "https://news.example/s2.xml",
    )


@pytest.mark.parametrize("content", [BOMB, b"<urlset", b"<html></html>", b"<foo/>"])
def test_hostile_or_broken_sitemaps_are_refused(content: bytes) -> None:
    with pytest.raises(FeedError):
        parse_sitemap(content, SRC, SRC.url)


LISTING = """<html><head>
<link rel="alternate" type="application/rss+xml" href="/rss/allArticle.xml">
</head><body><nav><a href="/">홈</a><a href="/about">소개</a></nav>
<a href="/news/articleView.html?idxno=101">SK텔레콤 기사</a>
<a href="https://news.example/news/articleView.html?idxno=102#comments">KT 기사</a>
<a href="https://other.example/news/articleView.html?idxno=9">other host</a>
<a href="/news/articleView.html?idxno=101">dup</a></body></html>""".encode()


def test_listing_page_harvests_article_links_on_the_same_host() -> None:
    source = Source("l", "https://news.example/list", "page", "ko")
    items = harvest_links(LISTING, source, source.url)
    assert [i.url for i in items] == [
        "https://news.example/news/articleView.html?idxno=101",
        "https://news.example/news/articleView.html?idxno=102",
    ]
    assert items[0].title == "SK텔레콤 기사"


def test_listing_page_with_explicit_pattern() -> None:
    source = Source("l", "https://news.example/list", "page", "ko", link_pattern=r"idxno=102")
    assert len(harvest_links(LISTING, source, source.url)) == 1


def test_feed_autodiscovery_links() -> None:
    assert feed_links(LISTING, "https://news.example/") == [
        "https://news.example/rss/allArticle.xml"
    ]
