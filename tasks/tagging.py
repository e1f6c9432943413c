"""Tagging: find gazetteer entities in article text and keep each occurrence as a ``Mention``.

How an occurrence is decided, cheapest test first, so that most articles never need Kiwi:

1. ``normalize_text`` the title and body (offsets in a Mention refer to the normalized text).
2. One Aho-Corasick pass (``_SplitAutomaton``) finds every alias and every context term,
   ignoring case; case-sensitive aliases are then compared with the text itself. Keys with an
   ASCII first character run over a word map of the text, which makes the automaton both skip
   mid-word positions and enforce the left word boundary; Hangul/CJK keys run only on text that
   can hold them. English text therefore never touches the Korean part of the gazetteer, nor
   Kiwi: Kiwi is only asked about Hangul-edged occurrences (step 5).
3. Boundaries. A Latin or digit edge of an alias must not touch another Latin letter, digit or
   ``&`` (so no KT in SKT, KTX or KT&G, no T in AT&T); an alias ending in ``&`` (e&) must not be
   followed by a letter. A Hangul run right after an alias is accepted when it splits into at
   most ``max_particles`` whitelisted particles (``SK텔레콤은``, ``SKT와의``); otherwise, and when a
   Hangul alias directly follows another Hangul syllable, the decision is *deferred*.
4. The alias's ``exclude`` regexes (a match overlapping the occurrence vetoes it), its
   ``requires_context`` (a term anywhere in the article, or the same entity named by an alias
   without that rule) and its ``avoid_context`` (terms in the sentence) are applied from the data.
   Context terms come from the same pass (the lead, context only, is scanned for them on first
   need): a regex alternation per rule over the whole article cost more than the rest of
   tagging together, and a second automaton pass about a tenth of it. A context term, like an
   alias, never counts right after a letter, digit or ``&``.
5. A deferred occurrence that lies inside a longer accepted one is dropped; the rest go to
   kiwipiepy: the sentence is tokenized with the gazetteer's Korean names as user proper nouns,
   and the occurrence counts only if a token ends exactly where the alias ends (and starts where it
   starts, if that was in doubt) and the alias's last token is a noun, proper noun or foreign word.
6. Each mention records its sentence (bounded to ``MAX_SENTENCE`` characters) and the
   sentence's ordinal in its field (``sentence_index``): lines first, then ``. ! ?`` followed by
   space, except after abbreviations such as ``Corp.`` and single initials, so that
   ``SoftBank Corp. joined GTAA`` stays one sentence for co-mentions and membership events.
7. Overlaps are resolved leftmost-longest (``AWS Lambda`` beats ``Lambda``, ``SoftBank Group``
   beats ``SoftBank``); occurrences with the very same span are all kept (a collective term, or an
   alias shared by two entities).

Kiwi costs ~0.7 s to build, ~1.5 s of lazy set-up and ~500 MB, and a Kiwi with user words cannot
be pickled: it is built lazily, once per process, and only the first time an occurrence is
deferred. A ``Tagger`` itself holds no Kiwi, so it pickles (it is rebuilt from its gazetteer).
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import ahocorasick
import ahocorasick_rs
import numpy as np

from tasks.gazetteer import Alias, Gazetteer
from tasks.models import Article, Mention

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

Field = Literal["title", "body"]

MAX_SENTENCE = 300
_EXCLUDE_WINDOW = 60
_NOUN_TAGS = frozenset({"NNP", "NNG", "NNB", "NR", "SL", "SH", "SN", "SW"})
# Whitespace runs to fold into one space: a run of two or more, or one that is not a space.
_SPACES = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
_ABBREVIATIONS = ("Corp", "Inc", "Co", "Ltd", "Mr", "Mrs", "Ms", "Dr", "No", "vs", "St", "Jr")
_END_MARKS = ".!?。？！…"
# Not the "." of an abbreviation or of a single initial (checked right after the mark).
_NOT_ABBREVIATION = (
    "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _ABBREVIATIONS) + r"(?<!\b[A-Za-z]\.)"
)
_CLOSERS = r"[\"')\]」』]*"
# The end mark comes first, as a class, so that the regex engine skips to candidates at C speed;
# the abbreviation look-behinds end in "." and so pass for the other marks.
_SENTENCE_END = re.compile(f"[{_END_MARKS}]" + _NOT_ABBREVIATION + _CLOSERS + r"\s+")
# A sentence start inside a line: the in-line end mark and its spaces, then something to start
# (after the greedy run of spaces, ``\S`` is neither a newline nor the end of the text).
_INLINE_START = re.compile(_SENTENCE_END.pattern[: -len(r"\s+")] + r"[^\S\n]+(?=\S)")
# The same, one regex per end mark, as ``sentence_starts`` runs it: a literal first character
# is found faster than a class (~4 ns a character), a mark absent from the text costs one ``in``
# test, and the cheap look-ahead for the spaces runs before the look-behinds, which only "."
# needs. A match holds only its own mark, so the union of these matches is ``_INLINE_START``'s.
_INLINE_STARTS = tuple(
    (
        mark,
        re.compile(
            re.escape(mark)
            + rf"(?={_CLOSERS}[^\S\n]+\S)"
            + (_NOT_ABBREVIATION if mark == "." else "")
            + _CLOSERS
            + r"[^\S\n]+"
        ),
    )
    for mark in _END_MARKS
)
# The start of a non-empty line after the first (the newline before it is the regex's prefix).
_LINE_START = re.compile(r"\n(?=[^\S\n]*\S)")
_CHAR_MAP = {
    **dict.fromkeys("‘’‚‛′`", "'"),
    **dict.fromkeys("“”„‟″", '"'),
    **dict.fromkeys("ㆍᆞ‧∙•", "·"),
    **dict.fromkeys("\u2028\u2029\x85\r", "\n"),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
# "\r" first: "\r\n" is one newline, but a "\r" before another mapped newline is two.
_MAPPED = "\r" + "".join(c for c in _CHAR_MAP if c != "\r")
# Every whitespace character but " " and "\n" (all of them lie below U+3001): what ``_SPACES``
# would rewrite even when it is alone.
_ODD_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n")
# Everything the mapping and the space rule rewrite, in the order they are applied.
_SPECIAL = _MAPPED + "".join(c for c in _ODD_SPACES if c not in _MAPPED)
_UNMAPPED_SPACES = frozenset(_ODD_SPACES) - frozenset(_CHAR_MAP)
_ASCII_SPECIAL = "".join(c for c in _SPECIAL if c.isascii())
# ``bytes.translate`` deletes these from a text's UTF-8 at C speed; what is left (non-ASCII
# characters and the ASCII ones above) is short in English text and tells which steps apply.
_PLAIN_ASCII = bytes(b for b in range(128) if chr(b) not in _ASCII_SPECIAL)


def _rare_chars(text: str) -> str:
    """The text without its plain ASCII characters (the ones normalization leaves alone)."""
    data = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_ASCII)
    return data.decode("utf-8", "surrogatepass")


def _nfkc_lines(text: str) -> str:
    """NFKC, applied only to the lines that need it (``unicodedata.normalize`` copies the whole
    string when one character changes). Exact: a newline is a starter that composes with nothing,
    so NFKC never carries across one."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join(
        line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
        for line in text.split("\n")
    )


