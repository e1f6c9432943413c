"""Dedupe: group exact copies and near-duplicates (syndicated rewrites) of an article into stories.

Korean telecom news is mostly one press release rewritten by many outlets, plus portal copies of
each; counting copies inflates trends and turns one event into twenty alerts. A story is a cluster
of such copies across outlets and runs; its id is the ``article_id`` of its first article.

How an article finds its story, cheapest test first:

0. Same page: one of its identity keys (the url_keys of its URL, ``<link rel=canonical>`` and
   ``og:url``, see tasks/identity.py) is an identity key of a known article, so it is that page
   reached by another URL. It joins as ``exact``, with the exact Jaccard of the two bodies as its
   similarity (1.0 when either body is too short to shingle). A shared canonical with bodies below
   ``IDENTITY_MIN_JACCARD`` is a CMS template's canonical, not a shared identity, and is ignored.
1. Exact copy: the same ``content_hash`` (SHA-256 of the normalized body without spaces), so portal
   copies that differ only in spacing, line breaks, full-width forms or quotes agree.
2. Near-duplicate: MinHash LSH over character 5-gram shingles proposes candidates, the signature
   estimate drops hopeless ones, and exact measures decide. A candidate joins when its exact
   Jaccard is at least ``NEAR_THRESHOLD``, or when the Jaccard is at least ``REWRITE_THRESHOLD``
   and one of the two texts is covered piece by piece by the other (``coverage`` at least
   ``COVER_MIN``). The reported similarity is always the exact Jaccard.
3. Otherwise the article starts a story named after itself.

Why two measures. Char-5-gram Jaccard has no valley between same and different stories on real
Korean news (482 bodies of one day, soynlp sample, 115,921 pairs; ``uv run python
bench/dedupe_eval.py``): rewrites of one release reach down to 0.15 and different stories about
one subject reach up to 0.35, and one reporter's template pieces about different subjects (photo
stories about different singers on one TV show, sharing a line-up paragraph and a footer) reach
0.46. With Jaccard alone the best weighted F1 was 0.885 (threshold 0.25). What separates a rewrite
from a stranger that shares a paragraph is where the shared text sits: a rewrite (or a short copy
inside a long original) repeats a little of every sentence of the release, so nearly every
100-character piece of one text has a quarter of its shingles in the other; a shared footer,
byline or company paragraph covers only the pieces it sits in, however many shingles it adds to
the Jaccard. ``coverage`` is the share of a text's pieces that are covered so; a pair passes when
either text reaches ``COVER_MIN`` (the short one usually does).

Thresholds chosen by measurement (bench/dedupe_eval.py section 7 sweeps the Jaccard threshold
0.25-0.50 against ``COVER_MIN`` 0.7-0.95 and marks the best weighted F1, then the floor 0.12-0.20
and the piece size and hit share). ``NEAR_THRESHOLD`` 0.40, ``COVER_MIN`` 0.90,
``REWRITE_THRESHOLD`` 0.15, pieces of 100 characters with a hit share of 0.25 give weighted
P 0.990, R 0.966, F1 0.978 (Jaccard 0.30 alone: P 0.995, R 0.775, F1 0.871). The best F1 is a
plateau: thresholds 0.40-0.50 x cover 0.85-0.95 x floors 0.12-0.20 all score 0.978; 0.40 is its
lowest threshold (no pair at >= 0.40 in the random sample is a different story, so joining those
by Jaccard alone costs nothing) and 0.90 its middle cover. Pieces: 60 characters at hit 0.20 scored
0.983 at floor 0.15 but 0.814 at 0.12 (one different-story pair in the heavily weighted 0.10-0.15
band joins), so that lead rests on one labelled pair; 100 at 0.25 is the best setting that holds
at every floor (60 at 0.25: 0.975). On the labelled pairs as sampled (hard cases
over-represented) P 0.833, R 0.926, F1 0.877 (0.693 before, on the same labels). The Naver
re-crawls (10,585 pairs) stay at P = R = F1 = 1.000. Known failure: 13 of the 18 template pairs
labelled different still end in one story (18 of 18 with Jaccard 0.30 alone): their shared block
is most of each short piece, so both measures see a copy. Cleaning bylines and footers before
dedupe (tasks/cleaning.py) removes part of what they share; the corpus is uncleaned.

LSH bands: the 128 permutations as 64 bands of 2 rows. A pair becomes a candidate with probability
``1 - (1 - J**2)**64``: 0.99999 at J = 0.40, 0.93 at 0.20, 0.77 at 0.15; measured against brute
force (section 4), the bands find 978 of 978 pairs at >= 0.40 and 1,826 of 1,874 (97.4 %) at
>= 0.15 (rewrites share more than chance), where 32 x 4 finds 58 % and 16 x 8 21 % at 0.15. The
price is weak candidates; the signature estimate (``_candidate_estimate``: 3 sigma below the
threshold, 2 below the floor ``REWRITE_THRESHOLD``) removes most of them before any shingle set is
built (1,825 of the 1,874 pairs at >= 0.15 survive it; F1 unchanged against 3 sigma).

The index is our own over the stored signatures rather than rensa's ``RMinHashLSH``: rensa 0.5
cannot rebuild an ``RMinHash`` from a stored digest (no such constructor, a private pickle format),
so its index would mean re-shingling the whole window on every run (2.3x slower for a
9,640-document window). The banding is the same: the bench checks that ``RMinHashLSH(t, 128, 64)``
proposes exactly the same candidates. rensa computes the signatures, where its speed matters
(~300x a pure-Python MinHash in the same run). New articles of the call go into a dict per band;
the stored window into one sorted numpy array of mixed (band, key) values (``_WindowBands``).

The window is not loaded whole: each stored article's 64 band values are a table
(``article_bands``), and ``warehouse/window.py`` reads only the stored articles that share a band
with a new article and pass the signature estimate (``window_candidates``), plus exact-hash and
identity matches. No other stored article can match, so the result is the same as with the whole
window (a test checks it). Measured with ``bench/dedupe_eval.py`` (section 8) on 100,000 synthetic
2 KB articles on a 2-core machine at load ~13: a run of 100 new articles costs 9.6 ms per article
wall and 3.4 ms CPU (median of three runs) plus 0.27 ms CPU of fingerprint, 7 % of trafilatura
extraction of real 171 KB news pages in the same run by wall time, 8 % by CPU time; a run of 1,000
costs 3.2 ms CPU per article; loading and indexing the whole window instead cost 12 s per run.
The lookup's CPU is mostly DuckDB (the band scan and the window read) and ``window_candidates``
(``_rows_sharing_a_band``: one sort and one gather instead of a loop per article, half the CPU).

Bodies under ``MIN_NEAR_CHARS`` normalized characters have too few shingles for a stable Jaccard
(one changed word moves it by 0.1), so they join only by exact hash; bodies under
``MIN_EXACT_CHARS`` (an empty extraction, a bare photo credit) join nothing.

Processing order is ``published_at`` (else ``fetched_at``) then ``article_id``, and every tie is
broken by ``article_id``, so a re-run gives identical assignments whatever order the articles and
the window arrive in; an article already in the window keeps its stored story.

Merges: when a new article verifies against two or more stories, those stories are one story
(union-find over story ids). The survivor is the oldest: the story whose earliest member (by
``published_at``, else ``fetched_at``; ``StoredDoc.seen_at`` for the window) comes first, ties
broken by story id, so the choice depends on the data only and never on arrival order. The article
joins the survivor, is reported as a ``Bridge``, and each absorbed story becomes a ``StoryMerge``
(the caller re-points the absorbed story's stored articles and records the merge). Assignments of
this call are returned with the final story ids, so an article whose in-batch story was absorbed
later in the batch carries the survivor too.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final

import numpy as np
import pyarrow as pa
from rensa import RMinHash

from tasks.identity import page_keys
from tasks.models import Article, StoryAssignment, StoryMerge

SHINGLE_K: Final = 5
NUM_PERM: Final = 128
SEED: Final = 20240618
LSH_BANDS: Final = 64
LSH_ROWS: Final = 2
NEAR_THRESHOLD: Final = 0.40
MIN_NEAR_CHARS: Final = 200
MIN_EXACT_CHARS: Final = 20
REWRITE_THRESHOLD: Final = 0.15
COVER_CHUNK: Final = 100
COVER_HIT: Final = 0.25
COVER_MIN: Final = 0.90
IDENTITY_MIN_JACCARD: Final = 0.10
"""Two bodies sharing a canonical link but less similar than this are different pages."""

_OLDEST: Final = datetime.min.replace(tzinfo=UTC)

_ESTIMATE_SIGMAS: Final = 3.0
_FLOOR_SIGMAS: Final = 2.0
_EXACT_LENGTH_BELOW: Final = 4 * MIN_NEAR_CHARS
_MIN_CHUNK: Final = 20
_INVISIBLE_RE: Final = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_NON_WORD_RE: Final = re.compile(r"[\W_]+")

assert LSH_BANDS * LSH_ROWS == NUM_PERM
assert LSH_ROWS == 2, "_band_keys packs exactly two rows per band"


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """One article of the recent window as the caller loads it from the database.

    ``signature`` is what ``signature(body)`` returned when the article was stored (a list, or a
    numpy row from ``window_from_arrow``); a signature of the wrong length is recomputed from
    ``body``. ``url_key``, ``canonical_url`` and ``og_url`` give
    the page's identity keys (``identity_keys``, when given, are those keys already computed, as
    stored by the loader); ``seen_at`` (published, else fetched) decides which story is older when
    two merge (unknown counts as oldest), or ``story_since``, the earliest ``seen_at`` of all the
    story's stored articles, when the caller loads only part of the story.
    """

    article_id: str
    story_id: str
    content_hash: str
    signature: list[int]
    body: str
    url_key: str = ""
    canonical_url: str | None = None
    og_url: str | None = None
    seen_at: datetime | None = None
    identity_keys: tuple[str, ...] | None = None
    story_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Bridge:
    """A new article that verified against two or more stories: they merged into ``story_id``.

    ``similarity`` is the article's best Jaccard (against a member of any of the stories);
    ``others`` lists each absorbed story with the article's best Jaccard against it, best first.
    """

    article_id: str
    story_id: str
    similarity: float
    others: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class DedupeResult:
    """The assignments (one per distinct new article, in processing order, with final story ids),
    the bridges, and the story merges in the order they happened."""

    assignments: list[StoryAssignment]
    bridges: list[Bridge] = field(default_factory=list)
    merges: list[StoryMerge] = field(default_factory=list)


def normalize_for_hash(text: str) -> str:
    """NFKC, lower-case, invisible characters removed, every run of non-word characters one space.

    Punctuation, symbols and whitespace runs all collapse to a single space, so copies that differ
    in line breaks, full-width forms, quotes or bullet styles normalize equal. Letters and digits of
    every script stay (Hangul, Hanja, Latin), which is what makes shingles work for both languages.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text).lower()
    return _NON_WORD_RE.sub(" ", text).strip()


