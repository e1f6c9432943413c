"""Dedupe: group exact copies and near-duplicates (syndicated rewrites) of an article into stories.

Korean telecom news is mostly one press release rewritten by many outlets, plus portal copies of
each; counting copies inflates trends and turns one event into twenty alerts. A story is a cluster
of such copies across outlets and runs; its id is the ``article_id`` of its first article.

How an article finds its story, cheapest test first:

1. Exact copy: the same ``content_hash`` (SHA-256 of the normalized body without spaces), so portal
   copies that differ only in spacing, line breaks, full-width forms or quotes agree.
2. Near-duplicate: MinHash LSH over character 5-gram shingles proposes candidates, the signature
   estimate drops hopeless ones, and the exact Jaccard of the shingle sets decides. Only a verified
   Jaccard of at least ``NEAR_THRESHOLD`` joins, and the reported similarity is that exact value.
3. Otherwise the article starts a story named after itself.

Threshold 0.30, measured with ``uv run python bench/dedupe_eval.py`` on 482 Korean news bodies of
one day (soynlp sample, 115,921 pairs). Char-5-gram Jaccard has no valley between same and
different stories: 1,273 pairs lie at >= 0.30 and 633 more at 0.15-0.30. I read 116 pairs sampled
per Jaccard band and 47 same-byline pairs. Rewrites of one release reach down to 0.15, and so do
different stories about the same subject: 28 % of the sampled pairs at 0.15-0.20 are different
stories, 17 % at 0.20-0.30, 6 % at 0.30-0.35 and none of 24 above 0.35. An article joins on its
best match alone, so the error rate of the band just above the threshold is what a join risks:
one in six at 0.25-0.30, one in seventeen at 0.30-0.35. Run end to end (a rewrite also joins
through a closer copy), the share of same-story pairs that end in one story against the share of
different-story pairs that do, weighted by band size, is 80 % / 0.6 % at 0.25, 71 % / 0.3 % at
0.30 and 59 % / 0 % at 0.35. Precision comes first because a wrong join hides a distinct story
from trends and alerts, while a missed join costs one extra story. Known failure that no useful
threshold fixes: one reporter's short template pieces about different subjects (photo stories
about different singers on one TV show, sharing a line-up paragraph and a footer) reach
0.30-0.46; 18 of 19 such labelled pairs joined at 0.30 (6 of 19 at 0.40). Cleaning bylines and
footers before dedupe (tasks/cleaning.py) removes part of what they share; the corpus is
uncleaned. The 146 texts of 12 Naver re-crawls formed exactly one story per title (77 exact and
16 near copies, Jaccard >= 0.74).

LSH bands: the 128 permutations as 64 bands of 2 rows. A pair becomes a candidate with probability
``1 - (1 - J**2)**64``: 0.998 at J = 0.30, 0.93 at 0.20; measured candidate recall against brute
force was 1,244 of 1,244 pairs at >= 0.30, where 32 x 4 found 83 % and 16 x 8 (right for a 0.8
threshold) 32 %. The price is weak candidates (precision 40 %); the signature estimate, at most
3 sigma below the threshold, removes most of them before any shingle set is built, at no loss.

The index is a dict per band over the stored ``UINTEGER[]`` signatures rather than rensa's
``RMinHashLSH``: rensa 0.5 cannot rebuild an ``RMinHash`` from a stored digest (no such
constructor, a private pickle format), so its index would mean re-shingling the whole window on
every run (2.3x slower for a 9,640-document window). The banding is the same: the bench checks that
``RMinHashLSH(0.3, 128, 64)`` proposes exactly the same candidates. rensa computes the signatures,
where its speed matters (~300x a pure-Python MinHash in the same run).

Bodies under ``MIN_NEAR_CHARS`` normalized characters have too few shingles for a stable Jaccard
(one changed word moves it by 0.1), so they join only by exact hash; bodies under
``MIN_EXACT_CHARS`` (an empty extraction, a bare photo credit) join nothing.

Processing order is ``published_at`` (else ``fetched_at``) then ``article_id``, and every tie is
broken by ``article_id``, so a re-run gives identical assignments whatever order the articles and
the window arrive in; an article already in the window keeps its stored story. When a new article
verifies against two stories it joins the best match and is reported as a ``Bridge``; merging
stories is left to a later pass.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from rensa import RMinHash

from tasks.models import Article, StoryAssignment

SHINGLE_K: Final = 5
NUM_PERM: Final = 128
SEED: Final = 20240618
LSH_BANDS: Final = 64
LSH_ROWS: Final = 2
NEAR_THRESHOLD: Final = 0.30
MIN_NEAR_CHARS: Final = 200
MIN_EXACT_CHARS: Final = 20

_ESTIMATE_SIGMAS: Final = 3.0
_INVISIBLE_RE: Final = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_NON_WORD_RE: Final = re.compile(r"[\W_]+")

assert LSH_BANDS * LSH_ROWS == NUM_PERM
assert LSH_ROWS == 2, "_band_keys packs exactly two rows per band"


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """One article of the recent window as the caller loads it from the database.

    ``signature`` is what ``signature(body)`` returned when the article was stored; a signature of
    the wrong length is recomputed from ``body``.
    """

    article_id: str
    story_id: str
    content_hash: str
    signature: list[int]
    body: str


@dataclass(frozen=True, slots=True)
class Bridge:
    """A new article that verified against two or more stories: it joined ``story_id`` only.

    ``others`` lists each other story with the article's best Jaccard against it, best first.
    """

    article_id: str
    story_id: str
    similarity: float
    others: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class DedupeResult:
    """The assignments (one per distinct new article, in processing order) and the bridges."""

    assignments: list[StoryAssignment]
    bridges: list[Bridge] = field(default_factory=list)


def normalize_for_hash(text: str) -> str:
    """NFKC, lower-case, invisible characters removed, every run of non-word characters one space.

    Punctuation, symbols and whitespace runs all collapse to a single space, so copies that differ
    in line breaks, full-width forms, quotes or bullet styles normalize equal. Letters and digits of
    every script stay (Hangul, Hanja, Latin), which is what makes shingles work for both languages.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text).lower()
    return _NON_WORD_RE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """Hex SHA-256 of the normalized text with all spaces removed: the key for exact copies.

    Spaces are dropped as well, so a portal rendering that glues two paragraphs together (or an
    outlet that spaces ``SK 텔레콤``) still hashes equal; no two different articles differ only in
    spacing.
    """
    compact = normalize_for_hash(text).replace(" ", "")
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()


