"""Identical, faster stand-ins for trafilatura's boilerplate-pruning XPath rules.

Why: trafilatura evaluates a handful of "discard" XPath expressions on every page, several of them
more than once (in precision mode, the whole raw tree is pruned once more before readability).
Their predicates call EXSLT ``re:test``: libxml2 walks every element and calls back into Python
for each test, converting each attribute node-set into Python strings on the way. The same
selection as one Python pass over the elements (``iterdescendants`` with a tag filter, ``get``,
the very same compiled regexes) is 2-3x faster; on a news page that is about a quarter of
trafilatura's time in precision mode (``bench/extraction_eval.py``, "trafilatura's prune rules").

Constraint: a stand-in returns exactly the elements, in the same (document) order, that its XPath
returns, for any tree. What keeps it so:

- It is installed only when the original expression, with its ``re:test`` patterns blanked, is
  the template it was written for (``_STAND_INS``). The patterns are read from the original, so
  an upgrade that edits trafilatura's token lists is followed; one that changes an expression's
  structure leaves trafilatura's own XPath in place (and ``tests/tasks/test_prune_rules.py``
  fails on the count of installed rules, so the change is noticed).
- XPath casts ``@id|@class`` to the value of whichever of the two comes first in the element's
  source order; ``_first`` does the same (lxml lists attributes in source order).
- EXSLT ``re:test`` on a missing attribute tests the empty string. No pattern installed here
  matches the empty string (checked at install), and every other term needs its attribute, so
  an element without attributes never matches and is skipped.
- The tests compare every stand-in with its XPath on every test page, on trafilatura's cleaned
  trees, and on generated elements (both attribute orders, empty values, missing attributes,
  tokens taken from the patterns).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lxml import etree
from trafilatura import xpaths

LOGGER = logging.getLogger(__name__)

Select = Callable[[Any], list[Any]]
Build = Callable[[Sequence[re.Pattern[str]]], Select]
Match = Callable[[Any, list[str]], Any]

_RE_TEST = re.compile(r"re:test\((@[\w-]+(?:\|@[\w-]+)?),\s*'([^']*)'\)")
_SIX = ("div", "item", "list", "p", "section", "span")
_LOCK = threading.Lock()


class StandIn:
    """Called like the XPath it replaces (``rule(tree) -> elements``); keeps that XPath as
    ``original`` for tests and for anyone reading ``trafilatura.xpaths`` at run time."""

    __slots__ = ("_select", "original", "path")

    def __init__(self, original: Any, select: Select) -> None:
        self.original = original
        self.path: str = original.path
        self._select = select

    def __call__(self, tree: Any) -> list[Any]:
        return self._select(tree)

    def __repr__(self) -> str:
        return f"StandIn({' '.join(self.path.split())[:60]!r}...)"


def blank_patterns(path: str) -> tuple[str, list[str]]:
    """The expression with whitespace collapsed and each ``re:test`` pattern replaced by ``_``,
    and the patterns in order of appearance."""
    patterns: list[str] = []

    def blank(match: re.Match[str]) -> str:
        patterns.append(match[2])
        return f"re:test({match[1]}, _)"

    return " ".join(_RE_TEST.sub(blank, path).split()), patterns


def _first(keys: list[str], a_value: str | None, b_value: str | None, a: str, b: str) -> str:
    """XPath's string value of ``@a|@b``: the first of the two in source order, else ''."""
    if a_value is None:
        return b_value if b_value is not None else ""
    if b_value is None:
        return a_value
    return a_value if keys.index(a) < keys.index(b) else b_value


def _scan(tags: tuple[str, ...] | None, match: Match) -> Select:
    """``.//*[self::tag or ...][match]`` (any element when ``tags`` is None), in document order.
    ``match`` gets the element and its attribute names in source order; an element without
    attributes never matches any rule here (module docstring), so it is not asked."""
    if tags is None:
        return lambda tree: [
            el
            for el in tree.iterdescendants(etree.Element)
            if (keys := el.keys()) and match(el, keys)
        ]
    return lambda tree: [
        el for el in tree.iterdescendants(tags) if (keys := el.keys()) and match(el, keys)
    ]


def _overall_discard(patterns: Sequence[re.Pattern[str]]) -> Select:
    id_or_class, by_id, by_class = (p.search for p in patterns)

    def match(el: Any, keys: list[str]) -> Any:
        get = el.get
        id_, cls = get("id"), get("class")
        return (
            "data-lp-replacement-content" in keys
            or "nav" in (get("role") or "").replace("N", "n")
            or "MostPopularStories" in (get("data-component") or "")
            or id_or_class(_first(keys, id_, cls, "id", "class"))
            or (id_ is not None and by_id(id_))
            or (cls is not None and by_class(cls))
        )

    return _scan(_SIX, match)


