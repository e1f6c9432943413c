"""The raw page archive rows and the page states, from synthetic fetches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tasks.archive import archive_pages, compress, decompress, page_states
from tasks.models import FeedItem, FetchResult
from tasks.processing import build_article

AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
PAGE = (
    "<html lang='ko'><head><title>KT, AI 네트워크 얼라이언스 출범</title></head><body><article>"
    + "<p>KT는 인공지능 네트워크 얼라이언스 출범식을 열고 공동 연구를 시작한다고 밝혔다.</p>" * 6
    + "</article></body></html>"
).encode("cp949")


def _item(path: str) -> FeedItem:
    return FeedItem("src", f"https://news.example.co.kr{path}", "피드 제목", AT, None, "요약", "ko")


def _fetch(item: FeedItem, content: bytes | None, error: str | None = None) -> FetchResult:
    return FetchResult(
        url=item.url,
        final_url=item.url + "?from=rss",
        source_name="src",
        requested_at=AT,
        http_status=None if error else 200,
        content=content,
        content_type="text/html" if content else None,
        elapsed_ms=5,
        error=error,  # type: ignore[arg-type]
        headers=(("Content-Type", "text/html"), ("Server", "demo")) if content else (),
    )


@pytest.mark.parametrize("codec", ["zstd", "gzip", "none"])
def test_decompress_reads_every_codec(codec: str) -> None:
    import gzip

    packed = {"zstd": compress(PAGE), "gzip": gzip.compress(PAGE), "none": PAGE}[codec]
    assert decompress(packed, codec) == PAGE


def test_unknown_codec_is_an_error() -> None:
    with pytest.raises(ValueError, match="brotli"):
        decompress(b"", "brotli")


def test_archive_rows_and_page_states() -> None:
    good, failed, broken = _item("/news/1"), _item("/news/2"), _item("/news/3")
    fetched = [
        (good, _fetch(good, PAGE)),
        (failed, _fetch(failed, None, "http_5xx")),
        (broken, _fetch(broken, b"<html>...")),  # fetched, but no article was built from it
    ]
    article = build_article(good, fetched[0][1])

    rows = archive_pages([article], fetched)
    assert len(rows) == 1
    row = rows[0]
    assert (row.article_id, row.url_key, row.fetched_at) == (
        article.article_id,
        article.url_key,
        AT,
    )
    assert row.encoding == "cp949" and row.compression == "zstd" and row.raw_bytes == len(PAGE)
    assert decompress(row.content, row.compression) == PAGE
    assert ("Server", "demo") in row.headers

    states = {s.url_key: (s.state, s.error) for s in page_states([article], fetched, AT)}
    assert list(states.values()) == [
        (article.quality, None),
        ("fetch_failed", "http_5xx"),
        ("extract_failed", None),
    ]


def test_released_fetch_keeps_what_the_log_and_states_read() -> None:
    """After extraction a run lets go of page bytes; the fetch log's size, ``ok`` and ``usable``
    (which decide page states) must not change with it."""
    good, failed, empty = _item("/news/1"), _item("/news/2"), _item("/news/4")
    results = [
        _fetch(good, PAGE),
        _fetch(failed, None, "http_5xx"),
        _fetch(empty, b"", "empty"),
    ]
    for result in results:
        released = result.without_content()
        assert (released.ok, released.usable, released.size) == (
            result.ok,
            result.usable,
            result.size,
        )
        assert not released.content
        assert released.without_content() == released
    assert results[0].without_content().size == len(PAGE)


def test_compress_from_many_threads_round_trips() -> None:
    """One compressor per thread: concurrent pages never share one (it is not thread-safe)."""
    from concurrent.futures import ThreadPoolExecutor

    pages = [PAGE + str(i).encode() * (i % 50) for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        packed = list(pool.map(compress, pages))
    assert [decompress(p, "zstd") for p in packed] == pages