def normalized_length(text: str) -> int:
    """``len(normalize_for_hash(text))`` where it decides anything: exact for texts shorter than
    ``_EXACT_LENGTH_BELOW`` characters, the raw length above (normalizing only collapses
    punctuation and spaces, so such a text is far above both ``MIN_NEAR_CHARS`` and
    ``MIN_EXACT_CHARS`` anyway). Normalizing every 2 KB window body only to learn that took a third
    of the window load; new and stored articles use this same function, so they agree.
    """
    if len(text) >= _EXACT_LENGTH_BELOW:
        return len(text)
    return len(normalize_for_hash(text))


def chunk_shingles(text: str) -> list[set[str]]:
    """The shingle sets of consecutive ``COVER_CHUNK``-character pieces of the normalized text (a
    last piece under ``_MIN_CHUNK`` characters is dropped: it is too short to say anything).

    Pieces of fixed length rather than sentences or paragraphs: bodies arrive with or without
    punctuation and line breaks (the soynlp corpus has neither); 100 characters is one or two
    Korean sentences (the size was measured against 40 and 60, bench/dedupe_eval.py section 7).
    """
    norm = normalize_for_hash(text)
    out: list[set[str]] = []
    for start in range(0, len(norm), COVER_CHUNK):
        piece = norm[start : start + COVER_CHUNK]
        if len(piece) >= _MIN_CHUNK:
            out.append({piece[i : i + SHINGLE_K] for i in range(len(piece) - SHINGLE_K + 1)})
    return out