def _overall_hidden(patterns: Sequence[re.Pattern[str]]) -> Select:
    id_or_style, by_id, by_class = (p.search for p in patterns)

    def match(el: Any, keys: list[str]) -> Any:
        get = el.get
        id_, cls, style = get("id"), get("class"), get("style")
        return (
            cls == "comments-title"
            or _first(keys, id_, cls, "id", "class").startswith("reply-")
            or id_or_style(_first(keys, id_, style, "id", "style"))
            or (style is not None and ("display:none" in style or "display: none" in style))
            or (id_ is not None and by_id(id_))
            or (cls is not None and by_class(cls))
            or get("aria-hidden") == "true"
        )

    return _scan(None, match)


def _id_or_class_then(tags: tuple[str, ...], keep: Callable[[Any, bool], bool]) -> Build:
    """Rules of the form ``.//*[tags][re:test(@id, A) or re:test(@class, B)][keep]``, where
    ``keep(element, re:test(@id, C) or re:test(@class, D))`` is the second predicate (C, D are
    A, B when the rule has only the first)."""

    def build(patterns: Sequence[re.Pattern[str]]) -> Select:
        by_id, by_class = patterns[0].search, patterns[1].search
        then_id, then_class = (
            (patterns[2].search, patterns[3].search) if len(patterns) > 2 else (by_id, by_class)
        )

        def match(el: Any, _keys: list[str]) -> bool:
            id_, cls = el.get("id"), el.get("class")
            if not ((id_ is not None and by_id(id_)) or (cls is not None and by_class(cls))):
                return False
            second = (id_ is not None and then_id(id_)) or (cls is not None and then_class(cls))
            return keep(el, bool(second))

        return _scan(tags, match)

    return build


def _raw_tree_keep(el: Any, second: bool) -> bool:
    """``not(.//h1) or re:test(@id, C) or re:test(@class, D)``"""
    return second or next(el.iterdescendants("h1"), None) is None


def _comment_list_keep(el: Any, second: bool) -> bool:
    """``not(self::ol or self::ul) or re:test(@id, C) or re:test(@class, D)``"""
    return second or el.tag not in ("ol", "ul")


def _always(_el: Any, _second: bool) -> bool:
    return True


def _teaser(_patterns: Sequence[re.Pattern[str]]) -> Select:
    def match(el: Any, _keys: list[str]) -> bool:
        id_, cls = el.get("id"), el.get("class")
        return (id_ is not None and "teaser" in id_.replace("T", "t")) or (
            cls is not None and "teaser" in cls.replace("T", "t")
        )

    return _scan(_SIX, match)


def _precision(patterns: Sequence[re.Pattern[str]]) -> Select:
    first_test, second_test = (p.search for p in patterns)

    def match(el: Any, keys: list[str]) -> Any:
        get = el.get
        id_or_class = _first(keys, get("id"), get("class"), "id", "class")
        style = get("style")
        return (
            first_test(id_or_class)
            or second_test(id_or_class)
            or (style is not None and "border" in style)
        )

    return _scan(_SIX, match)


def _author_discard(patterns: Sequence[re.Pattern[str]]) -> Select:
    by_id, by_class = (p.search for p in patterns)

    def match(el: Any, _keys: list[str]) -> Any:
        get = el.get
        id_, cls = get("id"), get("class")
        return (
            id_ == "comments"
            or cls in ("comments", "title", "date")
            or (id_ is not None and by_id(id_))
            or (cls is not None and by_class(cls))
            or "Figure" in (get("data-component") or "")
        )

    return _scan(("a", "div", "section", "span"), match)


@dataclass(frozen=True)
class _Rule:
    """Where a stand-in goes (``trafilatura.xpaths.<list_name>[index]``), the blanked expression
    it was written for, and how to build it from the expression's own patterns."""

    list_name: str
    index: int
    template: str
    build: Build


