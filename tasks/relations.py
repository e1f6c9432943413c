"""Membership events: sentences where a company joins, signs with or leaves an alliance.

A sentence qualifies when the tagger found in it at least one company and at least one alliance,
standards body or organisation, and it contains a membership verb (가입, 합류, 참여, 탈퇴; joins,
signs, becomes a member, leaves). The candidate is the *agent* of that verb, with the alliance it
joins, signs with or leaves, and the sentence, so that an analyst can confirm it:
``SK텔레콤이 주도하는 GTAA에 싱텔이 합류했다`` names Singtel, not SK Telecom, and ``Vodafone, which
already works with Nokia, joined the AI-RAN Alliance`` names Vodafone, not Nokia. ``known_member``
marks pairs the gazetteer already lists, which lets the alert rule look only at memberships
newsmon does not know yet (joins and signings by non-members, departures of members).

How the agent is found, by word order and particles rather than a parser (both languages are
regular enough in news copy for this, and a wrong guess costs an analyst one look):

- The verb. The first event type with an occurrence wins (leave, then join, then sign); among its
  occurrences one that only describes the alliance (``참여한 GTAA``, ``GTAA, which SK Telecom
  joined``) is passed over when another one exists.
- Korean (subject-object-verb). A company right after the verb's adnominal form is its agent
  (``GTAA에 합류한 싱텔은``). Otherwise the nearest company before the verb marked as subject or
  topic (이/가/은/는/도, 측은), skipping a subject of a relative clause that describes the next
  name (``SK텔레콤이 주도하는 GTAA``); then, headline style, the nearest company with no particle
  or with 의 (``싱텔, GTAA 합류``, ``싱텔의 GTAA 합류``); then one after the verb.
- English (subject-verb-object). The nearest company before the verb that is neither inside a
  parenthetical (``, which ...,``, ``, a GTAA founder,``, ``(...)``) nor the object of a
  preposition (``with Nokia``, ``by SK Telecom``); without one, the first company after the verb
  (``New members include Vodafone``).
- Names joined to the agent by a coordinator are agents too (``Vodafone and Orange``,
  ``SK텔레콤·KT·LG유플러스가``, ``SK텔레콤과 함께 싱텔이``), as are, between the agent and the verb,
  companies ``와 함께`` (together with) and, for a signing, ``와/과`` (signed with).
- The alliance: the nearest one before a Korean verb (``GTAA에 합류``), the first one after an
  English verb (``joined the AI-RAN Alliance``), else the other side; coordinated alliances count.

Constraints that keep candidates trustworthy: verbs are whole words in English and exclude the
nouns built on them in Korean (가입자 "subscriber", 참여자), and a negated verb (가입하지 않기로,
did not join, declined to join) yields no candidate. Mentions are grouped by their
``sentence_index``; mentions without one are grouped by their sentence text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tasks.gazetteer import Gazetteer
from tasks.models import MembershipEvent, Mention, RelationCandidate

ALLIANCE_KINDS = frozenset({"alliance", "standards_body", "organization"})

# Checked in this order: the first event whose pattern matches (and is not negated) wins.
_TRIGGERS: tuple[tuple[MembershipEvent, re.Pattern[str]], ...] = (
    (
        "leave",
        re.compile(
            r"탈퇴|(?<![A-Za-z])(?:leaves|left|leaving|quits?|quitting|exits|exited"
            r"|withdr[ae]w[a-z]*|pull(?:s|ed)? out of)(?![A-Za-z])",
            re.IGNORECASE,
        ),
    ),
    (
        "join",
        re.compile(
            r"(?:가입|합류|참여|참가|동참|합세)(?!자)|(?:신규|창립|정식|새)\s?(?:회원|멤버)"
            r"|회원사로|회원으로|멤버로"
            r"|(?<![A-Za-z])(?:joins?|joined|joining|becomes? an? (?:full |new |founding )?member"
            r"|became an? (?:full |new |founding )?member|new members?|founding members?"
            r"|signs? up|signed up)(?![A-Za-z])",
            re.IGNORECASE,
        ),
    ),
    (
        "sign",
        re.compile(
            r"서명|체결|(?<![A-Za-z])(?:signs?|signed|signing|inks?|inked)(?![A-Za-z])",
            re.IGNORECASE,
        ),
    ),
)
_NEGATED_AFTER = re.compile(r"^\S{0,4}\s?(?:하지|지)\s?(?:않|못)|^\S{0,3}\s?안\s?(?:했|한다|하)")
_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\bdeclined to|\brefused to|\bno plans? to)\s*(?:\w+\s+)?$",
    re.IGNORECASE,
)

_KO_SUBJECT = frozenset(
    {"이", "가", "은", "는", "도", "께서", "측은", "측이", "측도", "이나", "나"}
)
_KO_NOMINATIVE = frozenset({"이", "가", "도", "측이", "측도"})
# A verb's adnominal form right after the trigger noun: 합류한, 가입하는, 참여했던, 가입하게 된.
# This and _KO_WITH are used with match(text, pos), so no "^" (it would only match at 0).
_KO_ADNOMINAL_AFTER = re.compile(r"(?:하게 된|해 온|해온|했던|하는|한|할|된|되는)\s?")
# The last word before a name is a verb's adnominal form (주도하는, 설립한, 만든, 이끈, 세운).
_KO_ADNOMINAL_WORD = re.compile(r"(?:는|던|[한된든끈운린킨은])\s*$")
_KO_COORDINATOR = re.compile(
    r"^(?:와|과|하고|랑|이랑)?\s*(?:함께|공동으로)?\s*(?:[,·/]|및|그리고)?\s*$"
)
_KO_WITH = re.compile(r"(?:와|과)\s*(?:함께|공동으로)")
_EN_AND = re.compile(r"^\s*,?\s*(?:and|&|as well as|together with|along with)\s*$", re.IGNORECASE)
_EN_COMMA = re.compile(r"^\s*,\s*$")
_EN_PARENTHETICAL = re.compile(
    r",\s*(?:which|who|whose|that|where|a|an|the|its|their|one of)\b[^,]*,|\([^)]*\)",
    re.IGNORECASE,
)
_EN_PREPOSITION = re.compile(
    r"\b(?:by|with|from|to|of|alongside|including|like|than|for|at|on|such as|among|besides"
    r"|beside|without|against|after|before|behind|led by|via)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_EN_RELATIVE = re.compile(r"(?:^|[,;(])\s*(?:which|that|whose|where|who)\b[^,;]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Span:
    """One name in the sentence (sentence offsets); a collective term carries all its members."""

    start: int
    end: int
    ids: tuple[str, ...]
    company: bool
    collective: bool


def _hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3"


def _triggers(sentence: str) -> list[tuple[MembershipEvent, re.Match[str]]]:
    """The non-negated occurrences of the first event type that has any, in text order."""
    for event, pattern in _TRIGGERS:
        found = []
        for match in pattern.finditer(sentence):
            after = sentence[match.end() : match.end() + 12]
            before = sentence[max(0, match.start() - 24) : match.start()]
            if not (_NEGATED_AFTER.search(after) or _NEGATED_BEFORE.search(before)):
                found.append((event, match))
        if found:
            return found
    return []


def membership_trigger(sentence: str) -> tuple[MembershipEvent, str] | None:
    """The sentence's membership event and the verb that signals it, or None."""
    found = _triggers(sentence)
    return (found[0][0], found[0][1].group(0)) if found else None