def coverage(chunks: Sequence[set[str]], other: set[str]) -> float:
    """Share of a text's pieces (``chunk_shingles``) of which at least ``COVER_HIT`` of the
    shingles occur in ``other`` (the other text's shingle set): how much of the text, piece by
    piece, the other text also says. 0.0 for a text without pieces.

    A shared footer, byline or line-up paragraph covers only the pieces it sits in, however many
    shingles it contributes to the Jaccard; a rewrite that keeps the release's facts in its own
    words covers most pieces a little.
    """
    if not chunks:
        return 0.0
    covered = sum(1 for piece in chunks if len(piece & other) >= COVER_HIT * len(piece))
    return covered / len(chunks)


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

    The k-grams go to MinHash as a list, repeats included: a minimum over a multiset is the
    minimum over its set, so the signature is the one of ``shingles(text)`` (a test checks), and
    not building the set saves a quarter of the time.
    """
    norm, k = normalize_for_hash(text), SHINGLE_K
    if len(norm) < k:
        return _signature_of([norm] if norm else [])
    return _signature_of([norm[i : i + k] for i in range(len(norm) - k + 1)])


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (0.0 when both are empty)."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def band_values(sig: Sequence[int]) -> list[int]:
    """The ``LSH_BANDS`` values under which a signature is filed: each band's two rows packed into
    64 bits, the band number folded in and mixed, so one column of one table
    (``article_bands``) holds every band and one ``IN`` finds the documents sharing any band.

    Empty for a signature of the wrong length (it is recomputed when the document is used).
    """
    if len(sig) != NUM_PERM:
        return []
    row = np.asarray(sig, dtype=np.uint64).reshape(1, NUM_PERM)
    return [int(v) for v in _mix(_band_array(row)).ravel()]


def window_lookup(
    articles: Sequence[Article], signatures: Mapping[str, Sequence[int]]
) -> dict[str, list[str] | list[int]]:
    """What picks the part of the stored window that can matter to ``articles`` (the parameters
    of ``warehouse/queries/window_docs.sql``): their LSH band values, content hashes and identity
    keys. ``signatures`` are the ones computed at extraction; a missing one is computed here."""
    bands: set[int] = set()
    hashes: set[str] = set()
    keys: set[str] = set()
    for article in articles:
        sig = signatures.get(article.article_id)
        bands.update(band_values(sig if sig is not None else signature(article.body)))
        hashes.add(article.content_hash)
        keys.update(page_keys(article.url_key, article.canonical_url, article.og_url))
    return {"band_keys": sorted(bands), "hashes": sorted(hashes), "keys": sorted(keys)}


def window_candidates(
    articles: Sequence[Article], signatures: Mapping[str, Sequence[int]], stored: pa.Table
) -> list[str]:
    """Which stored articles can verify as near copies of ``articles``: of the ones sharing an LSH
    band with any of them (``stored``: ``article_id`` and ``signature`` columns, from
    ``window_candidates.sql``), those whose signature estimate against an article they share a
    band with passes the filter ``dedupe`` applies. Loading only these (and the exact-hash and
    identity matches) gives ``dedupe`` the same result as the whole window.
    """
    if stored.num_rows == 0:
        return []
    sigs = _signature_matrix(stored.column("signature"))
    if sigs is None:  # a stored signature of another length: keep them all, dedupe sorts it out
        return [str(x) for x in stored.column("article_id").to_pylist()]
    new_sigs: list[Sequence[int]] = []
    for article in articles:
        if normalized_length(article.body) < MIN_NEAR_CHARS:
            continue
        sig = signatures.get(article.article_id)
        if sig is None or len(sig) != NUM_PERM:
            sig = signature(article.body)
        new_sigs.append(sig)
    if not new_sigs:
        return []
    min_agree = _candidate_estimate(NEAR_THRESHOLD, REWRITE_THRESHOLD) * NUM_PERM
    rows = _rows_sharing_a_band(sigs, np.asarray(new_sigs, dtype=np.uint64), min_agree)
    ids = stored.column("article_id").to_pylist()
    return sorted(str(ids[r]) for r in rows)


def _rows_sharing_a_band(stored: np.ndarray, new: np.ndarray, min_agree: float) -> np.ndarray:
    """Rows of ``stored`` (m, NUM_PERM) that share an LSH band with a row of ``new`` (n, NUM_PERM)
    and agree with that row on at least ``min_agree`` signature values.

    All in a few array operations: the m * 64 band values of the stored rows are sorted once, with
    each one's position in its low bits (the values are uniform 64-bit mixes, so the remaining high
    bits still tell bands apart; a rare false meeting only costs one comparison), the n * 64 values
    of the new articles are looked up in them in one call, and every (stored, new) pair that met in
    a band is compared (a pair meeting in several bands, i.e. a likely copy, more than once).
    """
    values = _mix(_band_array(stored)).ravel()
    bits = max(1, (len(values) - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    keys = (values & ~low) | np.arange(len(values), dtype=np.uint64)
    keys.sort()  # a plain sort of values carrying their index: a third of the cost of argsort
    new_values = _mix(_band_array(new)).ravel() & ~low
    lo = np.searchsorted(keys, new_values, side="left")
    hi = np.searchsorted(keys, new_values | low, side="right")
    hits = np.nonzero(hi > lo)[0]
    if not len(hits):
        return np.empty(0, dtype=np.int64)
    counts = (hi - lo)[hits]
    total = int(counts.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    n_rows = np.repeat(hits // LSH_BANDS, counts)
    s_rows = (keys[np.repeat(lo[hits], counts) + offsets] & low).astype(np.int64) // LSH_BANDS
    narrow, narrow_new = stored.astype(np.uint32), new.astype(np.uint32)  # 32-bit values
    agree = np.count_nonzero(narrow[s_rows] == narrow_new[n_rows], axis=1)
    kept: np.ndarray = np.unique(s_rows[agree >= min_agree])
    return kept


def _signature_matrix(column: pa.ChunkedArray) -> np.ndarray | None:
    """A list column of ``NUM_PERM``-long signatures as an (n, NUM_PERM) uint64 array, or None
    when some signature has another length."""
    combined = column.combine_chunks()
    offsets = combined.offsets.to_numpy()
    values = combined.values.to_numpy()
    n = len(offsets) - 1
    if len(values) != n * NUM_PERM or not bool((np.diff(offsets) == NUM_PERM).all()):
        return None
    matrix: np.ndarray = values.astype(np.uint64).reshape(n, NUM_PERM)
    return matrix


def window_from_arrow(table: pa.Table) -> list[StoredDoc]:
    """The window as ``StoredDoc``s from an Arrow table with the columns of
    ``warehouse/queries/window_docs.sql``.

    Signatures become rows of one numpy array instead of 128 Python ints per article: for a
    100,000-article window that is 12.8 million fewer objects to create and for the garbage
    collector to walk on every collection while the index is built.
    """
    n = table.num_rows
    if n == 0:
        return []
    matrix = _signature_matrix(table.column("signature"))
    # A stored signature of another length: plain lists; dedupe recomputes it from the body.
    rows: Sequence[Sequence[int]] | np.ndarray = (
        matrix if matrix is not None else table.column("signature").to_pylist()
    )
    cols = {
        name: table.column(name).to_pylist() for name in table.column_names if name != "signature"
    }
    return [
        StoredDoc(
            article_id=cols["article_id"][i],
            story_id=cols["story_id"][i],
            content_hash=cols["content_hash"][i],
            signature=rows[i],  # type: ignore[arg-type]
            body=cols["body"][i],
            url_key=cols["url_key"][i],
            canonical_url=cols["canonical_url"][i],
            og_url=cols["og_url"][i],
            seen_at=cols["seen_at"][i],
            identity_keys=tuple(cols["identity_keys"][i])
            if cols["identity_keys"][i] is not None
            else None,
            story_since=cols["story_since"][i] if "story_since" in cols else None,
        )
        for i in range(n)
    ]


def assign_stories(new: Sequence[Article], window: Sequence[StoredDoc]) -> list[StoryAssignment]:
    """Put each new article into a story: an exact copy's, a verified near-duplicate's, or its own.

    One assignment per distinct ``article_id``, in processing order (see the module docstring).
    Use ``dedupe`` to also get the bridges between stories.
    """
    return dedupe(new, window).assignments


def dedupe(
    new: Sequence[Article],
    window: Sequence[StoredDoc],
    *,
    threshold: float = NEAR_THRESHOLD,
    rewrites: bool = True,
    cover_min: float = COVER_MIN,
    floor: float = REWRITE_THRESHOLD,
    signatures: Mapping[str, Sequence[int]] | None = None,
) -> DedupeResult:
    """``assign_stories`` plus the bridges and merges.

    ``signatures`` are the new articles' ``signature(body)`` values when the caller has them
    (extraction computes them), so they are not computed twice; shingles are then built only for an
    article that has candidates. ``threshold``, ``rewrites`` (the coverage rule on or off),
    ``cover_min`` and ``floor`` (its ``COVER_MIN`` and ``REWRITE_THRESHOLD``) are parameters only
    for evaluation (bench/dedupe_eval.py sweeps them).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    index = _Index(threshold, rewrites, signatures, cover_min, floor)
    index.add_window(sorted(window, key=lambda d: d.article_id))

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
    final = [replace(a, story_id=index.find(a.story_id)) for a in assignments]
    return DedupeResult(final, bridges, index.merges)


