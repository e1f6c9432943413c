"""The demo news site over real sockets: content, feeds, validators, faults and shutdown."""

from __future__ import annotations

import gzip
import threading
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime

import feedparser
import httpx
import pytest

from demo.manifest import ENTITY_IDS, load_manifest, read_content
from demo.newsite import NewsSite, strip_tracking

MANIFEST = load_manifest()


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


def test_manifest_covers_the_required_mix() -> None:
    pages = MANIFEST.pages
    assert len(pages) >= 14
    assert sum(p.lang == "ko" and p.charset == "utf-8" for p in pages) >= 6
    assert sum(p.charset == "euc-kr" for p in pages) >= 3
    assert sum(p.lang == "en" for p in pages) >= 4
    assert any(p.charset == "euc-kr" and not p.send_charset for p in pages)
    assert {p.lang for p in pages if p.trap} == {"ko", "en"}
    assert all(not p.entities and p.not_entities for p in pages if p.trap)
    assert sum(not p.entities and not p.trap for p in pages) >= 2
    for page in pages:
        assert page.entities | page.not_entities <= ENTITY_IDS
        assert page.published.year == 2026 and page.published.month == 11


def test_gtaa_story_has_an_original_a_rewrite_and_an_exact_copy() -> None:
    story = MANIFEST.stories()["gtaa-telco-llm"]
    assert sorted(p.dup for p in story) == ["exact", "near", "original"]
    assert len({p.outlet for p in story}) == 3
    assert all(p.entities >= {"gtaa", "sk_telecom", "e_and", "softbank_corp"} for p in story)
    texts = {p.id: read_content(p.file).decode(p.charset) for p in story}
    joined = "\n".join(texts.values())
    for form in (
        "SK텔레콤은",
        "도이치텔레콤·e&amp;·싱텔",
        "소프트뱅크와",
        "글로벌 텔코 AI 얼라이언스(GTAA)",
    ):
        assert form in joined
    assert "e&amp;amp;" in texts["ko-gtaa-techdaily"]
    assert "e＆" in texts["ko-gtaa-wire"]


def test_content_files_decode_with_their_declared_charset() -> None:
    for page in MANIFEST.pages:
        raw = read_content(page.file)
        text = raw.decode(page.charset)
        assert page.title in text or page.title.replace("&", "&amp;") in text
        if page.charset == "euc-kr":
            head = raw[:1024].decode("ascii", errors="replace").lower()
            assert 'charset="euc-kr"' in head or "charset=euc-kr" in head
            assert text.encode("euc-kr") == raw
    for feed in MANIFEST.feeds:
        read_content(feed.file).decode(feed.charset)


def test_feeds_parse_and_list_every_article_exactly_once(
    site: NewsSite, client: httpx.Client
) -> None:
    seen: list[str] = []
    for feed in MANIFEST.feeds:
        response = client.get(site.url(feed.path))
        assert response.status_code == 200
        assert response.headers["content-type"] == feed.header_content_type
        parsed = feedparser.parse(response.content)
        if not feed.valid:
            assert parsed.bozo
            continue
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version.startswith(feed.kind)
        expected = MANIFEST.pages_in_feed(feed.id)
        assert len(parsed.entries) == len(expected)
        titles = {entry.title for entry in parsed.entries}
        assert titles == {page.title for page in expected}
        for entry in parsed.entries:
            assert entry.link.startswith(site.base_url + "/")
            seen.append(strip_tracking(entry.link.removeprefix(site.base_url)))
    assert sorted(seen) == sorted(page.path for page in MANIFEST.pages)
    assert any("utm_source=rss" in page.feed_link for page in MANIFEST.pages)


def test_feed_links_resolve_including_tracking_parameters(
    site: NewsSite, client: httpx.Client
) -> None:
    for page in MANIFEST.pages:
        response = client.get(site.url(page.feed_link))
        assert response.status_code == 200, page.feed_link
        assert response.headers["content-type"] == page.header_content_type
        expected = read_content(page.file).replace(b"{base}", site.base_url.encode())
        assert response.content == expected
        assert b"{base}" not in response.content