def _group(mentions: Iterable[Mention]) -> dict[tuple[str, str, int | str], list[Mention]]:
    groups: dict[tuple[str, str, int | str], list[Mention]] = {}
    for m in mentions:
        where: int | str = m.sentence_index if m.sentence_index is not None else m.sentence
        groups.setdefault((m.article_id, m.field, where), []).append(m)
    return groups


def _spans(sentence: str, mentions: Sequence[Mention], kinds: Mapping[str, str]) -> list[_Span]:
    """The companies and alliances of ``mentions`` placed in ``sentence`` (field offsets minus
    the sentence's start, which is found as the one shift that fits every surface)."""
    named = [m for m in mentions if m.sentence == sentence]
    if not named:
        return []
    first = min(named, key=lambda m: m.start)
    at = sentence.find(first.surface)
    shift = None
    while at >= 0 and shift is None:
        lo = first.start - at
        if all(m.start >= lo and sentence.startswith(m.surface, m.start - lo) for m in named):
            shift = lo
        at = sentence.find(first.surface, at + 1)
    if shift is None:
        return []
    by_span: dict[tuple[int, int], list[Mention]] = {}
    for m in named:
        kind = kinds.get(m.entity_id)
        if kind == "company" or kind in ALLIANCE_KINDS:
            by_span.setdefault((m.start - shift, m.end - shift), []).append(m)
    out = []
    for (start, end), group in sorted(by_span.items()):
        companies = [m for m in group if kinds.get(m.entity_id) == "company"]
        chosen = companies or group
        out.append(
            _Span(
                start,
                end,
                tuple(dict.fromkeys(m.entity_id for m in chosen)),
                bool(companies),
                all(m.collective for m in chosen),
            )
        )
    return out


