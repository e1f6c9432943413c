"""Membership events as tables, and their trip through DuckDB with the co_mentions view.

Sentences are written for these tests; mentions come from the real tagger and gazetteer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.gazetteer import Gazetteer, load_gazetteer
from tasks.models import Article, Mention, StoryAssignment
from tasks.relations import find_membership_events, membership_trigger
from tasks.tagging import Tagger
from warehouse import loading
from warehouse.database import open_writer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def tagger(gazetteer: Gazetteer) -> Tagger:
    return Tagger(gazetteer)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("SK텔레콤은 AI-RAN 얼라이언스에 가입했다.", ("join", "가입")),
        ("소프트뱅크가 GTAA에 합류했다.", ("join", "합류")),
        ("3사 모두 참여한다.", ("join", "참여")),
        ("LG유플러스가 연합체에서 탈퇴했다.", ("leave", "탈퇴")),
        ("합작법인 설립 계약에 서명했다.", ("sign", "서명")),
        ("SK텔레콤 가입자가 늘었다.", None),
        ("참여자 명단이 공개됐다.", None),
        ("KT는 가입하지 않기로 했다.", None),
        ("LG유플러스는 합류하지 못했다.", None),
        ("Vodafone joined the alliance.", ("join", "joined")),
        ("Orange becomes a member of the group.", ("join", "becomes a member")),
        ("Telstra left the alliance.", ("leave", "left")),
        ("The five operators signed the agreement.", ("sign", "signed")),
        ("Orange did not join the alliance.", None),
        ("Huawei declined to join.", None),
        ("The rejoinder was long.", None),
        ("The operators met in Seoul.", None),
    ],
)
def test_membership_trigger(sentence: str, expected: tuple[str, str] | None) -> None:
    assert membership_trigger(sentence) == expected


# (text, expected (company, alliance, event, known_member) tuples)
EVENTS = [
    (
        "SK텔레콤은 AI-RAN 얼라이언스에 정식 가입했다.",
        {("sk_telecom", "ai_ran_alliance", "join", True)},
    ),
    ("소프트뱅크가 GTAA에 합류했다.", {("softbank_corp", "gtaa", "join", True)}),
    (
        "LG유플러스가 O-RAN 얼라이언스에서 탈퇴했다.",
        {("lg_uplus", "o_ran_alliance", "leave", True)},
    ),
    ("Telstra left the NGMN Alliance.", {("telstra", "ngmn", "leave", False)}),
    (
        "SoftBank Corp. signed the GTAA joint venture agreement.",
        {("softbank_corp", "gtaa", "sign", True)},
    ),
    (
        "Vodafone and Orange joined the AI-RAN Alliance.",
        {
            ("vodafone", "ai_ran_alliance", "join", True),
            ("orange", "ai_ran_alliance", "join", False),
        },
    ),
    ("KT는 AI-RAN 얼라이언스에 가입하지 않기로 했다.", set()),
    ("SK텔레콤 가입자가 GTAA 소식에 늘었다.", set()),
    ("SK텔레콤은 GTAA 총회를 열었다.", set()),
    ("AI-RAN 얼라이언스가 출범했다. SK텔레콤은 가입을 검토한다.", set()),
    ("6G 기술에 SK텔레콤이 참여했다.", set()),
]


@pytest.mark.parametrize(("text", "expected"), EVENTS, ids=[e[0][:30] for e in EVENTS])
def test_find_membership_events(
    tagger: Tagger, gazetteer: Gazetteer, text: str, expected: set[tuple[str, str, str, bool]]
) -> None:
    events = find_membership_events(tagger.tag("a1", None, text), gazetteer)
    assert {(e.company_id, e.alliance_id, e.event, e.known_member) for e in events} == expected
    for e in events:
        assert e.company_id in e.sentence or e.sentence.startswith(text[:5])
        assert e.trigger in e.sentence


# The agent of the verb, not every company in the sentence: relative clauses that describe the
# alliance, members listed as background, parentheticals, prepositional objects, other clauses.
AGENTS = [
    ("SK텔레콤이 주도하는 GTAA에 싱텔이 합류했다.", {("singtel", "gtaa", "join", True)}),
    ("SK텔레콤이 주도하는 GTAA에 KT가 합류했다.", {("kt", "gtaa", "join", False)}),
    (
        "싱텔은 SK텔레콤과 도이치텔레콤이 주도하는 GTAA에 합류했다.",
        {("singtel", "gtaa", "join", True)},
    ),
    (
        "SK텔레콤, 도이치텔레콤, e&, 싱텔이 참여한 GTAA에 KT가 새로 가입했다.",
        {("kt", "gtaa", "join", False)},
    ),
    ("GTAA에 합류한 KT는 AI 데이터센터 투자를 늘린다.", {("kt", "gtaa", "join", False)}),
    ("SK텔레콤은 실적을 발표했고, KT는 GTAA에 합류했다.", {("kt", "gtaa", "join", False)}),
    (
        "SK텔레콤·KT·LG유플러스가 AI-RAN 얼라이언스에 동참했다.",
        {
            ("sk_telecom", "ai_ran_alliance", "join", True),
            ("kt", "ai_ran_alliance", "join", True),
            ("lg_uplus", "ai_ran_alliance", "join", False),
        },
    ),
    (
        "싱텔은 SK텔레콤과 함께 GTAA에 합류했다.",
        {("singtel", "gtaa", "join", True), ("sk_telecom", "gtaa", "join", True)},
    ),
    (
        "SK텔레콤은 싱텔과 GTAA 합작법인 설립 계약을 체결했다.",
        {("sk_telecom", "gtaa", "sign", True), ("singtel", "gtaa", "sign", True)},
    ),
    ("KT, 글로벌 텔코 AI 얼라이언스 합류", {("kt", "gtaa", "join", False)}),
    ("KT의 GTAA 합류로 통신사 회원사는 여섯 곳이 됐다.", {("kt", "gtaa", "join", False)}),
    ("SK텔레콤은 KT를 GTAA 신규 회원사로 맞았다.", {("kt", "gtaa", "join", False)}),
    (
        "노키아는 엔비디아가 이끄는 AI-RAN 얼라이언스에서 탈퇴했다.",
        {("nokia", "ai_ran_alliance", "leave", True)},
    ),
    (
        "SK텔레콤은 새로 출범한 AI-RAN 얼라이언스에 가입했다.",
        {("sk_telecom", "ai_ran_alliance", "join", True)},
    ),
    ("KT는 LG유플러스가 가입한 AI-RAN 얼라이언스에 합류하지 않기로 했다.", set()),
    ("SK텔레콤이 참여한 GTAA는 서울에서 총회를 열었다.", set()),
    (
        "Singtel joined the GTAA, which was founded by SK Telecom and Deutsche Telekom.",
        {("singtel", "gtaa", "join", True)},
    ),
    (
        "Vodafone, which already works with Nokia, joined the AI-RAN Alliance.",
        {("vodafone", "ai_ran_alliance", "join", True)},
    ),
    (
        "SK Telecom, a GTAA founder, said KT has joined the Global Telco AI Alliance.",
        {("kt", "gtaa", "join", False)},
    ),
    (
        "Alongside SK Telecom, KT joined the Global Telco AI Alliance.",
        {("kt", "gtaa", "join", False)},
    ),
    (
        "The GTAA, which SK Telecom joined in 2023, welcomed KT as a new member.",
        {("kt", "gtaa", "join", False)},
    ),
    (
        "Nvidia, SoftBank and Telstra joined the AI-RAN Alliance.",
        {
            ("nvidia", "ai_ran_alliance", "join", True),
            ("softbank_corp", "ai_ran_alliance", "join", True),
            ("telstra", "ai_ran_alliance", "join", False),
        },
    ),
    (
        "New members of the AI-RAN Alliance include Vodafone and Orange.",
        {
            ("vodafone", "ai_ran_alliance", "join", True),
            ("orange", "ai_ran_alliance", "join", False),
        },
    ),
    (
        "Orange signed an agreement with Nokia to join the AI-RAN Alliance.",
        {("orange", "ai_ran_alliance", "join", False)},
    ),
    (
        "Telstra left the NGMN Alliance, whose members include Vodafone.",
        {("telstra", "ngmn", "leave", False)},
    ),
    ("The AI-RAN Alliance said Telstra joined.", {("telstra", "ai_ran_alliance", "join", False)}),
]


@pytest.mark.parametrize(("text", "expected"), AGENTS, ids=[e[0][:30] for e in AGENTS])
def test_candidates_are_the_verbs_agent(
    tagger: Tagger, gazetteer: Gazetteer, text: str, expected: set[tuple[str, str, str, bool]]
) -> None:
    events = find_membership_events(tagger.tag("a1", None, text), gazetteer)
    assert {(e.company_id, e.alliance_id, e.event, e.known_member) for e in events} == expected


def test_known_members_in_context_do_not_reach_the_alert_rule(
    tagger: Tagger, gazetteer: Gazetteer
) -> None:
    """The alert rule keeps joins by non-members (``known_member`` False); the founders listed
    around a newcomer are not candidates at all, so no "SK Telecom joins GTAA" can slip through
    even if the gazetteer's member list were incomplete."""
    text = "SK텔레콤, 도이치텔레콤, e&, 싱텔이 참여한 GTAA에 KT가 새로 가입했다."
    events = find_membership_events(tagger.tag("a1", None, text), gazetteer)
    assert [(e.company_id, e.known_member) for e in events] == [("kt", False)]
    assert "kt" not in gazetteer.alliance_members("gtaa")
    assert {"sk_telecom", "singtel"} <= set(gazetteer.alliance_members("gtaa"))


