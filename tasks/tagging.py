"""Tagging: find gazetteer entities in article text and keep each occurrence as a ``Mention``.

How an occurrence is decided, cheapest test first, so that most articles never need Kiwi:

1. ``normalize_text`` the title and body (offsets in a Mention refer to the normalized text).
2. One Aho-Corasick automaton holds every alias, lower-cased; it runs once over the lower-cased
   text, and case-sensitive aliases are then compared with the original text.
3. Boundaries. A Latin or digit edge of an alias must not touch another Latin letter, digit or
   ``&`` (so no KT in SKT, KTX or KT&G, no T in AT&T); an alias ending in ``&`` (e&) must not be
   followed by a letter. A Hangul run right after an alias is accepted when it splits into at
   most ``max_particles`` whitelisted particles (``SK텔레콤은``, ``SKT와의``); otherwise, and when a
   Hangul alias directly follows another Hangul syllable, the decision is *deferred*.
4. The alias's ``exclude`` regexes (a match overlapping the occurrence vetoes it), its
   ``requires_context`` (a term anywhere in the article, or the same entity named by an alias
   without that rule) and its ``avoid_context`` (terms in the sentence) are applied from the data.
   Context terms are found by a second automaton, once per article and only if some candidate
   needs context: a regex alternation per rule over the whole article cost more than the rest
   of tagging together.
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
from typing import TYPE_CHECKING, Any, Literal, cast

import ahocorasick

from tasks.gazetteer import Alias, Gazetteer
from tasks.models import Article, Mention

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

Field = Literal["title", "body"]

MAX_SENTENCE = 300
_EXCLUDE_WINDOW = 60
_NOUN_TAGS = frozenset({"NNP", "NNG", "NNB", "NR", "SL", "SH", "SN", "SW"})
_SPACES = re.compile(r"[^\S\n]+")
_ABBREVIATIONS = ("Corp", "Inc", "Co", "Ltd", "Mr", "Mrs", "Ms", "Dr", "No", "vs", "St", "Jr")
_SENTENCE_END = re.compile(
    r"(?:\."
    + "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _ABBREVIATIONS)
    + r"(?<!\b[A-Za-z]\.)|[!?。？！…])[\"')\]」』]*\s+"
)
_CHAR_MAP = {
    **dict.fromkeys("‘’‚‛′`", "'"),
    **dict.fromkeys("“”„‟″", '"'),
    **dict.fromkeys("ㆍᆞ‧∙•", "·"),
    **dict.fromkeys("\u2028\u2029\x85\r", "\n"),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
# A regex finds the few characters to map at C speed; str.translate with a dict looks up every
# character and was the tagger's largest single cost on long English articles.
_SPECIAL_CHARS = re.compile("\r\n|[" + re.escape("".join(_CHAR_MAP)) + "]")
_LINE_EDGES = re.compile(r" ?\n ?")


def normalize_text(s: str) -> str:
    """The text every offset refers to: entities decoded, NFKC, straight quotes, tidy spaces.

    HTML entities are decoded until nothing changes (feeds double-escape: ``e&amp;amp;`` → ``e&``),
    NFKC folds full-width forms (``e＆`` → ``e&``), curly quotes become straight ones (Kiwi
    mis-reads particles after ``‘ ’``), middle-dot variants become ``·``, zero-width characters
    go, and runs of whitespace inside a line become one space while newlines are kept (sentences
    are split per line).
    """
    text = s
    for _ in range(8):
        decoded = unicodedata.normalize("NFKC", html.unescape(text))
        if decoded == text:
            break
        text = decoded
    text = _SPECIAL_CHARS.sub(lambda m: _CHAR_MAP.get(m.group(), "\n"), text)
    return _LINE_EDGES.sub("\n", _SPACES.sub(" ", text)).strip(" ")


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

    haystack: str
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
        automaton = ahocorasick.Automaton()
        for key, key_rules in by_key.items():
            automaton.add_word(key, tuple(key_rules))
        automaton.make_automaton()
        self._automaton = automaton
        context_automaton = ahocorasick.Automaton()
        for term in sorted({t for r in rules for t in r.context}):
            context_automaton.add_word(term, term)
        if len(context_automaton):
            context_automaton.make_automaton()
        self._context_automaton = context_automaton

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
        for fld, text in texts.items():
            if text:
                candidates.extend(self._scan(fld, text))
        if not candidates:
            return []
        lead_text = normalize_text(lead) if lead else ""
        state = _ArticleState("\n".join(t for t in (texts["title"], lead_text, texts["body"]) if t))

        candidates = self._apply_context(candidates, texts, state)
        candidates = self._resolve_deferred(candidates, texts, state)
        kept = self._leftmost_longest(candidates)
        if state.used_kiwi:
            self.stats.articles_with_kiwi += 1
        mentions = self._mentions(article_id, kept, texts, lead_text)
        self.stats.mentions += len(mentions)
        return mentions

    def _scan(self, fld: Field, text: str) -> list[_Candidate]:
        found: list[_Candidate] = []
        for end_index, rules in self._automaton.iter(_lower(text)):
            for rule in cast(tuple[_Rule, ...], rules):
                end = int(end_index) + 1
                start = end - len(rule.text)
                if rule.case_sensitive and not text.startswith(rule.text, start):
                    continue
                verdict = self._boundaries(text, start, end, rule)
                if verdict is None or self._excluded(text, start, end, rule):
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
        """Every context term in the article, found in one automaton pass on first need.

        Latin-edged terms count as whole words only (no ``AI`` in ``SAID``), Hangul ones as
        substrings, both case-insensitively: the semantics ``requires_context`` documents.
        """
        if state.terms_present is None:
            found: set[str] = set()
            if len(self._context_automaton):
                hay = _lower(state.haystack)
                for end_index, term in self._context_automaton.iter(hay):
                    if term in found:
                        continue
                    end = int(end_index) + 1
                    start = end - len(term)
                    if term[0].isascii() and term[0].isalnum() and start > 0:
                        before = hay[start - 1]
                        if before.isascii() and before.isalnum():
                            continue
                    if term[-1].isascii() and term[-1].isalnum() and end < len(hay):
                        after = hay[end]
                        if after.isascii() and after.isalnum():
                            continue
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
        for cand in kept:
            text = texts[cand.field]
            lo, hi = _sentence_bounds(text, cand.start, cand.end)
            if cand.field not in starts:
                starts[cand.field] = sentence_starts(text)
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


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of ``text`` starts, split the way ``_sentence_bounds`` splits.

    Non-empty lines first, then ``. ! ? 。`` followed by space inside a line; the position of a
    mention's start in this list is its ``sentence_index``.
    """
    starts: list[int] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(pos)
            starts.extend(
                pos + m.end() for m in _SENTENCE_END.finditer(line) if m.end() < len(line)
            )
        pos += len(line) + 1
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
