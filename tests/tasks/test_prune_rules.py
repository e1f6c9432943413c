"""The stand-ins select exactly what trafilatura's XPath rules select, and stay out of the way
when trafilatura changes a rule."""

from __future__ import annotations

import copy
import random
import re
from typing import Any

import pytest
from lxml import etree, html
from trafilatura import xpaths
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

import tasks.extraction  # noqa: F401  (installs the stand-ins, as in every newsmon process)
from tasks import prune_rules
from tasks.charset import decode_html
from tasks.prune_rules import RULE_COUNT, StandIn, blank_patterns, originals, stock_trafilatura


def _demo_trees() -> list[tuple[str, Any]]:
    """Every demo page as trafilatura receives it, and as its main extractor sees it (cleaned,
    tags converted to list/item/head...)."""
    from demo.manifest import load_manifest, read_content

    options = Extractor()
    trees = []
    for page in load_manifest().pages:
        if not page.header_content_type.startswith("text/html"):
            continue
        tree = load_html(decode_html(read_content(page.file), None)[0])
        assert tree is not None
        trees.append((f"{page.file} raw", tree))
        cleaned = convert_tags(tree_cleaning(copy.copy(tree), options), options)
        trees.append((f"{page.file} cleaned", cleaned))
    return trees


def _examples(parsed: Any, rng: random.Random) -> str:
    """A string the parsed regex (``re._parser`` form) matches, most of the time: literals,
    classes, alternatives, groups and optional parts; anchors and look-arounds are left out."""
    out = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            choices = [chr(a) for o, a in arg if str(o) == "LITERAL"] or [" "]
            out.append(rng.choice(choices))
        elif name == "BRANCH":
            out.append(_examples(rng.choice(arg[1]), rng))
        elif name == "SUBPATTERN":
            out.append(_examples(arg[-1], rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, item = arg
            count = rng.randint(low, min(high, low + 1))
            out.extend(_examples(item, rng) for _ in range(count))
    return "".join(out)


def _rule_words() -> list[str]:
    """Words that make the rules match: strings each rule's patterns match, and the literals of
    its template."""
    import re._parser as sre_parse  # type: ignore[import-not-found]

    rng = random.Random(7)
    words: set[str] = set()
    for _name, xpath, _stand_in in originals():
        template, patterns = blank_patterns(xpath.path)
        for pattern in patterns:
            parsed = sre_parse.parse(pattern)
            words.update(_examples(parsed, rng) for _ in range(40))
        words.update(re.findall(r"'([^'_]+)'", template))
    return sorted(words | {"ad", "Ad", "nav", "N", "T", "bottom", "link", "true", "x", ""})


_TAGS = ("div", "p", "span", "section", "item", "list", "ol", "ul", "details", "aside", "a")
_TAGS += ("h1", "header", "article", "li", "main")
_ATTRIBUTES = ("id", "class", "style", "role", "data-component", "aria-hidden")
_ATTRIBUTES += ("data-lp-replacement-content", "href", "title")


def _value(rng: random.Random, words: list[str]) -> str:
    """An attribute value: 0-3 rule words (sometimes cut or re-cased) with separators."""
    parts = []
    for _ in range(rng.randrange(4)):
        word = rng.choice(words)
        if word and rng.random() < 0.2:
            word = word[: rng.randrange(len(word)) + 1]
        if rng.random() < 0.1:
            word = word.upper() if rng.random() < 0.5 else word.capitalize()
        parts.append(word)
    separators = (" ", "-", "", "_", "\t", "  ")
    return "".join(p + rng.choice(separators) for p in parts).strip(rng.choice(["", " ", "-"]))


def _random_tree(rng: random.Random, words: list[str]) -> Any:
    """A random page: nested elements of the rules' tags, attributes in random order (some
    empty, some missing), text and comments here and there."""
    root = etree.Element("html")
    body = etree.SubElement(root, "body")
    open_elements = [body]
    for _ in range(rng.randrange(5, 40)):
        parent = rng.choice(open_elements)
        if rng.random() < 0.05:
            parent.append(etree.Comment("c"))
            continue
        child = etree.SubElement(parent, rng.choice(_TAGS))
        for name in rng.sample(_ATTRIBUTES, rng.randrange(len(_ATTRIBUTES) + 1) // 2):
            child.set(name, "" if rng.random() < 0.1 else _value(rng, words))
        child.text = rng.choice(["", "text", None])
        open_elements.append(child)
    return html.fromstring(etree.tostring(root))


def test_every_rule_is_a_stand_in() -> None:
    """Fails when a trafilatura upgrade changed a rule's structure: the stand-in is then not
    installed (trafilatura's XPath runs, output stays right, the speed-up is gone) and
    ``tasks.prune_rules`` needs a look."""
    assert prune_rules.install() == RULE_COUNT
    assert len(originals()) == RULE_COUNT


@pytest.mark.parametrize(("name", "tree"), _demo_trees(), ids=lambda v: str(v)[:40])
def test_same_elements_as_xpath_on_demo_pages(name: str, tree: Any) -> None:
    for rule, xpath, stand_in in originals():
        assert stand_in(tree) == xpath(tree), rule


def test_same_elements_as_xpath_on_generated_pages() -> None:
    """Random pages built from the rules' own words, in both attribute orders, with empty and
    missing attributes: every rule selects something, and always what its XPath selects."""
    rng = random.Random(20261128)
    words = _rule_words()
    selected = dict.fromkeys((name for name, _x, _s in originals()), 0)
    for _ in range(400):
        tree = _random_tree(rng, words)
        for name, xpath, stand_in in originals():
            expected = xpath(tree)
            assert stand_in(tree) == expected, (name, html.tostring(tree))
            selected[name] += len(expected)
    assert all(count > 0 for count in selected.values()), selected


def test_first_of_two_attributes_follows_source_order() -> None:
    """``re:test(@id|@class, ...)`` reads whichever attribute comes first in the markup."""
    rules = dict((name, (x, s)) for name, x, s in originals())
    xpath, stand_in = rules["PRECISION_DISCARD_XPATH[1]"]
    for markup, hits in (
        ('<div class="bottom" id="main">a</div>', 1),
        ('<div id="main" class="bottom">a</div>', 0),
        ('<div id="" class="bottom">a</div>', 0),
        ('<div class="bottom">a</div>', 1),
    ):
        tree = html.fromstring(f"<html><body>{markup}</body></html>")
        assert len(stand_in(tree)) == len(xpath(tree)) == hits, markup


def test_changed_rule_keeps_trafilaturas_xpath(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = etree.XPath(
        ".//*[self::div][re:test(@class, 'sidebar')]", namespaces={"re": xpaths.REGEXP_NS}
    )
    monkeypatch.setattr(xpaths, "TEASER_DISCARD_XPATH", [changed])
    assert prune_rules.install() == RULE_COUNT - 1
    assert xpaths.TEASER_DISCARD_XPATH[0] is changed


def test_pattern_matching_empty_string_keeps_xpath(monkeypatch: pytest.MonkeyPatch) -> None:
    """An element without attributes is skipped only because no pattern matches ''."""
    original = xpaths.REMOVE_COMMENTS_XPATH[0]
    path = original.original.path if isinstance(original, StandIn) else original.path
    loose = etree.XPath(
        re.sub(r"re:test\(@id, '[^']*'\)", "re:test(@id, 'x?')", path),
        namespaces={"re": xpaths.REGEXP_NS},
    )
    monkeypatch.setattr(xpaths, "REMOVE_COMMENTS_XPATH", [loose])
    assert prune_rules.install() == RULE_COUNT - 1
    assert xpaths.REMOVE_COMMENTS_XPATH[0] is loose


def test_stock_trafilatura_restores_and_reinstalls() -> None:
    with stock_trafilatura():
        assert not any(isinstance(x, StandIn) for x in xpaths.OVERALL_DISCARD_XPATH)
    assert all(isinstance(x, StandIn) for x in xpaths.OVERALL_DISCARD_XPATH)


def test_extract_page_output_unchanged_by_stand_ins() -> None:
    from demo.manifest import load_manifest, read_content
    from tasks.extraction import extract_page

    pages = [
        (read_content(p.file), p.header_content_type, f"https://news.example.com{p.path}")
        for p in load_manifest().pages
    ]
    with_stand_ins = [extract_page(b, u, content_type=c) for b, c, u in pages]
    with stock_trafilatura():
        stock = [extract_page(b, u, content_type=c) for b, c, u in pages]
    assert with_stand_ins == stock
    assert sum(bool(p.body) for p in stock) >= 10
