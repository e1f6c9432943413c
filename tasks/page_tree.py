"""Repairs to a parsed news page before trafilatura reads it: three layouts it gets wrong.

trafilatura picks one content container and drops what its class names call boilerplate. Three
common layouts defeat that, each seen on real pages of the extraction benchmark
(bench/extraction_eval.py):

- **Split article bodies**: the CMS cuts the article into several sibling containers of the same
  class (``article__body`` chunks between ad slots). trafilatura takes the first container only and
  loses the rest of the article (recall 0.35 and 0.45 on two such pages). ``merge_body_chunks``
  moves the later chunks' children into the first one.
- **Related-article blocks without a telling class**: a block headed "You may also like",
  "Leia também", "관련기사" whose container is named like the article (``post``, ``article``)
  survives trafilatura's class filter and its teasers are read as article paragraphs.
  ``prune_related_blocks`` removes a block whose first child is such a heading, or the heading and
  the list right after it.
- **Link lists hidden inside a sentence**: hover cards (a person's name that opens a box of their
  latest headlines) put several headline links inside the paragraph's markup, and the text reads
  "Jane DoeJane DoeHeadline one Headline two …". ``prune_inline_link_lists`` removes an inline
  element inside a paragraph that is nothing but three or more links.

Each rule needs a page's *structure* to agree (same class, first child, all links), so an
ordinary article is left as it is. The tree is changed in place; callers read their own facts
(links, dates) before calling ``repair``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.etree import XPath
from lxml.html import HtmlElement

from tasks.cleaning import RELATED_HEADING

__all__ = ["merge_body_chunks", "prune_inline_link_lists", "prune_related_blocks", "repair"]

_HEADINGS = XPath("//h2|//h3|//h4|//h5|//h6")
"""Headings only: a container whose class says "related" is already dropped by trafilatura."""
_LIST_TAGS = frozenset({"ul", "ol", "div", "section", "aside", "nav"})
_MAX_HEADING_CHARS = 60

_CHUNK_CLASS_TOKENS = (
    "article-body",
    "article__body",
    "article_body",
    "articlebody",
    "articleBody",
    "article__content",
    "article-content",
    "story-body",
    "body__inner-container",
    "post-content",
    "entry-content",
)
_BODY_CHUNK = XPath(
    "//div[@itemprop='articleBody' or contains(@class, 'ody') or contains(@class, 'ontent')]"
    "|//section[@itemprop='articleBody' or contains(@class, 'ody') or contains(@class, 'ontent')]"
)
"""Candidate chunks, found by libxml2 with two plain ``contains`` (every token has "body" or
"content"; a regular expression in XPath would call back into Python for every element);
``_CHUNK_CLASS`` then checks whole class tokens."""
_CHUNK_CLASS = re.compile(
    r"(?:^|\s)(?:" + "|".join(map(re.escape, _CHUNK_CLASS_TOKENS)) + r")(?:\s|$)"
)
_MAX_CHUNK_DISTANCE = 3
"""Chunks of one article share an ancestor at most this many levels up; an article loaded below
(infinite scroll) sits in a container of its own, further away."""

_MIN_HEADLINE_CHARS = 10
_MIN_LIST_LINKS = 3
_PARAGRAPH_INLINE = XPath(
    f"//p[count(.//a) >= {_MIN_LIST_LINKS}]//span|//p[count(.//a) >= {_MIN_LIST_LINKS}]//div"
)
_LINK_TEXT_SHARE = 0.9


def repair(tree: HtmlElement, headlines: Iterable[str | None] = ()) -> None:
    """Apply every repair of this module to ``tree`` (in place); ``headlines`` are the page's own
    title candidates (see ``prune_related_blocks``)."""
    merge_body_chunks(tree)
    prune_related_blocks(tree, headlines)
    prune_inline_link_lists(tree)


def merge_body_chunks(tree: HtmlElement) -> bool:
    """Join an article body split into sibling containers of one class; True if it did."""
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for element in _BODY_CHUNK(tree):
        if element.get("itemprop") != "articleBody" and not _CHUNK_CLASS.search(
            element.get("class") or ""
        ):
            continue
        groups.setdefault((element.tag, element.get("class") or ""), []).append(element)
    merged = False
    for chunks in groups.values():
        if len(chunks) < 2 or not _close_cousins(chunks):
            continue
        first = chunks[0]
        for chunk in chunks[1:]:
            if chunk.text and chunk.text.strip():  # the chunk's own leading text, in order
                last = first[-1] if len(first) else None
                if last is not None:
                    last.tail = f"{last.tail or ''} {chunk.text}"
                else:
                    first.text = f"{first.text or ''} {chunk.text}"
            for child in list(chunk):
                first.append(child)
            _remove_keep_tail(chunk)
        merged = True
    return merged


def _close_cousins(chunks: list[HtmlElement]) -> bool:
    """No chunk contains another, and all share an ancestor within ``_MAX_CHUNK_DISTANCE``."""
    ancestor_sets = []
    for chunk in chunks:
        ancestors = list(chunk.iterancestors())
        if any(other in ancestors for other in chunks):
            return False
        ancestor_sets.append(ancestors[:_MAX_CHUNK_DISTANCE])
    common = set(ancestor_sets[0]).intersection(*map(set, ancestor_sets[1:]))
    return bool(common)


def prune_related_blocks(tree: HtmlElement, headlines: Iterable[str | None] = ()) -> int:
    """Remove related-article blocks announced by their heading; returns how many went.

    A block whose first element is the heading goes whole. A heading inside a larger container
    takes only itself and the list element right after it, so the article around it stays.
    A block that contains the page's own headline is left alone: broken markup (an unclosed
    ``<div>``) can put the article itself inside its site's "top news" box.
    """
    keys = [k for k in (_squash(h) for h in headlines if h) if len(k) >= _MIN_HEADLINE_CHARS]
    removed = 0
    for heading in _HEADINGS(tree):
        parent = heading.getparent()
        if parent is None or heading.getroottree().getroot() is not tree.getroottree().getroot():
            continue
        text = " ".join(heading.text_content().split())
        if not text or len(text) > _MAX_HEADING_CHARS or not RELATED_HEADING.match(text):
            continue
        first = parent.index(heading) == 0 and not (parent.text or "").strip()
        if first and parent.tag != "body" and parent.getparent() is not None:
            if _holds_headline(parent, keys):
                continue
            _remove_keep_tail(parent)
            removed += 1
            continue
        following = heading.getnext()
        if following is not None and following.tag in _LIST_TAGS:
            if _holds_headline(following, keys):
                continue
            _remove_keep_tail(following)
        _remove_keep_tail(heading)
        removed += 1
    return removed


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()


def _holds_headline(element: HtmlElement, keys: list[str]) -> bool:
    text = _squash(element.text_content())
    return any(key in text for key in keys)


def prune_inline_link_lists(tree: HtmlElement) -> int:
    """Remove the innermost inline elements inside paragraphs that are only a list of links."""
    found = [e for e in _PARAGRAPH_INLINE(tree) if _is_link_list(e)]
    innermost = [e for e in found if not any(e in o.iterancestors() for o in found if o is not e)]
    for element in innermost:
        _remove_keep_tail(element)
    return len(innermost)


def _is_link_list(element: HtmlElement) -> bool:
    links = element.findall(".//a")
    if len(links) < _MIN_LIST_LINKS:
        return False
    text = "".join(element.text_content().split())
    linked = sum(len("".join(a.text_content().split())) for a in links)
    return bool(text) and linked >= _LINK_TEXT_SHARE * len(text)


def _remove_keep_tail(element: HtmlElement) -> None:
    """Remove ``element`` but keep the text that follows it (its tail) in the document."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = f"{previous.tail or ''}{tail}"
        else:
            parent.text = f"{parent.text or ''}{tail}"
    parent.remove(element)
