from datetime import UTC, datetime

import pytest

from tasks.feeds import FeedError, newest_first, parse_feed
from tasks.models import Source

SRC = Source("s", "https://news.example/rss.xml", "rss", "ko")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>가상일보</title>
<item><title>SK텔레콤, 글로벌 텔코 AI 얼라이언스 &amp; 합작법인</title>
<link>https://news.example/a/1?utm_source=rss</link><guid>g1</guid>
<pubDate>Thu, 20 Nov 2026 09:00:00 +0900</pubDate>
<description><![CDATA[<p>요약 <b>문장</b></p>]]></description></item>
<item><title>relative</title><link>/a/2</link>
<pubDate>Fri, 21 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>js</title><link>javascript:alert(1)</link></item>
<item><title>dup</title><link>https://news.example/a/1?utm_source=rss</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>Deutsche Telekom</title><link href="https://e.example/x"/><id>urn:x</id>
<updated>2026-11-20T10:00:00Z</updated><summary>s</summary></entry></feed>"""


def test_rss_items_keep_title_date_guid_summary_and_absolute_links() -> None:
    parsed = parse_feed(RSS.encode(), SRC)
    assert parsed.feed_title == "가상일보"
    assert [i.url for i in parsed.items] == [
        "https://news.example/a/1?utm_source=rss",
        "https://news.example/a/2",
    ]
    first = parsed.items[0]
    assert first.title == "SK텔레콤, 글로벌 텔코 AI 얼라이언스 & 합작법인"
    assert first.published_at == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert first.guid == "g1"
    assert first.summary == "요약 문장"
    assert first.lang == "ko"


def test_atom() -> None:
    parsed = parse_feed(ATOM.encode(), Source("e", "https://e.example/atom", "atom", "en"))
    assert parsed.items[0].url == "https://e.example/x"
    assert parsed.items[0].published_at == datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_euc_kr_feed_is_decoded() -> None:
    text = RSS.replace('encoding="utf-8"', 'encoding="euc-kr"')
    parsed = parse_feed(text.encode("euc-kr"), SRC)
    assert parsed.items[0].title is not None
    assert parsed.items[0].title.startswith("SK텔레콤")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   ",
        b"<html><body>not a feed</body></html>",
        b"<rss><channel><item><title>x",
        b"\x00\xff",
    ],
)
def test_broken_feeds_raise_feed_error(content: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(content, SRC)


def test_newest_first_caps_and_keeps_undated_last() -> None:
    items = parse_feed(RSS.encode(), SRC).items
    assert [i.url for i in newest_first(items, 1)] == ["https://news.example/a/2"]