def test_collective_members_become_candidates(tagger: Tagger, gazetteer: Gazetteer) -> None:
    mentions = tagger.tag("a1", None, "통신 3사가 AI 네트워크 얼라이언스에 참여한다.")
    events = find_membership_events(mentions, gazetteer)
    assert sorted(e.company_id for e in events) == ["kt", "lg_uplus", "sk_telecom"]
    assert all(e.collective and e.alliance_id == "aina" for e in events)


def test_one_candidate_per_pair_and_sentence(tagger: Tagger, gazetteer: Gazetteer) -> None:
    title = "SKT, AI-RAN 얼라이언스 가입"
    body = "SK텔레콤은 AI-RAN 얼라이언스에 가입했다. SKT는 AI-RAN 얼라이언스 이사회에도 참여한다."
    events = find_membership_events(tagger.tag("a1", title, body), gazetteer)
    keys = sorted((e.field, e.sentence_index) for e in events)
    assert keys == [("body", 0), ("body", 1), ("title", 0)]


def test_mentions_without_sentence_index_group_by_sentence(gazetteer: Gazetteer) -> None:
    sentence = "Vodafone joined the AI-RAN Alliance."
    mentions = [
        Mention("a", "vodafone", "Vodafone", "body", 0, 8, sentence, False, True),
        Mention("a", "ai_ran_alliance", "AI-RAN Alliance", "body", 20, 35, sentence, False, True),
    ]
    (event,) = find_membership_events(mentions, gazetteer)
    assert (event.company_id, event.sentence_index) == ("vodafone", -1)