def test_euc_kr_page_is_served_without_charset_so_clients_must_sniff(
    site: NewsSite, client: httpx.Client
) -> None:
    bare = [p for p in MANIFEST.pages if p.charset == "euc-kr" and not p.send_charset]
    assert bare
    for page in bare:
        response = client.get(site.url(page.path))
        assert response.headers["content-type"] == "text/html"
        text = response.content.decode("euc-kr")
        assert page.title in text
        with pytest.raises(UnicodeDecodeError):
            response.content.decode("utf-8")


def test_euc_kr_feed_decodes_to_korean(site: NewsSite, client: httpx.Client) -> None:
    response = client.get(site.url("/feeds/ko-euckr.rss"))
    assert response.content.startswith(b'<?xml version="1.0" encoding="euc-kr"?>')
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert {e.title for e in parsed.entries} == {
        p.title for p in MANIFEST.pages_in_feed("ko-euckr")
    }


def test_unknown_paths_are_404_and_unknown_query_parameters_are_ignored(
    site: NewsSite, client: httpx.Client
) -> None:
    assert client.get(site.url("/no/such/article")).status_code == 404
    assert client.get(site.url("/techdaily/news/articleView.html")).status_code == 404
    assert client.get(site.url("/hanbit/article/55102?sid=105&fbclid=x")).status_code == 200


