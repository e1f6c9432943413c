"""Property tests over arbitrary input: URL keys, feed parsing, extraction and tagging never let an
unexpected exception escape (examples kept modest so the suite stays fast)."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.extraction import extract_page
from tasks.feeds import FeedError, parse_feed
from tasks.gazetteer import load_gazetteer
from tasks.models import Source
from tasks.tagging import Tagger
from tasks.urls import url_key

SOURCE = Source(name="s", url="http://example.com/feed.xml", kind="rss", lang="ko")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_url_parts = st.sampled_from(
    ["http://", "https://", "HTTP://", "ftp://", "//", "", "javascript:", "http://[", "http://::"]
)
_hosts = st.sampled_from(
    [
        "www.Example.com",
        "m.naver.com",
        "n.news.naver.com",
        "127.0.0.1",
        "[::1]",
        "xn--3e0b",
        "a..b",
        "",
    ]
)
urls = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda a, b, c, d: a + b + c + d,
        _url_parts,
        _hosts,
        st.sampled_from(["", ":80", ":0", ":99999", ":x"]),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80).map(
            lambda t: "/" + t
        ),
    ),
)


@FAST
@given(urls)
def test_url_key_is_total_and_idempotent(url: str) -> None:
    try:
        key = url_key(url)
    except ValueError:
        return
    assert isinstance(key, str)
    # the key drops the scheme, so re-key it under the original one (a port is default per scheme)
    scheme = url.split("://", 1)[0].lower() if "://" in url else "http"
    assert url_key(f"{scheme}://{key}") == key


_xmlish = st.one_of(
    st.binary(max_size=2_000),
    st.text(max_size=1_000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from(
            [
                "<rss version='2.0'>",
                "<channel>",
                "<item>",
                "<title>",
                "</title>",
                "<link>",
                "</link>",
                "http://example.com/a",
                "javascript:x",
                "<pubDate>",
                "Mon, 01 Jan 0001 00:00:00 GMT",
                "</pubDate>",
                "</item>",
                "<feed xmlns='http://www.w3.org/2005/Atom'>",
                "<entry>",
                "<link href='/x'/>",
                "&amp;",
                "&bogus;",
                "<![CDATA[",
                "]]>",
                "한국어",
                "\x00",
                '{"version": "https://jsonfeed.org/version/1.1", "items": [',
            ]
        ),
        max_size=40,
    ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


@FAST
@given(_xmlish)
def test_parse_feed_returns_items_or_raises_feed_error(content: bytes) -> None:
    try:
        parsed = parse_feed(content, SOURCE)
    except FeedError:
        return
    assert all(i.url.startswith(("http://", "https://")) for i in parsed.items)


_htmlish = st.one_of(
    st.binary(max_size=3_000),
    st.lists(
        st.sampled_from(
            [
                "<html>",
                "<head><meta charset='euc-kr'>",
                "<title>",
                "</title>",
                "<body>",
                "<article>",
                "<p>",
                "SK텔레콤은 ",
                "مرحبا ",
                "🚀📡",
                "<script>x()</script>",
                "<div>" * 20,
                "<meta property='og:url' content='javascript:1'>",
                "<time datetime='0001-01-01'>",
                "<a href='x' title='" + "a" * 500 + "'>",
                "\x00",
            ]
        ),
        max_size=60,
    ).map(lambda parts: "".join(parts).encode("utf-8")),
)


@FAST
@given(_htmlish, st.sampled_from([None, "text/html", "text/html; charset=euc-kr", "image/png"]))
def test_extract_page_never_raises(content: bytes, content_type: str | None) -> None:
    page = extract_page(content, "https://example.com/news/1", content_type=content_type)
    assert isinstance(page.body, str)


@lru_cache(maxsize=1)
def _tagger() -> Tagger:
    return Tagger(load_gazetteer())


_texts = st.one_of(
    st.text(max_size=400),
    st.lists(
        st.sampled_from(
            [
                "SK텔레콤",
                "은 ",
                "KT",
                "X",
                "e&",
                "amp;",
                "O-RAN",
                " 얼라이언스",
                "GTAA",
                "·",
                "\n",
                "🚀",
            ]
        ),
        max_size=40,
    ).map("".join),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.none(), _texts), _texts, st.one_of(st.none(), _texts))
def test_tagger_never_raises_and_spans_point_into_the_text(
    title: str | None, body: str, lead: str | None
) -> None:
    for mention in _tagger().tag("a1", title, body, lead):
        text = title if mention.field == "title" else body
        assert text is not None
        assert 0 <= mention.start < mention.end <= len(text)