def _particle(sentence: str, end: int) -> str:
    """The Hangul run right after a name, past a parenthesis (``SKT(대표 유영상)는`` → 는)."""
    if sentence.startswith("(", end):
        close = sentence.find(")", end)
        if 0 <= close - end <= 30:
            end = close + 1
    stop = end
    while stop < len(sentence) and _hangul(sentence[stop]):
        stop += 1
    return sentence[end:stop]


def _is_korean(trigger: re.Match[str]) -> bool:
    return any(_hangul(c) for c in trigger.group(0))


def _describes_next(sentence: str, trigger: re.Match[str], spans: Sequence[_Span]) -> bool:
    """Whether a verb only describes an alliance as background (``SK텔레콤이 참여한 GTAA``,
    ``GTAA, which SK Telecom joined in 2023``) rather than reporting that someone joins it.

    Korean: the verb's adnominal form right before an alliance's name. English: a relative
    clause whose pronoun is the verb's object, i.e. with a name between pronoun and verb
    (``Nokia, which joined the alliance`` is Nokia joining)."""
    if _is_korean(trigger):
        form = _KO_ADNOMINAL_AFTER.match(sentence, trigger.end())
        if form is None:
            return False
        nxt = next((s for s in spans if s.start >= form.end()), None)
        return nxt is not None and not nxt.company and nxt.start - form.end() <= 1
    clause = _EN_RELATIVE.search(sentence, 0, trigger.start())
    return clause is not None and any(
        clause.start() <= s.start and s.end <= trigger.start() for s in spans
    )


def _chain(
    sentence: str, spans: Sequence[_Span], anchor: _Span, korean: bool, backward: bool
) -> list[_Span]:
    """``anchor`` and the names of its kind coordinated with it on one side."""
    same = [s for s in spans if s.company == anchor.company]
    at = same.index(anchor)
    out = [anchor]
    seen_and = False
    step = -1 if backward else 1
    i = at + step
    while 0 <= i < len(same):
        left, right = (same[i], out[-1]) if backward else (out[-1], same[i])
        gap = sentence[left.end : right.start]
        if korean:
            ok = _KO_COORDINATOR.match(gap) is not None
        elif _EN_AND.match(gap):
            ok = seen_and = True
        else:
            # A bare comma links names in a list ("Vodafone, Orange and Telstra"), not in
            # "Alongside SK Telecom, Singtel joined": backwards it needs an "and" already seen.
            ok = (seen_and or not backward) and _EN_COMMA.match(gap) is not None
        if not ok:
            break
        out.append(same[i])
        i += step
    return out


def _korean_agents(
    sentence: str, trigger: re.Match[str], spans: Sequence[_Span], event: MembershipEvent
) -> list[_Span]:
    companies = [s for s in spans if s.company]
    form = _KO_ADNOMINAL_AFTER.match(sentence, trigger.end())
    if form is not None:
        head = next((s for s in companies if s.start >= form.end()), None)
        if head is not None and head.start - form.end() <= 1:
            return [head]
    before = [s for s in companies if s.end <= trigger.start()]

    def relative_subject(span: _Span) -> bool:
        if _particle(sentence, span.end) not in _KO_NOMINATIVE:
            return False
        nxt = next((s for s in spans if s.start >= span.end and s is not span), None)
        if nxt is None or nxt.start >= trigger.start():
            return False
        return _KO_ADNOMINAL_WORD.search(sentence, span.end, nxt.start) is not None

    if any(word in trigger.group(0) for word in ("회원", "멤버")):
        # "싱텔을 신규 회원사로 맞았다": with "as a member", the object is the new member.
        objects = [s for s in before if _particle(sentence, s.end) in ("을", "를")]
        if objects:
            return [objects[-1]]
    subjects = [s for s in before if _particle(sentence, s.end) in _KO_SUBJECT]
    agent = next((s for s in reversed(subjects) if not relative_subject(s)), None)
    if agent is None and subjects:
        agent = subjects[-1]
    if agent is None:
        bare = [s for s in before if _particle(sentence, s.end) in ("", "의")]
        agent = bare[-1] if bare else None
    if agent is None:
        after = [s for s in companies if s.start >= trigger.end()]
        fits = [s for s in after if _particle(sentence, s.end) in _KO_SUBJECT | {""}]
        return fits[:1]
    agents = _chain(sentence, spans, agent, korean=True, backward=True)
    for span in before:
        if span.start > agent.end:
            particle = _particle(sentence, span.end)
            if _KO_WITH.match(sentence, span.end) or (event == "sign" and particle in ("와", "과")):
                agents.append(span)
    return agents