def _nfkc(text: str, suspects: Iterable[str]) -> str:
    """NFKC, applied only to the lines holding one of ``suspects`` (``unicodedata.normalize``
    copies the whole string when one character changes, and splitting an article into lines
    costs more than finding the few that matter). Exact when every other character is inert (see
    ``_nfkc_suspects``): a newline is a starter that composes with nothing, so NFKC never carries
    across one, and a line of inert characters is its own NFKC."""
    spans: set[tuple[int, int]] = set()
    for c in suspects:
        at = text.find(c)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            stop = text.find("\n", at)
            stop = len(text) if stop < 0 else stop
            spans.add((start, stop))
            at = text.find(c, stop)
    pieces: list[str] = []
    pos = 0
    for start, stop in sorted(spans):
        line = text[start:stop]
        if not unicodedata.is_normalized("NFKC", line):
            pieces.append(text[pos:start])
            pieces.append(unicodedata.normalize("NFKC", line))
            pos = stop
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


_INERT: set[str] = set()
_COMPOSING_STARTERS: frozenset[str] | None = None


def _composing_starters() -> frozenset[str]:
    """Characters with no combining class that NFKC may still merge into the character before
    them: the second half of a canonical pair (Indic length marks, ...) and Hangul medial and
    final jamo. Built once per process (~0.1 s), the first time a non-ASCII text needs it."""
    global _COMPOSING_STARTERS
    if _COMPOSING_STARTERS is None:
        seconds = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
        for code in range(0x110000):
            parts = unicodedata.decomposition(chr(code)).split()
            if len(parts) == 2 and not parts[0].startswith("<"):
                seconds.add(chr(int(parts[1], 16)))
        _COMPOSING_STARTERS = frozenset(seconds)
    return _COMPOSING_STARTERS


def _nfkc_suspects(rare: str) -> set[str]:
    """The characters of ``rare`` that NFKC might change in some context; none means NFKC leaves
    the text alone. A character is inert when it is its own NFKC, has combining class 0 and cannot
    compose with the character before it: such characters are left alone next to anything (plain
    ASCII always is).

    A sufficient test, not an exact one (a suspect only means "run NFKC on its line"): on English
    news it replaces a whole-text ``unicodedata.is_normalized`` with a set look-up of a few
    characters.
    """
    chars = set(rare)
    if chars <= _INERT:
        return set()
    starters = _composing_starters()
    suspects = set()
    for c in chars - _INERT:
        if unicodedata.combining(c) or c in starters or unicodedata.normalize("NFKC", c) != c:
            suspects.add(c)
        else:
            _INERT.add(c)
    return suspects