def _candidate_estimate(threshold: float, floor: float | None) -> float:
    """The lowest signature estimate worth an exact check: 3 sigma below the Jaccard threshold,
    and with the coverage rule on, 2 sigma below its floor (``_FLOOR_SIGMAS``).

    Two, not three, at the floor: 3 sigma below 0.15 is 7 agreeing values of 128, which unrelated
    2 KB articles reach by chance often enough that a 100,000-article window sent ~5x more bodies
    to the exact check (bench section 8); at 2 sigma a pair exactly at the floor is kept with
    probability ~0.98, and the measured F1 (section 7) did not change.
    """
    estimate = _min_estimate(threshold)
    if floor is not None and floor < threshold:
        estimate = min(estimate, _min_estimate(floor, _FLOOR_SIGMAS))
    return estimate


def _min_estimate(threshold: float, sigmas: float = _ESTIMATE_SIGMAS) -> float:
    """The lowest signature estimate a pair at ``threshold`` shows, 3 sigma down."""
    sigma = math.sqrt(threshold * (1.0 - threshold) / NUM_PERM)
    return threshold - sigmas * sigma


def _processing_key(article: Article) -> tuple[datetime, str]:
    return (article.published_at or article.fetched_at, article.article_id)


def _signature_of(shingle_set: Iterable[str]) -> list[int]:
    minhash = RMinHash(NUM_PERM, SEED)
    minhash.update(shingle_set if isinstance(shingle_set, list) else list(shingle_set))
    return [int(v) for v in minhash.digest()]


