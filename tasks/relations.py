"""Membership events: sentences where a company joins, signs with or leaves an alliance.

A sentence qualifies when the tagger found in it at least one company and at least one alliance,
standards body or organisation, and it contains a membership verb (가입, 합류, 참여, 탈퇴; joins,
signs, becomes a member, leaves). Every (company, alliance) pair in such a sentence becomes a
``RelationCandidate`` with the sentence, so an analyst can confirm it; nothing here decides which
company is the subject. ``known_member`` marks pairs the gazetteer already lists, which lets an
analyst look first at memberships newsmon does not know yet.

Constraints that keep candidates trustworthy: verbs are whole words in English and exclude the
nouns built on them in Korean (가입자 "subscriber", 참여자), and a negated verb (가입하지 않기로,
did not join, declined to join) yields no candidate. Mentions are grouped by their
``sentence_index``; mentions without one are grouped by their sentence text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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


def membership_trigger(sentence: str) -> tuple[MembershipEvent, str] | None:
    """The sentence's membership event and the verb that signals it, or None."""
    for event, pattern in _TRIGGERS:
        for match in pattern.finditer(sentence):
            after = sentence[match.end() : match.end() + 12]
            before = sentence[max(0, match.start() - 24) : match.start()]
            if _NEGATED_AFTER.search(after) or _NEGATED_BEFORE.search(before):
                continue
            return event, match.group(0)
    return None


def _group(mentions: Iterable[Mention]) -> dict[tuple[str, str, int | str], list[Mention]]:
    groups: dict[tuple[str, str, int | str], list[Mention]] = {}
    for m in mentions:
        where: int | str = m.sentence_index if m.sentence_index is not None else m.sentence
        groups.setdefault((m.article_id, m.field, where), []).append(m)
    return groups


def find_membership_events(
    mentions: Sequence[Mention], gazetteer: Gazetteer
) -> list[RelationCandidate]:
    """Candidate (company, alliance) membership events, one per pair and sentence."""
    kinds = {e.id: e.kind for e in gazetteer}
    out: dict[tuple[str, str, int, str, str], RelationCandidate] = {}
    for (article_id, _field, _where), group in _group(mentions).items():
        alliances = {m.entity_id for m in group if kinds.get(m.entity_id) in ALLIANCE_KINDS}
        companies: dict[str, bool] = {}
        for m in group:
            if kinds.get(m.entity_id) == "company":
                companies[m.entity_id] = companies.get(m.entity_id, True) and m.collective
        if not alliances or not companies:
            continue
        first = group[0]
        found = None
        for sentence in dict.fromkeys(m.sentence for m in group):
            found = membership_trigger(sentence)
            if found is not None:
                break
        if found is None:
            continue
        event, trigger = found
        index = first.sentence_index if first.sentence_index is not None else -1
        for alliance_id in sorted(alliances):
            members = gazetteer.alliance_members(alliance_id)
            for company_id, collective in sorted(companies.items()):
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
                    collective=collective,
                )
    return list(out.values())
