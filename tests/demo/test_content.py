"""The manifest's promises about the content, checked against the files and trafilatura.

Other tests (extraction, dedupe, tagging, end-to-end) take these facts from the manifest, so a
page edited without updating the manifest must fail here first, where the cause is obvious.
"""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
import trafilatura

from demo.manifest import PageSpec, load_manifest, read_content

MANIFEST = load_manifest()


def page_text(page: PageSpec) -> str:
    return html.unescape(read_content(page.file).decode(page.charset))


def extract(page: PageSpec) -> str:
    raw = read_content(page.file).replace(b"{base}", b"http://127.0.0.1:8000")
    return trafilatura.extract(raw, include_comments=False) or ""


def shingles(text: str, n: int = 5) -> set[str]:
    flat = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", html.unescape(text)))
    return {flat[i : i + n] for i in range(len(flat) - n + 1)}


@pytest.mark.parametrize("page", MANIFEST.pages, ids=lambda p: p.id)
def test_listed_strings_are_on_the_page(page: PageSpec) -> None:
    text = page_text(page)
    for phrase in (*page.body_contains, *page.chrome, *page.boilerplate):
        assert phrase in text, phrase


@pytest.mark.parametrize("page", MANIFEST.pages, ids=lambda p: p.id)
def test_extraction_keeps_the_body_and_drops_the_chrome(page: PageSpec) -> None:
    body = extract(page)
    assert 800 <= len(body) <= 3000
    for phrase in page.body_contains:
        assert phrase in body, phrase
    for phrase in page.chrome:
        assert phrase not in body, phrase


def test_exact_copies_extract_to_the_same_text_and_rewrites_are_near() -> None:
    for page in MANIFEST.pages:
        if page.dup_of is None:
            continue
        original = MANIFEST.page(page.dup_of)
        assert page.story == original.story
        mine, theirs = extract(page), extract(original)
        if page.dup == "exact":
            assert mine == theirs
        else:
            a, b = shingles(mine), shingles(theirs)
            assert 0.5 <= len(a & b) / len(a | b) <= 0.8


def test_unrelated_stories_are_far_apart() -> None:
    originals = [p for p in MANIFEST.pages if p.dup == "original"]
    grams = {p.id: shingles(extract(p)) for p in originals}
    for i, a in enumerate(originals):
        for b in originals[i + 1 :]:
            x, y = grams[a.id], grams[b.id]
            assert len(x & y) / len(x | y) < 0.3, (a.id, b.id)