def _band_keys(sig: Sequence[int]) -> list[int]:
    """One int per band: its two 32-bit rows packed into 64 bits (a cheap, exact dict key)."""
    return [(a << 32) | b for a, b in zip(sig[0::2], sig[1::2], strict=True)]


class _Entry:
    """A document the index knows: a window document or a new article already assigned."""

    __slots__ = (
        "_chunks",
        "_shingles",
        "article_id",
        "body",
        "content_hash",
        "keys",
        "seen_at",
        "signature",
        "story_id",
    )

    def __init__(
        self,
        article_id: str,
        story_id: str,
        content_hash: str,
        body: str,
        sig: list[int] | None,
        shingle_set: set[str] | None = None,
        *,
        keys: tuple[str, ...] = (),
        seen_at: datetime = _OLDEST,
    ) -> None:
        self.article_id = article_id
        self.story_id = story_id
        self.content_hash = content_hash
        self.body = body
        self.signature = sig
        self._shingles = shingle_set
        self._chunks: list[set[str]] | None = None
        self.keys = keys
        self.seen_at = seen_at

    @property
    def chunks(self) -> list[set[str]]:
        """The body's pieces (``chunk_shingles``), built on first use like the shingles."""
        if self._chunks is None:
            self._chunks = chunk_shingles(self.body)
        return self._chunks

    @property
    def shingle_set(self) -> set[str]:
        """Built on first use: most window documents are never a verified candidate."""
        if self._shingles is None:
            self._shingles = shingles(self.body)
        return self._shingles