def shingles(text: str, k: int = SHINGLE_K) -> set[str]:
    """The set of character k-grams of the normalized text (spaces included, collapsed to one).

    Characters rather than words because Korean attaches particles to nouns
    (``SK텔레콤은``, ``SK텔레콤이``): word shingles would differ where 5-grams still overlap.
    A text shorter than ``k`` is its own single shingle; an empty text has none.
    """
    if k < 1:
        raise ValueError(f"shingle size must be positive, got {k}")
    norm = normalize_for_hash(text)
    if len(norm) < k:
        return {norm} if norm else set()
    return {norm[i : i + k] for i in range(len(norm) - k + 1)}


def signature(text: str) -> list[int]:
    """The MinHash signature of ``text``: ``NUM_PERM`` unsigned 32-bit ints (rensa RMinHash, SEED).

    Plain ints so the caller can store it as ``UINTEGER[]``/``UBIGINT[]``. The seed and permutation
    count are fixed: signatures stored on earlier runs are only comparable with the same ones (and
    with the same rensa algorithm version, which a test pins).
    """
    return _signature_of(shingles(text))


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (0.0 when both are empty)."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def assign_stories(new: Sequence[Article], window: Sequence[StoredDoc]) -> list[StoryAssignment]:
    """Put each new article into a story: an exact copy's, a verified near-duplicate's, or its own.

    One assignment per distinct ``article_id``, in processing order (see the module docstring).
    Use ``dedupe`` to also get the bridges between stories.
    """
    return dedupe(new, window).assignments


