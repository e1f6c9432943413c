"""Plain records that flow between the stages.

Every stage is a typed function over these frozen dataclasses, so a stage can run in a thread, a
process or a Prefect task without knowing which. Timestamps are always timezone-aware UTC; KST is a
presentation concern (alerts, views), never a storage one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

SourceKind = Literal["rss", "atom", "sitemap", "page", "auto"]
Lang = Literal["ko", "en"]

FetchErrorClass = Literal[
    "dns",
    "connect",
    "timeout",
    "tls",
    "http_4xx",
    "http_5xx",
    "too_large",
    "not_html",
    "empty",
    "binary",
    "private_network",
    "decode",
    "robots",
    "parse",
    "invalid_url",
    "other",
]

Quality = Literal["ok", "too_short", "no_body", "not_article", "paywalled", "blocked"]
DupKind = Literal["original", "exact", "near"]


@dataclass(frozen=True, slots=True)
class Source:
    """One configured news source (an entry of sources.toml)."""

    name: str
    url: str
    kind: SourceKind
    lang: Lang
    group: str = "default"
    link_pattern: str | None = None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a feed, kept as the feed told it: the fallback when the page itself fails."""

    source_name: str
    url: str
    title: str | None
    published_at: datetime | None
    guid: str | None
    summary: str | None
    lang: Lang


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one HTTP request; ``error`` is a class name from ``FetchErrorClass``.

    A result with an error has no ``content`` (``empty`` and ``binary`` have ``b""``);
    ``error_detail`` is a human-readable reason that never contains credentials.
    """

    url: str
    final_url: str
    source_name: str
    requested_at: datetime
    http_status: int | None
    content: bytes | None
    content_type: str | None
    elapsed_ms: int
    error: FetchErrorClass | None = None
    error_detail: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    """Response headers as received (name, value), kept for the raw page archive."""
    released_size: int | None = None
    """Set by ``without_content``: the size of the body it let go of."""

    @property
    def ok(self) -> bool:
        return self.error is None and self.content is not None

    @property
    def usable(self) -> bool:
        """Worth extracting: ``ok``, or a 200 whose page was ``empty`` or ``binary`` (its
        ``content`` is ``b""``), where the feed item's title and summary stand in for the page."""
        return self.ok or (self.error in ("empty", "binary") and self.content is not None)

    @property
    def size(self) -> int:
        if self.released_size is not None:
            return self.released_size
        return len(self.content) if self.content is not None else 0

    def without_content(self) -> FetchResult:
        """This result with its body let go (``b""``), once extracted and archived: ``ok``,
        ``usable`` and ``size`` stay what they were, so the fetch log and page states are
        unchanged, while a large run stops holding every page's bytes through its load."""
        if self.content is None or self.released_size is not None:
            return self
        return replace(self, content=b"", released_size=len(self.content))


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What extraction makes of one fetched page (plus the feed item it came from)."""

    url: str
    canonical_url: str | None
    title: str | None
    body: str
    lead: str | None
    lang: str | None
    published_at: datetime | None
    date_source: str | None
    author: str | None
    site_name: str | None
    quality: Quality
    title_flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """An article ready to be deduplicated, tagged and loaded.

    ``article_id`` is derived from ``url_key`` so that re-running a window re-derives the same id.
    """

    article_id: str
    url: str
    url_key: str
    canonical_url: str | None
    source_name: str
    title: str | None
    body: str
    lead: str | None
    lang: str | None
    published_at: datetime | None
    date_source: str | None
    author: str | None
    site_name: str | None
    fetched_at: datetime
    quality: Quality
    content_hash: str
    title_flags: tuple[str, ...] = ()
    og_url: str | None = None
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class StoryAssignment:
    """Where dedupe put one article: its story, how it relates to it and how similar it is."""

    article_id: str
    story_id: str
    dup_kind: DupKind
    similarity: float
    matched_article_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoryMerge:
    """Story ``merged_story_id`` was absorbed into ``into_story_id`` because ``article_id``
    verified against both; ``similarity`` is that article's best Jaccard against the absorbed
    story."""

    merged_story_id: str
    into_story_id: str
    article_id: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a gazetteer entity in an article.

    Offsets are character offsets into the normalized text of the field named by ``field``.
    """

    article_id: str
    entity_id: str
    surface: str
    field: Literal["title", "body"]
    start: int
    end: int
    sentence: str
    in_title: bool
    in_lead: bool
    collective: bool = False
    sentence_index: int | None = None
    """Ordinal of the sentence within its field (0 = first); mentions that share it share a
    sentence, which is what co-mentions and membership events are built on."""
    ambiguous: bool = False
    """The occurrence was accepted on evidence beyond its own text: the alias needs context
    (Orange, 메타, DT) or Kiwi decided a compound (SK텔레콤측은)."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One outbox row: the alert exists (keyed by rule, entity, story) before it is a message."""

    alert_id: str
    rule: str
    entity_id: str
    story_id: str
    article_id: str
    title: str
    message: str
    created_at: datetime
    extra: dict[str, str] = field(default_factory=dict)
    lang: str | None = None
    """The language of the message (the story's), for the digest and operators."""
    text: str | None = None
    """The plain-text form of ``message`` (which is Markdown), for channels that read no markup."""
    n_outlets: int | None = None
    n_articles: int | None = None


MembershipEvent = Literal["join", "leave", "sign"]


@dataclass(frozen=True, slots=True)
class RelationCandidate:
    """A sentence that may say a company joined, signed with or left an alliance.

    A candidate, not a fact: the sentence names both and a membership verb; analysts confirm it.
    ``known_member`` says whether the gazetteer already lists the company as a member.
    """

    article_id: str
    field: Literal["title", "body"]
    sentence_index: int
    company_id: str
    alliance_id: str
    event: MembershipEvent
    trigger: str
    sentence: str
    known_member: bool
    collective: bool = False
