"""url_key and friends: tables of real URL shapes (telecom-facts §5) and of garbage."""

from __future__ import annotations

import re

import pytest

from tasks.urls import article_id_for, is_http_url, naver_press, portal_of, url_key


@pytest.mark.parametrize(
    ("url", "key"),
    [
        # host: scheme, case, www./m., default port, trailing dot
        ("https://www.Example.COM/a", "example.com/a"),
        ("http://example.com/a", "example.com/a"),
        ("https://m.example.com/a", "example.com/a"),
        ("https://www.m.example.com/a", "example.com/a"),
        ("https://example.com:443/a", "example.com/a"),
        ("http://example.com:80/a", "example.com/a"),
        ("https://example.com:8443/a", "example.com:8443/a"),
        ("https://example.com./a", "example.com/a"),
        ("https://m.com/a", "m.com/a"),
        ("https://user:pw@example.com/a", "example.com/a"),
        ("https://한국일보.kr/a", "xn--3e0bm80ac2h5no.kr/a"),
        # path: trailing slash, dot segments, percent-encoding
        ("https://example.com/", "example.com"),
        ("https://example.com", "example.com"),
        ("https://example.com/news/123/", "example.com/news/123"),
        ("https://example.com/a/./b/../c", "example.com/a/c"),
        ("https://example.com/%7euser/%41", "example.com/~user/A"),
        ("https://example.com/%ea%b0%80", "example.com/%EA%B0%80"),
        ("https://example.com/가", "example.com/%EA%B0%80"),
        ("https://example.com/a%2Fb", "example.com/a%2Fb"),
        ("https://example.com/a b", "example.com/a%20b"),
        # query: sorted, blank values kept, encoding unified, fragment dropped
        ("https://example.com/v?b=2&a=1", "example.com/v?a=1&b=2"),
        ("https://example.com/v?a=2&a=1", "example.com/v?a=1&a=2"),
        ("https://example.com/v?flag", "example.com/v?flag="),
        ("https://example.com/v?q=a%20b", "example.com/v?q=a+b"),
        ("https://example.com/v?q=한", "example.com/v?q=%ED%95%9C"),
        ("https://example.com/v?q=%B4%BA", "example.com/v?q=%B4%BA"),
        ("https://example.com/v?", "example.com/v"),
        ("https://example.com/v#section-2", "example.com/v"),
        # tracking parameters
        (
            "https://example.com/v?id=7&utm_source=rss&utm_medium=feed&UTM_Campaign=x",
            "example.com/v?id=7",
        ),
        ("https://example.com/v?id=7&fbclid=abc&gclid=def&dclid=1&msclkid=2", "example.com/v?id=7"),
        ("https://example.com/v?id=7&mc_cid=1&mc_eid=2&_ga=3&igshid=4", "example.com/v?id=7"),
        ("https://example.com/v?id=7&ref=rss&from=rss&rss=1", "example.com/v?id=7"),
        (
            "https://www.lightreading.com/5g/some-story?_mc=RSS_LR_EDT",
            "lightreading.com/5g/some-story",
        ),
        # outlet shapes (§5d)
        ("https://www.etnews.com/20250304000269", "etnews.com/20250304000269"),
        (
            "https://www.example.co.kr/news/articleView.html?idxno=12345",
            "example.co.kr/news/articleView.html?idxno=12345",
        ),
        (
            "https://m.example.co.kr/news/articleView.html?idxno=12345&utm_source=naver",
            "example.co.kr/news/articleView.html?idxno=12345",
        ),
        (
            "https://www.khan.co.kr/world/world-general/article/202208010827001/"
            "?utm_campaign=rss_btn_click&utm_source=khan_rss",
            "khan.co.kr/article/202208010827001",
        ),
        (
            "https://www.khan.co.kr/world/europe-russia/article/202208010827001",
            "khan.co.kr/article/202208010827001",
        ),
        (
            "https://www.chosun.com/economy/tech_it/2024/06/18/ABC123/?outputType=amp",
            "chosun.com/economy/tech_it/2024/06/18/ABC123",
        ),
        # Naver: one key for every article form, section code (sid) ignored
        ("https://n.news.naver.com/mnews/article/030/0003212345?sid=105", "naver:030/0003212345"),
        ("https://n.news.naver.com/mnews/article/030/0003212345", "naver:030/0003212345"),
        ("https://n.news.naver.com/article/030/0003212345", "naver:030/0003212345"),
        ("https://m.news.naver.com/article/030/0003212345?sid=105", "naver:030/0003212345"),
        (
            "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&sid1=105&oid=030&aid=0003212345",
            "naver:030/0003212345",
        ),
        (
            "http://news.naver.com/main/read.nhn?oid=030&aid=0003212345&sid1=105",
            "naver:030/0003212345",
        ),
        ("https://n.news.naver.com/mnews/ranking/article/030/0003212345", "naver:030/0003212345"),
        ("https://entertain.naver.com/read?oid=421&aid=0006123456", "naver:421/0006123456"),
        ("https://m.sports.naver.com/kbaseball/article/421/0006123456", "naver:421/0006123456"),
        # Naver pages that are not the article keep a plain key
        (
            "https://n.news.naver.com/mnews/article/comment/030/0003212345?sid=105",
            "n.news.naver.com/mnews/article/comment/030/0003212345?sid=105",
        ),
        ("https://news.naver.com/section/105", "news.naver.com/section/105"),
        # Daum and ZUM
        ("https://v.daum.net/v/20230727180300954", "daum:20230727180300954"),
        ("https://news.v.daum.net/v/20230727180300954?f=o", "daum:20230727180300954"),
        ("https://m.v.daum.net/v/20230727180300954", "daum:20230727180300954"),
        ("https://v.daum.net/v/Bi0a4ix21v", "daum:Bi0a4ix21v"),
        ("https://news.zum.com/articles/87654321?cm=news_list", "zum:87654321"),
        ("https://m.news.zum.com/articles/87654321", "zum:87654321"),
        # scheme-less input
        ("example.com/a?utm_source=x", "example.com/a"),
        ("//cdn.example.com/a", "cdn.example.com/a"),
        ("localhost:8080/feed", "localhost:8080/feed"),
        ("  https://example.com/a  ", "example.com/a"),
    ],
)
def test_url_key(url: str, key: str) -> None:
    assert url_key(url) == key


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "javascript:alert(1)",
        "JavaScript:void(0)",
        "mailto:desk@example.com",
        "data:text/html,hello",
        "ftp://example.com/file",
        "http://",
        "https:///path-only",
        "https://exa mple.com/",
        "https://example.com:port/",
        "not a url",
        "http://./",
        "https://example.com/a\nb",
    ],
)
def test_url_key_rejects_garbage(url: str) -> None:
    with pytest.raises(ValueError):
        url_key(url)