class _Index:
    """Exact-hash map, identity keys, LSH band buckets, story union-find for one dedupe call."""

    def __init__(
        self,
        threshold: float,
        rewrites: bool = True,
        given: Mapping[str, Sequence[int]] | None = None,
        cover_min: float = COVER_MIN,
        floor: float = REWRITE_THRESHOLD,
    ) -> None:
        self.threshold = threshold
        self.cover_min = cover_min
        self.floor = floor
        self.given: Mapping[str, Sequence[int]] = given or {}
        self.rewrites = rewrites and threshold > floor
        self.min_estimate = _candidate_estimate(threshold, floor if self.rewrites else None)
        self.entries: list[_Entry] = []
        self.by_id: dict[str, int] = {}
        self.by_hash: dict[str, int] = {}
        self.by_key: dict[str, int] = {}
        self.bands: list[dict[int, int | list[int]]] = [{} for _ in range(LSH_BANDS)]
        self.window = _WindowBands.empty()
        self.parent: dict[str, str] = {}
        self.age: dict[str, tuple[datetime, str]] = {}
        self.merges: list[StoryMerge] = []

    def find(self, story_id: str) -> str:
        """The surviving story of ``story_id`` (itself unless it was merged), with path halving."""
        parent = self.parent
        while parent.get(story_id, story_id) != story_id:
            grand = parent.get(parent[story_id], parent[story_id])
            parent[story_id] = grand
            story_id = grand
        return story_id

    def add_window(self, docs: Sequence[StoredDoc]) -> None:
        """Load the stored window in bulk: entries and maps as for any document, but the LSH bands
        as sorted numpy arrays (``_WindowBands``) instead of 64 dicts of Python ints, which made
        loading a 100,000-article window cost seconds per run."""
        rows: list[list[int]] = []
        positions: list[int] = []
        for doc in docs:
            position = self._add_stored(doc)
            if position is not None:
                entry = self.entries[position]
                if entry.signature is not None:
                    rows.append(entry.signature)
                    positions.append(position)
        self.window = _WindowBands.build(rows, positions)

    def add_stored(self, doc: StoredDoc) -> None:
        """One window document, indexed in the per-band dicts (the bulk path is ``add_window``)."""
        position = self._add_stored(doc)
        if position is not None:
            self._add_to_bands(position)

    def _add_stored(self, doc: StoredDoc) -> int | None:
        if doc.article_id in self.by_id:
            return None
        norm_len = normalized_length(doc.body)
        sig: list[int] | None = None
        if norm_len >= MIN_NEAR_CHARS:
            sig = doc.signature  # not copied: the window is read-only here
            if len(sig) != NUM_PERM:
                sig = signature(doc.body)
        entry = _Entry(
            doc.article_id,
            doc.story_id,
            doc.content_hash,
            doc.body,
            sig,
            keys=doc.identity_keys
            if doc.identity_keys is not None
            else page_keys(doc.url_key, doc.canonical_url, doc.og_url),
            seen_at=doc.story_since or doc.seen_at or _OLDEST,
        )
        return self._register(entry, norm_len, bands=False)

    def assign(self, article: Article) -> tuple[StoryAssignment, Bridge | None]:
        known = self.by_id.get(article.article_id)
        if known is not None:
            return self._reassign_known(self.entries[known]), None

        article_id, hash_ = article.article_id, article.content_hash
        norm_len = normalized_length(article.body)
        keys = page_keys(article.url_key, article.canonical_url, article.og_url)
        seen_at = article.published_at or article.fetched_at

        def entry(story_id: str, sig: list[int] | None, sh: set[str] | None = None) -> _Entry:
            return _Entry(
                article_id, story_id, hash_, article.body, sig, sh, keys=keys, seen_at=seen_at
            )

        same_page = self._same_page(keys, article.body, norm_len)
        if same_page is not None:
            twin, similarity = same_page
            story_id = self.find(twin.story_id)
            self._register(entry(story_id, None), norm_len)
            return StoryAssignment(article_id, story_id, "exact", similarity, twin.article_id), None

        if norm_len >= MIN_EXACT_CHARS and hash_ in self.by_hash:
            twin = self.entries[self.by_hash[hash_]]
            story_id = self.find(twin.story_id)
            self._register(entry(story_id, None), norm_len)
            return StoryAssignment(article_id, story_id, "exact", 1.0, twin.article_id), None

        sig: list[int] | None = None
        new = _Entry(article_id, article_id, hash_, article.body, None)  # lazy shingles, pieces
        matches: list[tuple[float, str, _Entry]] = []
        if norm_len >= MIN_NEAR_CHARS:
            given = self.given.get(article_id)
            if given is not None and len(given) == NUM_PERM:
                sig = [int(v) for v in given]
            else:
                sig = _signature_of(new.shingle_set)
            matches = self._verified_matches(sig, new)
        new_shingles = new._shingles

        if not matches:
            self._register(entry(article_id, sig, new_shingles), norm_len)
            return StoryAssignment(article_id, article_id, "original", 1.0), None

        best_sim, _, best = matches[0]
        best_by_story: dict[str, float] = {}
        for sim, _, member in matches:
            best_by_story.setdefault(self.find(member.story_id), sim)
        survivor = min(best_by_story, key=lambda story: self.age[story])
        for story, sim in best_by_story.items():
            if story != survivor:
                self._union(story, survivor, article_id, sim)
        self._register(entry(survivor, sig, new_shingles), norm_len)
        assignment = StoryAssignment(article_id, survivor, "near", best_sim, best.article_id)
        others = tuple(
            sorted(
                ((story, sim) for story, sim in best_by_story.items() if story != survivor),
                key=lambda kv: (-kv[1], kv[0]),
            )
        )
        bridge = Bridge(article_id, survivor, best_sim, others) if others else None
        return assignment, bridge

    def _same_page(
        self, keys: tuple[str, ...], body: str, norm_len: int
    ) -> tuple[_Entry, float] | None:
        """A known article that one of ``keys`` identifies, with the Jaccard of the two bodies."""
        for key in keys:
            position = self.by_key.get(key)
            if position is None:
                continue
            twin = self.entries[position]
            twin_len = normalized_length(twin.body)
            if min(norm_len, twin_len) < MIN_NEAR_CHARS:
                return twin, 1.0
            similarity = jaccard(shingles(body), twin.shingle_set)
            if similarity >= IDENTITY_MIN_JACCARD:
                return twin, similarity
        return None

    def _union(self, absorbed: str, survivor: str, article_id: str, similarity: float) -> None:
        self.parent[absorbed] = survivor
        self.age[survivor] = min(self.age[survivor], self.age[absorbed])
        self.merges.append(StoryMerge(absorbed, survivor, article_id, similarity))

    def _verified_matches(self, sig: list[int], new: _Entry) -> list[tuple[float, str, _Entry]]:
        """Band candidates, filtered by the estimate, verified by exact Jaccard (and, for a rewrite
        below the threshold, by coverage); best first."""
        band_keys = _band_keys(sig)
        candidates: set[int] = set()
        for band, key in zip(self.bands, band_keys, strict=True):
            bucket = band.get(key)
            if bucket is None:
                continue
            if isinstance(bucket, int):
                candidates.add(bucket)
            else:
                candidates.update(bucket)
        min_agree = self.min_estimate * NUM_PERM
        kept = [(p, self._agreement(sig, p)) for p in candidates]
        kept = [(p, agree) for p, agree in kept if agree >= min_agree]
        kept += self.window.candidates(sig, min_agree)
        matches: list[tuple[float, str, _Entry]] = []
        for position, _ in kept:
            entry = self.entries[position]
            similarity = jaccard(new.shingle_set, entry.shingle_set)
            if similarity >= self.threshold or (
                self.rewrites
                and similarity >= self.floor
                and (
                    coverage(new.chunks, entry.shingle_set) >= self.cover_min
                    or coverage(entry.chunks, new.shingle_set) >= self.cover_min
                )
            ):
                matches.append((similarity, entry.article_id, entry))
        matches.sort(key=lambda m: (-m[0], m[1]))
        return matches

    def _agreement(self, sig: Sequence[int], position: int) -> int:
        other = self.entries[position].signature
        assert other is not None  # only documents with a signature are in the bands
        return sum(1 for a, b in zip(sig, other, strict=True) if a == b)

    def _reassign_known(self, entry: _Entry) -> StoryAssignment:
        """An article already in the window (a re-run): keep its story, say how it relates to it."""
        article_id, story_id = entry.article_id, self.find(entry.story_id)
        if story_id == article_id:
            return StoryAssignment(article_id, story_id, "original", 1.0)
        members = sorted(
            (e for e in self.entries if self.find(e.story_id) == story_id and e is not entry),
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

    def _register(self, entry: _Entry, norm_len: int, *, bands: bool = True) -> int:
        position = len(self.entries)
        self.entries.append(entry)
        self.by_id[entry.article_id] = position
        story = self.find(entry.story_id)
        stamp = (entry.seen_at, story)
        self.age[story] = min(self.age.get(story, stamp), stamp)
        for identity in entry.keys:
            self.by_key.setdefault(identity, position)
        if norm_len >= MIN_EXACT_CHARS:
            self.by_hash.setdefault(entry.content_hash, position)
        if bands:
            self._add_to_bands(position)
        return position

    def _add_to_bands(self, position: int) -> None:
        entry = self.entries[position]
        if entry.signature is not None:
            for band, key in zip(self.bands, _band_keys(entry.signature), strict=True):
                bucket = band.get(key)
                if bucket is None:
                    band[key] = position
                elif isinstance(bucket, int):
                    band[key] = [bucket, position]
                else:
                    bucket.append(position)


class _WindowBands:
    """The stored window's LSH bands as one sorted array: every (band, band key) of every window
    signature mixed into one 64-bit value and sorted, with the entry positions in the same order.
    A query is two vectorized binary searches for its 64 values, and the signature estimate of all
    candidates is one vectorized comparison.

    It proposes the same candidates as the per-band dicts (plus, with probability ~2^-64 per pair,
    a spurious one that the estimate and the exact Jaccard then reject), at a fraction of the load
    time and memory for a large window (bench/dedupe_eval.py, section 8).
    """

    __slots__ = ("order", "positions", "signatures", "sorted_keys")

    def __init__(
        self,
        signatures: np.ndarray,
        positions: np.ndarray,
        sorted_keys: np.ndarray,
        order: np.ndarray,
    ) -> None:
        self.signatures = signatures
        self.positions = positions
        self.sorted_keys = sorted_keys
        self.order = order

    @classmethod
    def empty(cls) -> _WindowBands:
        return cls.build([], [])

    @classmethod
    def build(
        cls, rows: Sequence[Sequence[int]] | np.ndarray, positions: Sequence[int]
    ) -> _WindowBands:
        sigs = np.asarray(rows, dtype=np.uint64).reshape(len(rows), NUM_PERM)
        mixed = _mix(_band_array(sigs)).ravel()  # row-major: row i holds values i*64 .. i*64+63
        order = np.argsort(mixed)
        return cls(
            sigs.astype(np.uint32),
            np.asarray(positions, dtype=np.int64),
            mixed[order],
            (order // LSH_BANDS).astype(np.int64),
        )

    def candidates(self, sig: Sequence[int], min_agree: float) -> list[tuple[int, int]]:
        """(entry position, agreeing values) of the entries that share a band with ``sig`` and agree
        on at least ``min_agree`` of its signature values."""
        if not len(self.positions):
            return []
        query = np.asarray(sig, dtype=np.uint64).reshape(1, NUM_PERM)
        values = _mix(_band_array(query)).ravel()
        lo = np.searchsorted(self.sorted_keys, values, side="left")
        hi = np.searchsorted(self.sorted_keys, values, side="right")
        hits = np.nonzero(hi > lo)[0]
        if not len(hits):
            return []
        rows = np.unique(np.concatenate([self.order[lo[b] : hi[b]] for b in hits]))
        agree = (self.signatures[rows] == np.asarray(sig, dtype=np.uint32)).sum(axis=1)
        keep = agree >= min_agree
        return [
            (int(p), int(a)) for p, a in zip(self.positions[rows[keep]], agree[keep], strict=True)
        ]


_MIX_BAND: Final = np.uint64(0x9E3779B97F4A7C15)
_MIX_MUL: Final = np.uint64(0xBF58476D1CE4E5B9)


def _band_array(sigs: np.ndarray) -> np.ndarray:
    """(n, LSH_BANDS) packed band keys of (n, NUM_PERM) uint64 signatures, as ``_band_keys``."""
    packed: np.ndarray = (sigs[:, 0::2] << np.uint64(32)) | sigs[:, 1::2]
    return packed


def _mix(keys: np.ndarray) -> np.ndarray:
    """One uint64 per (band, key): the band number folded in and the bits mixed (wrapping)."""
    bands = np.arange(LSH_BANDS, dtype=np.uint64) * _MIX_BAND
    with np.errstate(over="ignore"):
        mixed: np.ndarray = (keys ^ bands) * _MIX_MUL
    return mixed