def _english_agents(sentence: str, trigger: re.Match[str], spans: Sequence[_Span]) -> list[_Span]:
    companies = [s for s in spans if s.company]
    hidden = [(m.start(), m.end()) for m in _EN_PARENTHETICAL.finditer(sentence)]

    def subject_like(span: _Span) -> bool:
        if any(a <= span.start and span.end <= b for a, b in hidden):
            return False
        return _EN_PREPOSITION.search(sentence, max(0, span.start - 24), span.start) is None

    before = [s for s in companies if s.end <= trigger.start() and subject_like(s)]
    if before:
        return _chain(sentence, spans, before[-1], korean=False, backward=True)
    after = [s for s in companies if s.start >= trigger.end() and subject_like(s)]
    if after:
        return _chain(sentence, spans, after[0], korean=False, backward=False)
    return []


def _target(sentence: str, trigger: re.Match[str], spans: Sequence[_Span]) -> list[_Span]:
    """The alliance(s) the verb is about."""
    alliances = [s for s in spans if not s.company]
    before = [s for s in alliances if s.end <= trigger.start()]
    after = [s for s in alliances if s.start >= trigger.end()]
    korean = _is_korean(trigger)
    if korean and before:
        return _chain(sentence, spans, before[-1], korean=True, backward=True)
    if after:
        return _chain(sentence, spans, after[0], korean=korean, backward=False)
    if before:
        return _chain(sentence, spans, before[-1], korean=korean, backward=True)
    return []


def _sentence_event(
    sentence: str, spans: Sequence[_Span]
) -> tuple[MembershipEvent, str, list[_Span], list[_Span]] | None:
    """(event, verb, agents, alliances) of one sentence, or None."""
    found = _triggers(sentence)
    if not found:
        return None
    main = [t for t in found if not _describes_next(sentence, t[1], spans)]
    if not main:
        return None
    event, trigger = main[0]
    if _is_korean(trigger):
        agents = _korean_agents(sentence, trigger, spans, event)
    else:
        agents = _english_agents(sentence, trigger, spans)
    return event, trigger.group(0), agents, _target(sentence, trigger, spans)


def find_membership_events(
    mentions: Sequence[Mention], gazetteer: Gazetteer
) -> list[RelationCandidate]:
    """Candidate (company, alliance) membership events, one per pair and sentence."""
    kinds = {e.id: e.kind for e in gazetteer}
    out: dict[tuple[str, str, int, str, str], RelationCandidate] = {}
    for (article_id, _field, _where), group in _group(mentions).items():
        if not any(kinds.get(m.entity_id) == "company" for m in group):
            continue
        if not any(kinds.get(m.entity_id) in ALLIANCE_KINDS for m in group):
            continue
        first = group[0]
        found = None
        for sentence in dict.fromkeys(m.sentence for m in group):
            spans = _spans(sentence, group, kinds)
            found = _sentence_event(sentence, spans) if spans else None
            if found is not None:
                break
        if found is None:
            continue
        event, trigger, agents, alliances = found
        collective: dict[str, bool] = {}
        for span in agents:
            for company_id in span.ids:
                collective[company_id] = collective.get(company_id, True) and span.collective
        index = first.sentence_index if first.sentence_index is not None else -1
        for alliance_id in sorted({a for span in alliances for a in span.ids}):
            members = gazetteer.alliance_members(alliance_id)
            for company_id, is_collective in sorted(collective.items()):
                if company_id == alliance_id:
                    continue
                key = (article_id, first.field, index, company_id, alliance_id)
                out[key] = RelationCandidate(
                    article_id=article_id,
                    field=first.field,
                    sentence_index=index,
                    company_id=company_id,
                    alliance_id=alliance_id,
                    event=event,
                    trigger=trigger,
                    sentence=first.sentence,
                    known_member=company_id in members,
                    collective=is_collective,
                )
    return list(out.values())