def dedupe(
    new: Sequence[Article], window: Sequence[StoredDoc], *, threshold: float = NEAR_THRESHOLD
) -> DedupeResult:
    """``assign_stories`` plus the bridges; ``threshold`` is a parameter only for evaluation."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    index = _Index(threshold)
    for doc in sorted(window, key=lambda d: d.article_id):
        index.add_stored(doc)

    assignments: list[StoryAssignment] = []
    bridges: list[Bridge] = []
    seen: set[str] = set()
    for article in sorted(new, key=_processing_key):
        if article.article_id in seen:
            continue
        seen.add(article.article_id)
        assignment, bridge = index.assign(article)
        assignments.append(assignment)
        if bridge is not None:
            bridges.append(bridge)
    return DedupeResult(assignments, bridges)


def _processing_key(article: Article) -> tuple[datetime, str]:
    return (article.published_at or article.fetched_at, article.article_id)


def _signature_of(shingle_set: Iterable[str]) -> list[int]:
    minhash = RMinHash(NUM_PERM, SEED)
    minhash.update(list(shingle_set))
    return [int(v) for v in minhash.digest()]


def _band_keys(sig: Sequence[int]) -> list[int]:
    """One int per band: its two 32-bit rows packed into 64 bits (a cheap, exact dict key)."""
    return [(a << 32) | b for a, b in zip(sig[0::2], sig[1::2], strict=True)]


class _Entry:
    """A document the index knows: a window document or a new article already assigned."""

    __slots__ = ("_shingles", "article_id", "body", "content_hash", "signature", "story_id")

    def __init__(
        self,
        article_id: str,
        story_id: str,
        content_hash: str,
        body: str,
        sig: list[int] | None,
        shingle_set: set[str] | None = None,
    ) -> None:
        self.article_id = article_id
        self.story_id = story_id
        self.content_hash = content_hash
        self.body = body
        self.signature = sig
        self._shingles = shingle_set

    @property
    def shingle_set(self) -> set[str]:
        """Built on first use: most window documents are never a verified candidate."""
        if self._shingles is None:
            self._shingles = shingles(self.body)
        return self._shingles


class _Index:
    """Exact-hash map, LSH band buckets and per-document state for one dedupe call."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        sigma = math.sqrt(threshold * (1.0 - threshold) / NUM_PERM)
        self.min_estimate = threshold - _ESTIMATE_SIGMAS * sigma
        self.entries: list[_Entry] = []
        self.by_id: dict[str, int] = {}
        self.by_hash: dict[str, int] = {}
        self.bands: list[dict[int, int | list[int]]] = [{} for _ in range(LSH_BANDS)]

    def add_stored(self, doc: StoredDoc) -> None:
        if doc.article_id in self.by_id:
            return
        norm_len = len(normalize_for_hash(doc.body))
        sig: list[int] | None = None
        if norm_len >= MIN_NEAR_CHARS:
            sig = [int(v) for v in doc.signature]
            if len(sig) != NUM_PERM:
                sig = signature(doc.body)
        entry = _Entry(doc.article_id, doc.story_id, doc.content_hash, doc.body, sig)
        self._register(entry, norm_len)

    def assign(self, article: Article) -> tuple[StoryAssignment, Bridge | None]:
        known = self.by_id.get(article.article_id)
        if known is not None:
            return self._reassign_known(self.entries[known]), None

        article_id, hash_ = article.article_id, article.content_hash
        norm_len = len(normalize_for_hash(article.body))
        if norm_len >= MIN_EXACT_CHARS and hash_ in self.by_hash:
            twin = self.entries[self.by_hash[hash_]]
            self._register(_Entry(article_id, twin.story_id, hash_, article.body, None), norm_len)
            return StoryAssignment(article_id, twin.story_id, "exact", 1.0, twin.article_id), None

        sig: list[int] | None = None
        new_shingles: set[str] | None = None
        matches: list[tuple[float, str, _Entry]] = []
        if norm_len >= MIN_NEAR_CHARS:
            new_shingles = shingles(article.body)
            sig = _signature_of(new_shingles)
            matches = self._verified_matches(sig, new_shingles)

        if not matches:
            entry = _Entry(article_id, article_id, hash_, article.body, sig, new_shingles)
            self._register(entry, norm_len)
            return StoryAssignment(article_id, article_id, "original", 1.0), None

        best_sim, _, best = matches[0]
        entry = _Entry(article_id, best.story_id, hash_, article.body, sig, new_shingles)
        self._register(entry, norm_len)
        assignment = StoryAssignment(article_id, best.story_id, "near", best_sim, best.article_id)
        return assignment, self._bridge(article_id, best.story_id, best_sim, matches)

    def _verified_matches(
        self, sig: list[int], new_shingles: set[str]
    ) -> list[tuple[float, str, _Entry]]:
        """Band candidates, filtered by the estimate, verified by exact Jaccard; best first."""
        candidates: set[int] = set()
        for band, key in zip(self.bands, _band_keys(sig), strict=True):
            bucket = band.get(key)
            if bucket is None:
                continue
            if isinstance(bucket, int):
                candidates.add(bucket)
            else:
                candidates.update(bucket)
        matches: list[tuple[float, str, _Entry]] = []
        for position in candidates:
            entry = self.entries[position]
            assert entry.signature is not None
            agree = sum(1 for a, b in zip(sig, entry.signature, strict=True) if a == b)
            if agree / NUM_PERM < self.min_estimate:
                continue
            similarity = jaccard(new_shingles, entry.shingle_set)
            if similarity >= self.threshold:
                matches.append((similarity, entry.article_id, entry))
        matches.sort(key=lambda m: (-m[0], m[1]))
        return matches

    @staticmethod
    def _bridge(
        article_id: str,
        story_id: str,
        similarity: float,
        matches: list[tuple[float, str, _Entry]],
    ) -> Bridge | None:
        others: dict[str, float] = {}
        for sim, _, entry in matches:
            if entry.story_id != story_id and entry.story_id not in others:
                others[entry.story_id] = sim
        if not others:
            return None
        ordered = tuple(sorted(others.items(), key=lambda kv: (-kv[1], kv[0])))
        return Bridge(article_id, story_id, similarity, ordered)

    def _reassign_known(self, entry: _Entry) -> StoryAssignment:
        """An article already in the window (a re-run): keep its story, say how it relates to it."""
        article_id, story_id = entry.article_id, entry.story_id
        if story_id == article_id:
            return StoryAssignment(article_id, story_id, "original", 1.0)
        members = sorted(
            (e for e in self.entries if e.story_id == story_id and e is not entry),
            key=lambda e: e.article_id,
        )
        for member in members:
            if member.content_hash == entry.content_hash:
                return StoryAssignment(article_id, story_id, "exact", 1.0, member.article_id)
        scored = sorted((-jaccard(entry.shingle_set, m.shingle_set), m.article_id) for m in members)
        if not scored:
            return StoryAssignment(article_id, story_id, "near", 0.0)
        best_sim, best_id = -scored[0][0], scored[0][1]
        return StoryAssignment(article_id, story_id, "near", best_sim, best_id)

    def _register(self, entry: _Entry, norm_len: int) -> None:
        position = len(self.entries)
        self.entries.append(entry)
        self.by_id[entry.article_id] = position
        if norm_len >= MIN_EXACT_CHARS:
            self.by_hash.setdefault(entry.content_hash, position)
        if entry.signature is not None and norm_len >= MIN_NEAR_CHARS:
            for band, key in zip(self.bands, _band_keys(entry.signature), strict=True):
                bucket = band.get(key)
                if bucket is None:
                    band[key] = position
                elif isinstance(bucket, int):
                    band[key] = [bucket, position]
                else:
                    bucket.append(position)