WEEK = datetime(2026, 11, 23, 3, tzinfo=UTC)  # a Monday, 12:00 in Seoul


def _article(article_id: str, body: str, published: datetime) -> Article:
    return Article(
        article_id=article_id,
        url=f"https://news.example/{article_id}",
        url_key=f"news.example/{article_id}",
        canonical_url=None,
        source_name="src",
        title=None,
        body=body,
        lead=None,
        lang="ko",
        published_at=published,
        date_source="feed",
        author=None,
        site_name=None,
        fetched_at=published,
        quality="ok",
        content_hash=article_id,
    )


def test_relations_and_co_mentions_in_duckdb(
    tmp_path: Path, tagger: Tagger, gazetteer: Gazetteer
) -> None:
    press = "소프트뱅크가 GTAA에 합류했다. 싱텔도 참석했다.\n통신 3사도 주목했다."
    articles = [
        _article("a1", press, WEEK),
        _article("a2", press, WEEK + timedelta(hours=2)),  # a syndicated copy, same story
        _article("b1", "싱텔과 소프트뱅크가 GTAA 총회에 참석했다.", WEEK + timedelta(days=7)),
    ]
    assignments = [
        StoryAssignment("a1", "s1", "original", 1.0),
        StoryAssignment("a2", "s1", "exact", 1.0, "a1"),
        StoryAssignment("b1", "s2", "original", 1.0),
    ]
    mentions = [m for a in articles for m in tagger.tag(a.article_id, a.title, a.body)]
    relations = find_membership_events(mentions, gazetteer)
    batch = loading.Batch(
        run_id="r1",
        articles=articles,
        assignments=assignments,
        mentions=mentions,
        relations=relations,
    )
    with open_writer(tmp_path / "r.duckdb") as con:
        first = loading.write_batch(con, batch)
        again = loading.write_batch(con, batch)
        assert first["relations"] == 2 and again["relations"] == 0
        stored = con.execute(
            "SELECT article_id, company_id, alliance_id, event, sentence_index, known_member"
            " FROM relation_candidates ORDER BY article_id"
        ).fetchall()
        assert stored == [
            ("a1", "softbank_corp", "gtaa", "join", 0, True),
            ("a2", "softbank_corp", "gtaa", "join", 0, True),
        ]
        indexes = con.execute(
            "SELECT DISTINCT sentence_index FROM mentions WHERE article_id = 'a1' ORDER BY 1"
        ).fetchall()
        assert indexes == [(0,), (1,), (2,)]
        flags = con.execute("SELECT count(*), count(ambiguous) FROM mentions").fetchall()
        assert flags[0][0] == flags[0][1] > 0
        rows = con.execute(
            "SELECT CAST(week_kst AS VARCHAR), entity_a, entity_b, n_sentences, n_stories,"
            " example_sentence FROM co_mentions ORDER BY 1, 2, 3"
        ).fetchall()
    by_pair = {(r[0], r[1], r[2]): r[3:] for r in rows}
    first_week, next_week = "2026-11-23", "2026-11-30"
    assert by_pair[(first_week, "gtaa", "softbank_corp")] == (
        1,
        1,
        "소프트뱅크가 GTAA에 합류했다.",
    )
    assert by_pair[(first_week, "gtaa", "singtel")] == (0, 1, None)
    assert by_pair[(first_week, "kt", "singtel")] == (0, 1, None)
    assert (first_week, "kt", "sk_telecom") not in by_pair  # one collective term is no pairing
    assert by_pair[(next_week, "gtaa", "singtel")][:2] == (1, 1)
    assert by_pair[(next_week, "singtel", "softbank_corp")][:2] == (1, 1)
    assert all(a < b for _, a, b in by_pair)