def normalize_text(s: str) -> str:
    """The text every offset refers to: entities decoded, NFKC, straight quotes, tidy spaces.

    HTML entities are decoded until nothing changes (feeds double-escape: ``e&amp;amp;`` → ``e&``),
    NFKC folds full-width forms (``e＆`` → ``e&``), curly quotes become straight ones (Kiwi
    mis-reads particles after ``‘ ’``), middle-dot variants become ``·``, zero-width characters
    go, and runs of whitespace inside a line become one space while newlines are kept (sentences
    are split per line).

    Speed: this runs on every article before anything else, so each step first asks, with
    ``in`` tests that run at memchr speed (on the text's rare characters only, when it is not
    ASCII), whether it has anything to do; a regex pass over a whole article, even one that
    replaces nothing, costs more than the alias scan itself.
    """
    text = s
    rare: str | None = None  # ``_rare_chars`` of ``text`` once known
    for _ in range(8):
        decoded = html.unescape(text) if "&" in text else text
        rare = None
        if not decoded.isascii():
            rare = _rare_chars(decoded)
            # ``set(rare)`` costs ~15 times what ``is_normalized`` costs per character: the
            # per-character test pays only when non-ASCII characters are few (English news).
            if len(rare) * 16 < len(decoded):
                suspects = _nfkc_suspects(rare)
                composed = _nfkc(decoded, suspects) if suspects else decoded
            else:
                composed = _nfkc_lines(decoded)
            if composed is not decoded:
                decoded, rare = composed, None
        if decoded == text:
            break
        text = decoded
    if text.isascii():
        present = [c for c in _ASCII_SPECIAL if c in text]
    else:
        if rare is None:
            rare = _rare_chars(text)
        present = [c for c in _SPECIAL if c in rare]
    if present:
        for c in present:
            if c in _CHAR_MAP:
                if c == "\r":
                    text = text.replace("\r\n", "\n")
                text = text.replace(c, _CHAR_MAP[c])
        if not _UNMAPPED_SPACES.isdisjoint(present):
            text = _SPACES.sub(" ", text)
    if _has_space_pair(text):
        text = _SPACES.sub(" ", text)
        if " \n" in text:
            text = text.replace(" \n", "\n")
        if "\n " in text:
            text = text.replace("\n ", "\n")
    return text.strip(" ")


# Space -> 1, newline -> 2, any other byte -> 8: two neighbours multiply to less than 3 exactly
# when they are "  ", " \n" or "\n ".
_PAIR_CODES = bytes(1 if b == 32 else 2 if b == 10 else 8 for b in range(256))


def _has_space_pair(text: str) -> bool:
    """Whether ``"  "``, ``" \n"`` or ``"\n "`` occurs in ``text``.

    ``in`` with a two-character needle whose last character is a space runs at about a third of
    memchr speed; on an article numpy answers all three at once in less than one of them.
    """
    if len(text) < 2048:
        return "  " in text or " \n" in text or "\n " in text
    data = text.encode("utf-8", "surrogatepass").translate(_PAIR_CODES)
    codes = np.frombuffer(data, np.uint8)
    return bool((codes[1:] * codes[:-1]).min() < 3)


def _is_hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3"


def _is_word(c: str) -> bool:
    """A Latin letter or a digit: what may not touch a Latin-edged alias."""
    if c.isascii():
        return c.isalnum()
    return ("\u00c0" <= c <= "\u024f" and c.isalpha()) or c.isdigit()


def _lower(text: str) -> str:
    """Lower-case without changing the length, so automaton offsets stay valid."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _whole_term(text: str, start: int, end: int) -> bool:
    """Whether a context term found at [start, end) is not part of a longer ASCII word (nor
    right after "&", as the word-mapped scan already ensures for ASCII text)."""
    if start > 0 and text[start].isascii() and text[start].isalnum():
        before = text[start - 1]
        if (before.isascii() and before.isalnum()) or before == "&":
            return False
    if end < len(text) and text[end - 1].isascii() and text[end - 1].isalnum():
        after = text[end]
        if after.isascii() and after.isalnum():
            return False
    return True


def _context_key(raw: str) -> str:
    """A context term as the context automaton holds it: normalized and lower-cased."""
    return _lower(normalize_text(raw))


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex: Latin-edged terms as whole words, Hangul ones as substrings."""
    parts = []
    for raw in sorted(set(terms), key=len, reverse=True):
        term = normalize_text(raw)
        if not term:
            continue
        part = re.escape(term)
        if term[0].isascii() and term[0].isalnum():
            part = r"(?<![A-Za-z0-9])" + part
        if term[-1].isascii() and term[-1].isalnum():
            part += r"(?![A-Za-z0-9])"
        parts.append(part)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _build_automaton(items: Sequence[tuple[str, object]]) -> ahocorasick.Automaton | None:
    if not items:
        return None
    automaton = ahocorasick.Automaton()
    for key, value in items:
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


def _word_table(word_chars: str) -> bytes:
    """A ``bytes.translate`` table: ``word_chars`` (and upper-case ASCII, lower-cased) are kept,
    every other byte becomes a space."""
    keep = {ord(c) for c in word_chars}
    return bytes(
        b if b in keep else (b + 32 if 65 <= b <= 90 and b + 32 in keep else 32) for b in range(256)
    )