def test_url_key_is_idempotent() -> None:
    urls = [
        "https://www.example.com/a/../b/?z=1&utm_source=x&a=%ea%b0%80#f",
        "https://example.com:8443/뉴스?q=한 글",
    ]
    for url in urls:
        key = url_key(url)
        assert url_key(key) == key


@pytest.mark.parametrize(
    ("url", "portal"),
    [
        ("https://n.news.naver.com/mnews/article/001/0014123951?sid=105", "naver"),
        ("https://news.naver.com/main/read.nhn?oid=001&aid=0014123951", "naver"),
        ("https://v.daum.net/v/20230727180300954", "daum"),
        ("https://news.zum.com/articles/12345", "zum"),
        ("https://n.news.naver.com/mnews/article/comment/001/0014123951", None),
        ("https://www.etnews.com/20250304000269", None),
        ("javascript:alert(1)", None),
    ],
)
def test_portal_of(url: str, portal: str | None) -> None:
    assert portal_of(url) == portal


@pytest.mark.parametrize(
    ("oid", "press"),
    [
        ("030", "전자신문"),
        ("30", "전자신문"),
        ("031", "아이뉴스24"),
        ("092", "지디넷코리아"),
        ("138", "디지털데일리"),
        ("001", "연합뉴스"),
        ("469", None),
        ("999", None),
        ("", None),
        ("abc", None),
        ("0300", None),
    ],
)
def test_naver_press(oid: str, press: str | None) -> None:
    assert naver_press(oid) == press


def test_article_id_for_is_short_deterministic_hex() -> None:
    first = article_id_for("naver:030/0003212345")
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert article_id_for("naver:030/0003212345") == first
    assert article_id_for("naver:030/0003212346") != first
    assert article_id_for(url_key("https://n.news.naver.com/article/030/0003212345")) == first
    with pytest.raises(ValueError):
        article_id_for("")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a", True),
        ("http://127.0.0.1:8000/feed.xml", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("example.com/a", False),
        ("javascript:alert(1)", False),
        ("ftp://example.com/", False),
        ("https://", False),
        ("", False),
    ],
)
def test_is_http_url(url: str, ok: bool) -> None:
    assert is_http_url(url) is ok


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("https://user:secret@feeds.example.com/rss?x=1", "https://***@feeds.example.com/rss?x=1"),
        ("https://APITOKEN@feeds.example.com/rss", "https://***@feeds.example.com/rss"),
        ("http://u:p@127.0.0.1:8080/f", "http://***@127.0.0.1:8080/f"),
        ("https://feeds.example.com/rss?u=a@b", "https://feeds.example.com/rss?u=a@b"),
        ("https://feeds.example.com/rss", "https://feeds.example.com/rss"),
    ],
)
def test_without_credentials(url: str, stored: str) -> None:
    from tasks.urls import without_credentials

    assert without_credentials(url) == stored