def test_head_gives_headers_without_a_body(site: NewsSite, client: httpx.Client) -> None:
    response = client.head(site.url("/feeds/en.atom"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert response.content == b""


@pytest.mark.parametrize("accept_encoding", ["identity", "gzip"])
def test_conditional_get_answers_304(
    site: NewsSite, client: httpx.Client, accept_encoding: str
) -> None:
    url = site.url("/feeds/ko.rss")
    first = client.get(url, headers={"Accept-Encoding": accept_encoding})
    assert first.status_code == 200
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith("W/") == (accept_encoding == "gzip")
    by_etag = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": accept_encoding})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    by_date = client.get(url, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    stale = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    older = client.get(url, headers={"If-Modified-Since": "Sun, 01 Nov 2026 00:00:00 GMT"})
    assert older.status_code == 200


def test_gzip_is_used_when_accepted(site: NewsSite, client: httpx.Client) -> None:
    path = MANIFEST.pages[0].path
    with client.stream("GET", site.url(path), headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == site.content(path)


def test_add_page_serves_new_content_with_new_validators(
    site: NewsSite, client: httpx.Client
) -> None:
    site.add_page("/new/1", "<html><body>첫 버전 {base}</body></html>")
    first = client.get(site.url("/new/1"))
    assert first.text == f"<html><body>첫 버전 {site.base_url}</body></html>"
    site.add_page("/new/1", "<html><body>둘째 버전</body></html>")
    second = client.get(site.url("/new/1"), headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]


def test_add_page_with_a_fixed_etag_simulates_lying_validators(
    site: NewsSite, client: httpx.Client
) -> None:
    site.add_page("/lying", b"v1", "text/plain", etag='"same"')
    site.add_page("/lying", b"v2 changed", "text/plain", etag='"same"')
    response = client.get(site.url("/lying"), headers={"If-None-Match": '"same"'})
    assert response.status_code == 304
    site.remove_page("/lying")
    assert client.get(site.url("/lying")).status_code == 404


@pytest.mark.parametrize("feed_id", ["ko", "ko-euckr", "en"])
def test_publish_adds_an_article_and_lists_it_first(
    site: NewsSite, client: httpx.Client, feed_id: str
) -> None:
    feed = MANIFEST.feed(feed_id)
    before = feedparser.parse(client.get(site.url(feed.path)).content)
    site.publish(
        "/breaking/2026/11/28/1",
        "<html><body><article>속보 본문</article></body></html>",
        title="[속보] SK텔레콤, 새 AI 서비스 공개",
        feed=feed_id,
        summary="요약 & 설명",
        published=datetime(2026, 11, 28, 1, 0, tzinfo=UTC),
    )
    after = feedparser.parse(client.get(site.url(feed.path)).content)
    assert not after.bozo
    assert len(after.entries) == len(before.entries) + 1
    assert after.entries[0].title == "[속보] SK텔레콤, 새 AI 서비스 공개"
    assert after.entries[0].link == site.url("/breaking/2026/11/28/1")
    assert client.get(after.entries[0].link).status_code == 200


def test_robots_sitemap_and_index(site: NewsSite, client: httpx.Client) -> None:
    robots = client.get(site.url("/robots.txt")).text
    assert "User-agent: *" in robots and "Allow: /" in robots and "Disallow" not in robots
    sitemap = client.get(site.url("/sitemap-news.xml")).text
    index = client.get(site.url("/")).text
    for page in MANIFEST.pages:
        assert site.url(page.path).replace("&", "&amp;") in sitemap
        assert page.path.replace("&", "&amp;") in index
    with NewsSite(crawl_delay=2) as slow:
        assert "Crawl-delay: 2" in client.get(slow.url("/robots.txt")).text


def test_render_sources_toml(site: NewsSite) -> None:
    sources = tomllib.loads(site.render_sources_toml())["sources"]
    assert [s["kind"] for s in sources] == ["rss", "rss", "atom"]
    assert all(s["url"].startswith(site.base_url + "/feeds/") for s in sources)
    assert {s["lang"] for s in sources} == {"ko", "en"}
    with_broken = tomllib.loads(site.render_sources_toml(include_broken=True))["sources"]
    assert with_broken[-1]["url"] == site.url("/feeds/broken.rss")


def test_request_log_is_complete_under_concurrency(site: NewsSite) -> None:
    def fetch() -> None:
        with httpx.Client(headers={"User-Agent": "newsmon-test"}) as http:
            for _ in range(10):
                http.get(site.url("/feeds/ko.rss?utm_source=x"))

    workers = [threading.Thread(target=fetch) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert site.hits("/feeds/ko.rss") == 60
    assert site.hits("/feeds/ko.rss?utm_source=x") == 60
    assert site.requests[0] == ("GET", "/feeds/ko.rss?utm_source=x")
    assert site.request_log[0].headers["user-agent"] == "newsmon-test"
    site.clear_requests()
    assert site.requests == []


@pytest.mark.parametrize("status", [404, 500, 503])
def test_status_fault(site: NewsSite, client: httpx.Client, status: int) -> None:
    site.set_fault("/feeds/ko.rss", "status", status=status)
    assert client.get(site.url("/feeds/ko.rss")).status_code == status
    site.clear_faults()
    assert client.get(site.url("/feeds/ko.rss")).status_code == 200


def test_status_fault_with_retry_after_for_a_limited_number_of_requests(
    site: NewsSite, client: httpx.Client
) -> None:
    site.set_fault("/feeds/en.atom", "status", status=429, retry_after=2, times=2)
    first = client.get(site.url("/feeds/en.atom"))
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert client.get(site.url("/feeds/en.atom?utm_medium=feed")).status_code == 429
    assert client.get(site.url("/feeds/en.atom")).status_code == 200
    assert site.hits("/feeds/en.atom") == 3


def test_timeout_fault_makes_the_client_time_out(site: NewsSite) -> None:
    site.set_fault("/feeds/ko.rss", "timeout", seconds=5)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(site.url("/feeds/ko.rss"), timeout=0.2)
    assert time.monotonic() - started < 2


def test_short_timeout_fault_is_just_a_slow_response(site: NewsSite) -> None:
    site.set_fault("/feeds/ko.rss", "timeout", seconds=0.2)
    started = time.monotonic()
    response = httpx.get(site.url("/feeds/ko.rss"), timeout=5)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2


def test_stop_is_prompt_while_a_fault_sleeps_and_connections_are_open() -> None:
    outcome: list[str] = []
    site = NewsSite().start()
    site.set_fault("/feeds/ko.rss", "timeout", seconds=60)
    idle = httpx.Client(timeout=30)
    idle.get(site.url("/robots.txt"))

    def slow_request() -> None:
        try:
            httpx.get(site.url("/feeds/ko.rss"), timeout=30)
            outcome.append("answered")
        except httpx.TransportError as exc:
            outcome.append(type(exc).__name__)

    waiter = threading.Thread(target=slow_request)
    waiter.start()
    deadline = time.monotonic() + 2
    while site.hits("/feeds/ko.rss") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 1.0
    waiter.join(timeout=2)
    idle.close()
    assert outcome and outcome[0] != "answered"


def test_malformed_fault_breaks_the_feed(site: NewsSite, client: httpx.Client) -> None:
    site.set_fault("/feeds/ko.rss", "malformed")
    response = client.get(site.url("/feeds/ko.rss"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert feedparser.parse(response.content).bozo
    site.set_fault("/feeds/ko.rss", "malformed", body=b"<rss><channel>")
    assert client.get(site.url("/feeds/ko.rss")).content == b"<rss><channel>"


def test_reset_fault_cuts_the_body(site: NewsSite, client: httpx.Client) -> None:
    site.set_fault("/feeds/ko.rss", "reset", after_bytes=100)
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        client.get(site.url("/feeds/ko.rss"), headers={"Accept-Encoding": "identity"})
    site.clear_faults("/feeds/ko.rss")
    assert client.get(site.url("/feeds/ko.rss")).status_code == 200


def test_redirect_fault(site: NewsSite, client: httpx.Client) -> None:
    site.set_fault("/old/feed", "redirect", to="/feeds/en.atom", status=301)
    response = client.get(site.url("/old/feed"), follow_redirects=True)
    assert response.status_code == 200
    assert str(response.url) == site.url("/feeds/en.atom")
    assert response.history[0].status_code == 301
    assert response.history[0].headers["location"] == site.url("/feeds/en.atom")


@pytest.mark.parametrize("declare_length", [True, False])
def test_large_fault_streams_until_the_client_stops(
    site: NewsSite, client: httpx.Client, declare_length: bool
) -> None:
    site.set_fault("/big", "large", size=50_000_000, declare_length=declare_length)
    received = 0
    with client.stream("GET", site.url("/big")) as response:
        assert ("content-length" in response.headers) == declare_length
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 1_000_000:
                break
    assert received > 1_000_000
    site.set_fault("/big", "large", size=300_000, declare_length=declare_length)
    assert len(client.get(site.url("/big")).content) == 300_000


def test_large_gzip_fault_is_small_on_the_wire_and_huge_decoded(
    site: NewsSite, client: httpx.Client
) -> None:
    site.set_fault("/bomb", "large", size=5_000_000, gzip=True)
    with client.stream("GET", site.url("/bomb")) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert len(raw) < 500_000
    assert len(gzip.decompress(raw)) == 5_000_000


def test_html_as_fault_serves_a_wrong_content_type(site: NewsSite, client: httpx.Client) -> None:
    page = MANIFEST.pages[0]
    site.set_fault(page.path, "html_as", content_type="image/jpeg")
    response = client.get(site.url(page.path))
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == site.content(page.path)


def test_set_fault_rejects_unknown_kinds_and_options(site: NewsSite) -> None:
    with pytest.raises(ValueError):
        site.set_fault("/x", "explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        site.set_fault("/x", "status", code=500)


def test_faults_and_hang_ups_leave_stderr_quiet(
    site: NewsSite, capfd: pytest.CaptureFixture[str]
) -> None:
    site.set_fault("/feeds/ko.rss", "reset")
    site.set_fault("/big", "large", size=10_000_000)
    with httpx.Client(timeout=5) as http:
        with pytest.raises(httpx.TransportError):
            http.get(site.url("/feeds/ko.rss"))
        with http.stream("GET", site.url("/big")) as response:
            next(response.iter_bytes())
        http.post(site.url("/feeds/en.atom"), content=b"x")
        http.get(site.url("/missing"))
    site.stop()
    assert capfd.readouterr().err == ""
