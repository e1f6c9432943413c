"""One chunk of fetched pages becomes articles, signatures, mentions and archived pages."""

from __future__ import annotations

from tasks.archive import archive_pages, decompress
from tasks.gazetteer import load_gazetteer
from tasks.processing import process_chunk
from tasks.tagging import Tagger
from tests.tasks.test_archive import PAGE, _fetch, _item


def test_chunk_archives_the_pages_of_its_articles() -> None:
    """The chunk compresses its own pages (so the run can drop the raw bytes right after it),
    exactly the rows ``archive_pages`` gives for the whole run; a failed fetch is not archived."""
    items = [_item(f"/news/{i}") for i in range(3)]
    pages = [
        (items[0], _fetch(items[0], PAGE)),
        (items[1], _fetch(items[1], PAGE.replace("KT는".encode("cp949"), "SKT는".encode("cp949")))),
        (items[2], _fetch(items[2], None, "http_5xx")),
    ]
    result = process_chunk(
        [p for p in pages if p[1].usable], Tagger(load_gazetteer(), use_kiwi=False)
    )
    assert len(result.articles) == 2 and not result.failures
    assert list(result.pages) == archive_pages(result.articles, pages)
    assert [decompress(p.content, p.compression) for p in result.pages] == [
        pages[0][1].content,
        pages[1][1].content,
    ]
    assert {p.article_id for p in result.pages} == {a.article_id for a in result.articles}
    assert result.mentions  # KT / SK Telecom are in the packaged gazetteer