class _SplitAutomaton:
    """Aho-Corasick over lower-cased text, with a fast path for text that cannot hold a Hangul
    or CJK key (English news).

    Both passes are ``ahocorasick_rs`` DFAs in overlapping mode, which report the same hits in
    the same order as pyahocorasick's ``iter`` (by end, longest first) in a third to a fifth of
    its time: pyahocorasick walks a node's children linearly for each character.

    - Text that may hold a non-ASCII-first key (its UTF-8 has the lead byte of one of their first
      characters) goes through one automaton of all keys, on the lower-cased text; hits carry no
      boundary guarantee and the caller checks boundaries (Korean text: one pass, as before).
    - Other text runs only the ASCII-first keys, over a *word map*: every character that is not
      in ``word_chars`` becomes a space (non-ASCII ones first become ``?`` via the ASCII encoder,
      one byte per character, so offsets do not move), and a key that starts with a word
      character is stored with a space in front. The root then has one child, the space, and a
      key only starts where a non-word character (or the text's start) precedes it, which is the
      left boundary the caller would check anyway. Hits are checked against the text itself,
      since the map merges characters, except for keys made of word characters only, which the
      map spells exactly. On English news this pass reports a seventh of the hits that the same
      keys would report without the space in front.
    """

    def __init__(self, items: Iterable[tuple[str, object]], word_chars: str) -> None:
        self._table = _word_table(word_chars)
        mapped: dict[str, list[tuple[str, object]]] = {}
        everything: list[tuple[str, object]] = []
        lead_bytes: set[bytes] = set()
        for key, value in items:
            if not key:
                continue
            everything.append((key, value))
            if not key[0].isascii():
                lead_bytes.add(key[0].encode("utf-8", "surrogatepass")[:1])
                continue
            word_map = self._word_map(key)
            if key[0] in word_chars:
                word_map = " " + word_map
            mapped.setdefault(word_map, []).append((key, value))
        # Per pattern index: (key, length, made of word characters only, value) for every key
        # with that word map.
        self._ascii_hits = tuple(
            tuple((key, len(key), set(key) <= set(word_chars), value) for key, value in pairs)
            for pairs in mapped.values()
        )
        # A DFA, and four keys that cannot occur in a word map (control bytes, after every real
        # key so that indexes still point into ``_ascii_hits``): with every key starting with a
        # space, the automaton would otherwise use a memchr prefilter on " ", which stops every
        # few bytes in prose; four start bytes turn it off, and the scan takes half the time.
        self._ascii = (
            ahocorasick_rs.BytesAhoCorasick(
                [k.encode("ascii") for k in mapped] + [b"\x00", b"\x01", b"\x02", b"\x03"],
                implementation=ahocorasick_rs.Implementation.DFA,
            )
            if mapped
            else None
        )
        # Every key, over lower-cased text (Korean): a DFA here too, 4-5 times as fast as
        # pyahocorasick, which stays for text it cannot take (lone surrogates) and is built then.
        self._everything = everything
        self._all_values = [value for _, value in everything]
        self._all = (
            ahocorasick_rs.AhoCorasick(
                [key for key, _ in everything], implementation=ahocorasick_rs.Implementation.DFA
            )
            if everything
            else None
        )
        self._all_fallback: ahocorasick.Automaton | None = None
        self._lead_bytes = tuple(sorted(lead_bytes))

    def _word_map(self, text: str) -> str:
        return text.encode("ascii", "replace").translate(self._table).decode("ascii")

    def __bool__(self) -> bool:
        return self._all is not None

    def _iter_all(self, low: str) -> Iterable[tuple[int, Any]]:
        """Every key in lower-cased ``low``, in pyahocorasick's order (by end, longest first)."""
        assert self._all is not None
        try:
            found = self._all.find_matches_as_indexes(low, overlapping=True)
        except UnicodeEncodeError:
            if self._all_fallback is None:
                self._all_fallback = _build_automaton(self._everything)
            assert self._all_fallback is not None
            hits: Iterable[tuple[int, Any]] = self._all_fallback.iter(low)
            return hits
        values = self._all_values
        return [(end - 1, values[index]) for index, _, end in found]

    def iter(self, text: str) -> Iterable[tuple[int, Any]]:
        """(index of the last character, value) of every key occurrence in ``text``, ignoring
        case. An ASCII-first key that starts with a word character may be reported where one
        precedes it (only in text with Hangul or CJK): callers check the left boundary.
        """
        if self._lead_bytes and not text.isascii():
            data = text.encode("utf-8", "surrogatepass")
            if any(b in data for b in self._lead_bytes):
                return self._iter_all(_lower(text)) if self._all is not None else ()
        if self._ascii is None:
            return ()
        # The word map lower-cases ASCII itself; only hits are lower-cased in full. The map has a
        # space in front, so a hit's end in the map is one past its end in the text. A key made
        # of word characters only matches its map exactly where the text spells it.
        mapped = b" " + text.encode("ascii", "replace").translate(self._table)
        hits = self._ascii_hits
        out: list[tuple[int, Any]] = []
        for index, _, end in self._ascii.find_matches_as_indexes(mapped, overlapping=True):
            for key, size, exact, value in hits[index]:
                start = end - 1 - size
                if start < 0:
                    continue
                if not exact:
                    seg = text[start : end - 1]
                    low = seg.lower()
                    if not (low == key if len(low) == len(seg) else _lower(seg) == key):
                        continue
                out.append((end - 2, value))
        return out


