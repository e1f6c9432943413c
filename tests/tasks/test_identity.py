"""Page identity read from synthetic page heads: og:url, canonical link, a portal copy's outlet."""

from __future__ import annotations

import pytest

from tasks.identity import PageIdentity, identity_keys, read_identity


def page(head: str, body: str = "<p>본문</p>") -> bytes:
    return f'<html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'.encode()


@pytest.mark.parametrize(
    ("url", "head", "outlet"),
    [
        (
            "https://n.news.naver.com/mnews/article/030/0003123456",
            '<meta property="og:article:author" content="전자신문 | 네이버">',
            "전자신문",
        ),
        (
            "https://n.news.naver.com/mnews/article/030/0003123456",
            '<meta name="twitter:creator" content="전자신문">',
            "전자신문",
        ),
        # Nothing on the page: the press office id in the URL names the outlet.
        ("https://n.news.naver.com/article/092/0002345678", "", "지디넷코리아"),
        (
            "https://news.naver.com/main/read.naver?mode=LSD&oid=003&aid=0012577249",
            "",
            "뉴시스",
        ),
        (
            "https://v.daum.net/v/20241117094512301",
            '<meta property="article:media_name" content="중앙일보">',
            "중앙일보",
        ),
        (
            "https://news.zum.com/articles/91403349",
            '<meta property="og:article:author" content="한국일보 | 줌">',
            "한국일보",
        ),
        # The demo portal lives on an ordinary host; its media_name meta still says it.
        (
            "http://127.0.0.1:8000/portal/v/1",
            '<meta property="article:media_name" content="테크데일리코리아">',
            "테크데일리코리아",
        ),
        # On an outlet's own page, og:article:author and twitter:creator name people.
        (
            "https://www.etnews.com/20261117000123",
            '<meta property="og:article:author" content="김민수 기자">'
            '<meta name="twitter:creator" content="@etnews">',
            None,
        ),
        ("https://v.daum.net/v/20241117094512301", "", None),
    ],
)
def test_portal_outlet(url: str, head: str, outlet: str | None) -> None:
    assert read_identity(page(head), url).outlet == outlet


def test_og_url_and_canonical_are_made_absolute() -> None:
    head = (
        '<link rel="canonical" href="/news/articleView.html?idxno=7731">'
        '<meta property="og:url" content="https://itjournal.example/news/7731">'
    )
    got = read_identity(page(head), "https://m.itjournal.example/amp/7731?utm_source=rss")
    assert got == PageIdentity(
        og_url="https://itjournal.example/news/7731",
        canonical_url="https://m.itjournal.example/news/articleView.html?idxno=7731",
        outlet=None,
    )


def test_euc_kr_page_head_is_decoded() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
        '<meta property="article:media_name" content="한빛일보"></head><body>본문</body></html>'
    )
    got = read_identity(html.encode("cp949"), "https://v.daum.net/v/1")
    assert got.outlet == "한빛일보"


@pytest.mark.parametrize("content", [b"", b"\x00\xff garbage", b"<html><head>", b"not html"])
def test_broken_pages_give_an_empty_identity(content: bytes) -> None:
    assert read_identity(content, "https://news.example/1").outlet is None


def test_identity_keys() -> None:
    assert identity_keys(
        "https://www.outlet.example/news/1?utm_source=rss",
        "https://outlet.example/news/1",  # same key: listed once
        "https://outlet.example/",  # a bare host names a site, not a page
        "javascript:void(0)",  # unusable
        None,
        "https://v.daum.net/v/20241117094512301",
    ) == ("outlet.example/news/1", "daum:20241117094512301")
