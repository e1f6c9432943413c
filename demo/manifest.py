"""Typed access to ``demo/content/manifest.toml``: what the demo site serves and what is true of it.

The manifest is the single description of the synthetic site. The server reads it to know which
file to serve at which path with which Content-Type, and tests elsewhere read it for the expected
facts (story groups, entity ids, trap pages) so that those facts live next to the pages they
describe instead of being copied into every test.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal

FeedKind = Literal["rss", "atom"]
DupKind = Literal["original", "exact", "near"]

ENTITY_IDS: frozenset[str] = frozenset(
    {
        "gtaa",
        "sk_telecom",
        "deutsche_telekom",
        "e_and",
        "singtel",
        "softbank_corp",
        "ai_ran_alliance",
        "o_ran_alliance",
        "gsma",
        "tm_forum",
        "kt",
        "lg_uplus",
        "nvidia",
        "samsung_electronics",
        "nokia",
        "ericsson",
        "orange",
    }
)
"""The gazetteer ids the manifest may name; a typo in the manifest should fail loudly."""


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed file. Its text contains ``{base}`` placeholders the server fills in."""

    id: str
    path: str
    file: str
    kind: FeedKind
    lang: str
    charset: str
    send_charset: bool
    content_type: str
    valid: bool

    @property
    def header_content_type(self) -> str:
        """The Content-Type header value the server sends for this feed."""
        return _with_charset(self.content_type, self.charset, self.send_charset)


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One article page and the facts a correct pipeline should derive from it."""

    id: str
    path: str
    feed: str
    feed_link: str
    file: str
    content_type: str
    charset: str
    send_charset: bool
    lang: str
    outlet: str
    title: str
    published: datetime
    story: str
    dup: DupKind
    dup_of: str | None
    trap: bool
    entities: frozenset[str]
    not_entities: frozenset[str]
    body_contains: tuple[str, ...]
    chrome: tuple[str, ...]
    boilerplate: tuple[str, ...]

    @property
    def header_content_type(self) -> str:
        """The Content-Type header value the server sends for this page."""
        return _with_charset(self.content_type, self.charset, self.send_charset)


@dataclass(frozen=True, slots=True)
class Manifest:
    """All feeds and pages of the demo site."""

    feeds: tuple[FeedSpec, ...]
    pages: tuple[PageSpec, ...]

    def page(self, page_id: str) -> PageSpec:
        """The page with this id (KeyError if there is none)."""
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def feed(self, feed_id: str) -> FeedSpec:
        """The feed with this id (KeyError if there is none)."""
        for feed in self.feeds:
            if feed.id == feed_id:
                return feed
        raise KeyError(feed_id)

    def pages_in_feed(self, feed_id: str) -> tuple[PageSpec, ...]:
        """The pages a feed lists, in manifest order."""
        return tuple(page for page in self.pages if page.feed == feed_id)

    def stories(self) -> dict[str, tuple[PageSpec, ...]]:
        """Pages grouped by story id: the clusters a correct dedupe produces."""
        groups: dict[str, list[PageSpec]] = {}
        for page in self.pages:
            groups.setdefault(page.story, []).append(page)
        return {story: tuple(pages) for story, pages in groups.items()}


def _with_charset(content_type: str, charset: str, send: bool) -> str:
    return f"{content_type}; charset={charset}" if send else content_type


def content_root() -> Traversable:
    """The packaged ``demo/content`` directory (works from a wheel as well as a checkout)."""
    return resources.files("demo").joinpath("content")


def read_content(relative: str) -> bytes:
    """The raw bytes of one packaged content file, e.g. ``pages/ko/hanbit-55102.euckr.html``."""
    node = content_root()
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node.read_bytes()


def _feed(raw: dict[str, Any]) -> FeedSpec:
    kind = raw["kind"]
    if kind not in ("rss", "atom"):
        raise ValueError(f"feed {raw['id']}: unknown kind {kind!r}")
    return FeedSpec(
        id=str(raw["id"]),
        path=str(raw["path"]),
        file=str(raw["file"]),
        kind=kind,
        lang=str(raw["lang"]),
        charset=str(raw["charset"]),
        send_charset=bool(raw["send_charset"]),
        content_type=str(raw["content_type"]),
        valid=bool(raw["valid"]),
    )


def _page(raw: dict[str, Any]) -> PageSpec:
    dup = raw["dup"]
    if dup not in ("original", "exact", "near"):
        raise ValueError(f"page {raw['id']}: unknown dup kind {dup!r}")
    entities = frozenset(raw["entities"])
    not_entities = frozenset(raw["not_entities"])
    unknown = (entities | not_entities) - ENTITY_IDS
    if unknown:
        raise ValueError(f"page {raw['id']}: unknown entity ids {sorted(unknown)}")
    if entities & not_entities:
        raise ValueError(f"page {raw['id']}: ids both expected and forbidden")
    published = raw["published"]
    if not isinstance(published, datetime) or published.tzinfo is None:
        raise ValueError(f"page {raw['id']}: published must be an offset date-time")
    return PageSpec(
        id=str(raw["id"]),
        path=str(raw["path"]),
        feed=str(raw["feed"]),
        feed_link=str(raw["feed_link"]),
        file=str(raw["file"]),
        content_type=str(raw["content_type"]),
        charset=str(raw["charset"]),
        send_charset=bool(raw["send_charset"]),
        lang=str(raw["lang"]),
        outlet=str(raw["outlet"]),
        title=str(raw["title"]),
        published=published,
        story=str(raw["story"]),
        dup=dup,
        dup_of=str(raw["dup_of"]) or None,
        trap=bool(raw["trap"]),
        entities=entities,
        not_entities=not_entities,
        body_contains=tuple(raw["body_contains"]),
        chrome=tuple(raw["chrome"]),
        boilerplate=tuple(raw["boilerplate"]),
    )


@cache
def load_manifest() -> Manifest:
    """Parse and validate the packaged manifest (cached: it never changes at run time)."""
    raw = tomllib.loads(read_content("manifest.toml").decode("utf-8"))
    if raw.get("schema") != 1:
        raise ValueError(f"unsupported manifest schema {raw.get('schema')!r}")
    manifest = Manifest(
        feeds=tuple(_feed(item) for item in raw["feeds"]),
        pages=tuple(_page(item) for item in raw["pages"]),
    )
    feed_ids = {feed.id for feed in manifest.feeds}
    page_ids = {page.id for page in manifest.pages}
    for page in manifest.pages:
        if page.feed not in feed_ids:
            raise ValueError(f"page {page.id}: unknown feed {page.feed!r}")
        if page.dup_of is not None and page.dup_of not in page_ids:
            raise ValueError(f"page {page.id}: dup_of names unknown page {page.dup_of!r}")
    return manifest