@dataclass(frozen=True, slots=True)
class _Rule:
    """One alias as the matcher uses it: normalized text, entities and compiled conditions."""

    text: str
    entity_ids: tuple[str, ...]
    collective: bool
    variant: bool
    case_sensitive: bool
    excludes: tuple[re.Pattern[str], ...]
    needs_context: bool
    context: frozenset[str]
    avoid: re.Pattern[str] | None
    starts_word: bool
    starts_hangul: bool
    ends_word: bool
    ends_hangul: bool


@dataclass(slots=True)
class _Candidate:
    rule: _Rule
    field: Field
    start: int
    end: int
    defer_left: bool
    defer_right: bool

    @property
    def deferred(self) -> bool:
        return self.defer_left or self.defer_right


@dataclass(slots=True)
class TaggerStats:
    """Counters for benchmarks and logs (plain ints: approximate if one Tagger runs in threads)."""

    articles: int = 0
    articles_with_kiwi: int = 0
    kiwi_tokenizations: int = 0
    deferred: int = 0
    mentions: int = 0


class _KiwiHolder:
    """The process's single Kiwi, created on first use and given every Korean alias as NNP."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kiwi: Kiwi | None = None
        self._words: set[str] = set()

    @property
    def loaded(self) -> bool:
        return self._kiwi is not None

    def get(self, words: frozenset[str]) -> Kiwi:
        with self._lock:
            if self._kiwi is None:
                from kiwipiepy import Kiwi

                self._kiwi = Kiwi()
            missing = sorted(words - self._words)
            for word in missing:
                self._kiwi.add_user_word(word, "NNP")
            self._words.update(missing)
            if missing:
                self._kiwi.tokenize("준비")  # pay the lazy set-up here, under the lock
            return self._kiwi


_KIWI = _KiwiHolder()


def kiwi_loaded() -> bool:
    """Whether this process has built its Kiwi yet (tests and benches use it)."""
    return _KIWI.loaded


@dataclass
class _ArticleState:
    """Per-call caches: context verdicts, Kiwi tokens per sentence, own-name resolution."""

    terms_found: set[str]
    lead: str
    context_hits: dict[int, bool] = field(default_factory=dict)
    terms_present: frozenset[str] | None = None
    tokens: dict[tuple[Field, int, int], list[Any]] = field(default_factory=dict)
    used_kiwi: bool = False


class Tagger:
    """Finds gazetteer entities in articles; build one per process and reuse it.

    ``use_kiwi=False`` rejects every deferred occurrence instead of asking Kiwi (conservative,
    fast, never loads the model).
    """

    def __init__(self, gazetteer: Gazetteer, *, use_kiwi: bool = True) -> None:
        self.gazetteer = gazetteer
        self.use_kiwi = use_kiwi
        self.stats = TaggerStats()
        korean = gazetteer.korean
        self._particles = frozenset(korean.particles)
        self._max_particles = korean.max_particles
        self._particle_cache: dict[str, bool] = {}
        rules: list[_Rule] = []
        user_words: set[str] = set()
        for entity in gazetteer.entities:
            for alias in entity.aliases:
                rules.extend(self._rules_for(alias, (entity.id,), collective=False))
                user_words.update(self._user_words(alias))
        for collective in gazetteer.collectives:
            for alias in collective.aliases:
                rules.extend(self._rules_for(alias, collective.members, collective=True))
                user_words.update(self._user_words(alias))
        self._user_words_set = frozenset(user_words)
        by_key: dict[str, list[_Rule]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for rule in sorted(rules, key=lambda r: r.variant):
            ident = (rule.text if rule.case_sensitive else _lower(rule.text), rule.entity_ids)
            if ident in seen:
                continue
            seen.add(ident)
            by_key.setdefault(_lower(rule.text), []).append(rule)
        self._rule_count = sum(len(v) for v in by_key.values())
        # Aliases and context terms share one pass: (rules, term) per key, either may be empty.
        # Neither needs a Latin letter, digit or "&" before it (the word map enforces that).
        terms = {t for r in rules for t in r.context}
        self._automaton = _SplitAutomaton(
            (
                (key, (tuple(by_key.get(key, ())), key if key in terms else None))
                for key in sorted(by_key.keys() | terms)
            ),
            _ALNUM + "&",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_tagger, (self.gazetteer, self.use_kiwi))

    @property
    def alias_count(self) -> int:
        """Distinct (alias, entities) rules in the automaton, spacing variants included."""
        return self._rule_count

    @staticmethod
    def _variants(text: str) -> list[str]:
        """The alias, plus its space-less form for Hangul aliases (통신 3사 → 통신3사)."""
        out = [text]
        if " " in text and any(_is_hangul(c) for c in text):
            out.append(text.replace(" ", ""))
        return out

    def _user_words(self, alias: Alias) -> list[str]:
        if not alias.is_user_word:
            return []
        return [v for v in self._variants(normalize_text(alias.text)) if "(" not in v]

    def _rules_for(
        self, alias: Alias, entity_ids: tuple[str, ...], *, collective: bool
    ) -> list[_Rule]:
        text = normalize_text(alias.text)
        terms = self.gazetteer.context_terms(alias)
        avoid = self.gazetteer.expand_terms(alias.avoid_context)
        excludes = tuple(re.compile(p, re.IGNORECASE) for p in alias.exclude)
        out = []
        for n, variant in enumerate(self._variants(text)):
            out.append(
                _Rule(
                    text=variant,
                    entity_ids=entity_ids,
                    collective=collective,
                    variant=n > 0,
                    case_sensitive=alias.is_case_sensitive,
                    excludes=excludes,
                    needs_context=terms is not None,
                    context=frozenset(_context_key(t) for t in terms or ()) - {""},
                    avoid=_terms_pattern(avoid) if avoid else None,
                    starts_word=_is_word(variant[0]),
                    starts_hangul=_is_hangul(variant[0]),
                    ends_word=_is_word(variant[-1]),
                    ends_hangul=_is_hangul(variant[-1]),
                )
            )
        return out

    def warm_up(self) -> None:
        """Build the process's Kiwi now (e.g. in a worker's start-up) instead of on first need."""
        if self.use_kiwi:
            _KIWI.get(self._user_words_set)

    def tag(
        self, article_id: str, title: str | None, body: str, lead: str | None = None
    ) -> list[Mention]:
        """All mentions in one article, at most one per (entity, field, start).

        ``lead`` (the extractor's or the feed's summary) is not tagged itself, since a Mention
        points into the title or the body; it counts as context for ``requires_context`` and
        marks the body span it covers, besides the first paragraph, as the lead.
        """
        self.stats.articles += 1
        texts: dict[Field, str] = {
            "title": normalize_text(title) if title else "",
            "body": normalize_text(body) if body else "",
        }
        candidates: list[_Candidate] = []
        terms: set[str] = set()
        for fld, text in texts.items():
            if text:
                candidates.extend(self._scan(fld, text, terms))
        if not candidates:
            return []
        lead_text = normalize_text(lead) if lead else ""
        state = _ArticleState(terms, lead_text)

        candidates = self._apply_context(candidates, texts, state)
        candidates = self._resolve_deferred(candidates, texts, state)
        kept = self._leftmost_longest(candidates)
        if state.used_kiwi:
            self.stats.articles_with_kiwi += 1
        mentions = self._mentions(article_id, kept, texts, lead_text)
        self.stats.mentions += len(mentions)
        return mentions

    def _scan(self, fld: Field, text: str, terms: set[str]) -> list[_Candidate]:
        """Candidate occurrences in one field; context terms met on the way go into ``terms``."""
        found: list[_Candidate] = []
        hit: tuple[tuple[_Rule, ...], str | None]
        for end_index, hit in self._automaton.iter(text):
            rules, term = hit
            end = end_index + 1
            if term is not None and term not in terms and _whole_term(text, end - len(term), end):
                terms.add(term)
            for rule in rules:
                start = end - len(rule.text)
                if rule.case_sensitive and not text.startswith(rule.text, start):
                    continue
                verdict = self._boundaries(text, start, end, rule)
                if verdict is None or (rule.excludes and self._excluded(text, start, end, rule)):
                    continue
                found.append(_Candidate(rule, fld, start, end, *verdict))
        return found

    def _boundaries(self, text: str, start: int, end: int, rule: _Rule) -> tuple[bool, bool] | None:
        """None to reject, else (defer_left, defer_right) for the Kiwi check."""
        defer_left = False
        if start > 0:
            before = text[start - 1]
            if rule.starts_word:
                if _is_word(before) or before == "&":
                    return None
            elif rule.starts_hangul and _is_hangul(before):
                defer_left = True
        defer_right = False
        if end < len(text):
            after = text[end]
            if _is_hangul(after):
                stop = end
                while stop < len(text) and _is_hangul(text[stop]):
                    stop += 1
                defer_right = not self._is_particles(text[end:stop])
            elif rule.ends_word:
                if _is_word(after) or after == "&":
                    return None
            elif not rule.ends_hangul and _is_word(after):
                return None
        return defer_left, defer_right

    def _is_particles(self, run: str) -> bool:
        """Whether a Hangul run splits into at most ``max_particles`` whitelisted particles."""
        cached = self._particle_cache.get(run)
        if cached is not None:
            return cached
        best = {0: 0}
        for i in range(len(run)):
            if i not in best:
                continue
            for j in range(i + 1, min(len(run), i + 6) + 1):
                if run[i:j] in self._particles:
                    best[j] = min(best.get(j, 99), best[i] + 1)
        ok = best.get(len(run), 99) <= self._max_particles
        if len(self._particle_cache) < 50_000:
            self._particle_cache[run] = ok
        return ok

    @staticmethod
    def _excluded(text: str, start: int, end: int, rule: _Rule) -> bool:
        if not rule.excludes:
            return False
        lo, hi = max(0, start - _EXCLUDE_WINDOW), min(len(text), end + _EXCLUDE_WINDOW)
        for pattern in rule.excludes:
            for m in pattern.finditer(text, lo, hi):
                if m.start() >= end:
                    break
                if m.end() > start:
                    return True
        return False

    def _apply_context(
        self, candidates: list[_Candidate], texts: dict[Field, str], state: _ArticleState
    ) -> list[_Candidate]:
        """Drop occurrences whose context rules fail; resolve own-name evidence lazily."""
        own_cache: dict[str, bool] = {}

        def own_name(entity_id: str) -> bool:
            if entity_id not in own_cache:
                own_cache[entity_id] = False
                for other in candidates:
                    if (
                        entity_id in other.rule.entity_ids
                        and not other.rule.needs_context
                        and not other.rule.collective
                        and self._avoid_ok(other, texts)
                        and (not other.deferred or self._kiwi_accepts(other, texts, state))
                    ):
                        own_cache[entity_id] = True
                        break
            return own_cache[entity_id]

        kept = []
        for cand in candidates:
            rule = cand.rule
            if rule.needs_context:
                key = id(rule)
                if key not in state.context_hits:
                    present = self._terms_present(state)
                    state.context_hits[key] = not rule.context.isdisjoint(present)
                if not state.context_hits[key] and not any(own_name(e) for e in rule.entity_ids):
                    continue
            if not self._avoid_ok(cand, texts):
                continue
            kept.append(cand)
        return kept

    def _terms_present(self, state: _ArticleState) -> frozenset[str]:
        """Every context term in the article: those the title and body scans met, plus, on first
        need, those in the lead (the lead is context only, so it is scanned only for this).

        Latin-edged terms count as whole words only (no ``AI`` in ``SAID``), Hangul ones as
        substrings, both case-insensitively: the semantics ``requires_context`` documents.
        """
        if state.terms_present is None:
            found = state.terms_found
            if state.lead:
                for end_index, (_rules, term) in self._automaton.iter(state.lead):
                    end = int(end_index) + 1
                    if term is not None and _whole_term(state.lead, end - len(term), end):
                        found.add(term)
            state.terms_present = frozenset(found)
        return state.terms_present

    @staticmethod
    def _avoid_ok(cand: _Candidate, texts: dict[Field, str]) -> bool:
        if cand.rule.avoid is None:
            return True
        text = texts[cand.field]
        lo, hi = _sentence_bounds(text, cand.start, cand.end)
        return cand.rule.avoid.search(text, lo, hi) is None

    def _resolve_deferred(
        self, candidates: list[_Candidate], texts: dict[Field, str], state: _ArticleState
    ) -> list[_Candidate]:
        deferred = [c for c in candidates if c.deferred]
        if not deferred:
            return candidates
        self.stats.deferred += len(deferred)
        sure = [c for c in candidates if not c.deferred]
        kept = list(sure)
        for cand in deferred:
            inside_longer = any(
                s.field == cand.field
                and s.start <= cand.start
                and cand.end <= s.end
                and (s.end - s.start) > (cand.end - cand.start)
                for s in sure
            )
            if not inside_longer and self._kiwi_accepts(cand, texts, state):
                kept.append(cand)
        return kept

    def _kiwi_accepts(
        self, cand: _Candidate, texts: dict[Field, str], state: _ArticleState
    ) -> bool:
        """Kiwi's verdict: a token boundary at the alias edges in doubt, and a noun at its end."""
        if not self.use_kiwi:
            return False
        text = texts[cand.field]
        lo, hi = _sentence_bounds(text, cand.start, cand.end)
        key = (cand.field, lo, hi)
        tokens = state.tokens.get(key)
        if tokens is None:
            kiwi = _KIWI.get(self._user_words_set)
            tokens = list(kiwi.tokenize(text[lo:hi]))
            state.tokens[key] = tokens
            state.used_kiwi = True
            self.stats.kiwi_tokenizations += 1
        start, end = cand.start - lo, cand.end - lo
        starts_at = not cand.defer_left
        last_tag: str | None = None
        for token in tokens:
            t_start, t_end = int(token.start), int(token.start) + int(token.len)
            if t_end <= start or t_start >= end:
                continue
            if t_start < start < t_end or t_start < end < t_end:
                return False
            if t_start == start:
                starts_at = True
            if t_end == end:
                last_tag = str(token.tag).split("-")[0]
        return starts_at and last_tag in _NOUN_TAGS

    @staticmethod
    def _leftmost_longest(candidates: list[_Candidate]) -> list[_Candidate]:
        ordered = sorted(candidates, key=lambda c: (c.field, c.start, c.start - c.end))
        kept: list[_Candidate] = []
        fld: Field | None = None
        span = (-1, -1)
        for cand in ordered:
            if cand.field != fld:
                fld, span = cand.field, (-1, -1)
            if (cand.start, cand.end) == span:
                kept.append(cand)
            elif cand.start >= span[1]:
                kept.append(cand)
                span = (cand.start, cand.end)
        return kept

    def _mentions(
        self,
        article_id: str,
        kept: list[_Candidate],
        texts: dict[Field, str],
        lead_text: str,
    ) -> list[Mention]:
        body = texts["body"]
        lead_spans = [_first_paragraph(body)]
        if lead_text:
            at = body.find(lead_text)
            if at >= 0:
                lead_spans.append((at, at + len(lead_text)))
        out: dict[tuple[str, Field, int], Mention] = {}
        starts: dict[Field, list[int]] = {}
        last: dict[Field, int] = {}
        for cand in kept:
            last[cand.field] = max(last.get(cand.field, 0), cand.start)
        for cand in kept:
            text = texts[cand.field]
            lo, hi = _sentence_bounds(text, cand.start, cand.end)
            if cand.field not in starts:
                starts[cand.field] = sentence_starts(text, last[cand.field])
            index = max(0, bisect_right(starts[cand.field], cand.start) - 1)
            in_lead = cand.field == "body" and any(a <= cand.start < b for a, b in lead_spans)
            for entity_id in cand.rule.entity_ids:
                key = (entity_id, cand.field, cand.start)
                if key in out:
                    continue
                out[key] = Mention(
                    article_id=article_id,
                    entity_id=entity_id,
                    surface=text[cand.start : cand.end],
                    field=cand.field,
                    start=cand.start,
                    end=cand.end,
                    sentence=text[lo:hi],
                    in_title=cand.field == "title",
                    in_lead=in_lead,
                    collective=cand.rule.collective,
                    sentence_index=index,
                    ambiguous=cand.rule.needs_context or cand.deferred,
                )
        return list(out.values())