_STAND_INS = (
    _Rule(
        "OVERALL_DISCARD_XPATH",
        0,
        ".//*[self::div or self::item or self::list or self::p or self::section or self::span][ "
        "@data-lp-replacement-content or contains(translate(@role, 'N', 'n'), 'nav') or "
        "contains(@data-component, 'MostPopularStories') or re:test(@id|@class, _) or "
        "re:test(@id, _) or re:test(@class, _)]",
        _overall_discard,
    ),
    _Rule(
        "OVERALL_DISCARD_XPATH",
        1,
        ".//*[@class='comments-title' or starts-with(@id|@class, 'reply-') or "
        "re:test(@id|@style, _) or contains(@style, 'display:none') or "
        "contains(@style, 'display: none') or re:test(@id, _) or re:test(@class, _) or "
        "@aria-hidden='true']",
        _overall_hidden,
    ),
    _Rule(
        "RAW_TREE_PRUNE_XPATH",
        0,
        ".//*[self::div or self::section or self::aside][ re:test(@id, _) or "
        "re:test(@class, _)][ not(.//h1) or re:test(@id, _) or re:test(@class, _)]",
        _id_or_class_then(("div", "section", "aside"), _raw_tree_keep),
    ),
    _Rule(
        "REMOVE_COMMENTS_XPATH",
        0,
        ".//*[self::div or self::list or self::section or self::details][ re:test(@id, _) or "
        "re:test(@class, _)]",
        _id_or_class_then(("div", "list", "section", "details"), _always),
    ),
    _Rule(
        "REMOVE_COMMENTS_AND_LISTS_XPATH",
        0,
        ".//*[self::div or self::list or self::section or self::details or self::ol or "
        "self::ul][ re:test(@id, _) or re:test(@class, _)][ not(self::ol or self::ul) or "
        "re:test(@id, _) or re:test(@class, _)]",
        _id_or_class_then(("div", "list", "section", "details", "ol", "ul"), _comment_list_keep),
    ),
    _Rule(
        "TEASER_DISCARD_XPATH",
        0,
        ".//*[self::div or self::item or self::list or self::p or self::section or self::span][ "
        "contains(translate(@id, 'T', 't'), 'teaser') or "
        "contains(translate(@class, 'T', 't'), 'teaser')]",
        _teaser,
    ),
    _Rule(
        "PRECISION_DISCARD_XPATH",
        1,
        ".//*[self::div or self::item or self::list or self::p or self::section or self::span][ "
        "re:test(@id|@class, _) or re:test(@id|@class, _) or contains(@style, 'border')]",
        _precision,
    ),
    _Rule(
        "AUTHOR_DISCARD_XPATHS",
        0,
        ".//*[self::a or self::div or self::section or self::span][ @id='comments' or "
        "@class='comments' or @class='title' or @class='date' or re:test(@id, _) or "
        "re:test(@class, _) or contains(@data-component, 'Figure')]",
        _author_discard,
    ),
)

RULE_COUNT = len(_STAND_INS)


def install() -> int:
    """Put the stand-ins into ``trafilatura.xpaths``'s rule lists (in place: trafilatura's
    modules hold those very lists) where the expressions are the ones they were written for.
    Idempotent and thread-safe; returns how many rules are stand-ins afterwards."""
    installed = 0
    with _LOCK:
        for rule in _STAND_INS:
            rules = getattr(xpaths, rule.list_name, None)
            if not isinstance(rules, list) or rule.index >= len(rules):
                LOGGER.debug("trafilatura has no %s[%d]", rule.list_name, rule.index)
                continue
            current = rules[rule.index]
            if isinstance(current, StandIn):
                installed += 1
                continue
            template, patterns = blank_patterns(getattr(current, "path", ""))
            compiled = [re.compile(p) for p in patterns]
            if template != rule.template or any(p.search("") for p in compiled):
                LOGGER.debug("%s[%d] changed: trafilatura's XPath kept", rule.list_name, rule.index)
                continue
            rules[rule.index] = StandIn(current, rule.build(compiled))
            installed += 1
    return installed


def uninstall() -> None:
    """Put trafilatura's own XPath rules back: for benchmarks that time stock trafilatura in a
    process that has imported newsmon (single-threaded use only)."""
    with _LOCK:
        for rule in _STAND_INS:
            rules = getattr(xpaths, rule.list_name, None)
            if isinstance(rules, list) and isinstance(rules[rule.index], StandIn):
                rules[rule.index] = rules[rule.index].original


@contextmanager
def stock_trafilatura() -> Iterator[None]:
    """trafilatura's own rules inside the block, the stand-ins again after it."""
    uninstall()
    try:
        yield
    finally:
        install()


def originals() -> list[tuple[str, Any, StandIn]]:
    """(name, trafilatura's XPath, stand-in) for every installed stand-in: for tests and bench."""
    found = []
    for rule in _STAND_INS:
        current = getattr(xpaths, rule.list_name, [None] * (rule.index + 1))[rule.index]
        if isinstance(current, StandIn):
            found.append((f"{rule.list_name}[{rule.index}]", current.original, current))
    return found