def _rebuild_tagger(gazetteer: Gazetteer, use_kiwi: bool) -> Tagger:
    return Tagger(gazetteer, use_kiwi=use_kiwi)


def _first_paragraph(text: str) -> tuple[int, int]:
    """The span of the first non-empty line (extracted bodies put one paragraph per line)."""
    start = 0
    while start < len(text):
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        if stop > start:
            return start, stop
        start = stop + 1
    return 0, 0


def sentence_starts(text: str, upto: int | None = None) -> list[int]:
    """Where each sentence of ``text`` starts, split the way ``_sentence_bounds`` splits.

    Non-empty lines first, then ``. ! ? 。`` followed by space inside a line; the position of a
    mention's start in this list is its ``sentence_index``. With ``upto``, lines after the one
    holding that offset are not split (the tagger needs the ordinals up to its last mention).
    """
    stop = len(text) if upto is None else text.find("\n", upto)
    stop = len(text) if stop < 0 else stop
    first = text.find("\n", 0, stop)
    starts = [0] if text[: stop if first < 0 else first].strip() else []
    starts.extend([m.end() for m in _LINE_START.finditer(text, 0, stop)])
    # One pass per end mark in the text: the in-line variant never crosses a newline, and a mark
    # at the end of a line starts nothing (the next line is counted above).
    for mark, pattern in _INLINE_STARTS:
        if mark in text:
            starts.extend([m.end() for m in pattern.finditer(text, 0, stop)])
    starts.sort()
    return starts


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around [start, end): within its line, at most ``MAX_SENTENCE`` characters.

    Lines are split first (Kiwi and the punctuation rule both ignore newlines), then sentences at
    ``. ! ? 。`` followed by space; an over-long sentence is cut to a window around the mention at
    word boundaries, so alerts and Kiwi get a bounded, readable excerpt.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    lo = line_start
    for before in _SENTENCE_END.finditer(text, line_start, start):
        lo = before.end()
    after = _SENTENCE_END.search(text, end, line_end)
    hi = after.end() if after else line_end
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    if hi - lo <= MAX_SENTENCE:
        return lo, hi
    room = max(0, MAX_SENTENCE - (end - start))
    w_lo = max(lo, start - room // 2)
    w_hi = min(hi, w_lo + max(MAX_SENTENCE, end - start))
    w_lo = max(lo, min(w_lo, w_hi - MAX_SENTENCE))
    if w_lo > lo:
        space = text.find(" ", w_lo, start)
        w_lo = space + 1 if space >= 0 else w_lo
    if w_hi < hi:
        space = text.rfind(" ", end, w_hi)
        w_hi = space if space >= 0 else w_hi
    return w_lo, w_hi


def tag_articles(articles: Sequence[Article], tagger: Tagger) -> list[Mention]:
    """Mentions of a batch of articles, in article order."""
    mentions: list[Mention] = []
    for article in articles:
        mentions.extend(tagger.tag(article.article_id, article.title, article.body, article.lead))
    return mentions
