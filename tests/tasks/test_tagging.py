"""The tagger against the traps of Korean and English telecom news, as tables.

Texts are written for these tests. One Tagger serves the session; Kiwi is built at most once per
process, only by the tests whose text needs it.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.gazetteer import Gazetteer, build_gazetteer, load_gazetteer
from tasks.models import Article, Mention
from tasks.tagging import MAX_SENTENCE, Tagger, normalize_text, tag_articles


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="session")
def tagger(gazetteer: Gazetteer) -> Tagger:
    return Tagger(gazetteer)


def ids(mentions: list[Mention]) -> set[str]:
    return {m.entity_id for m in mentions}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e&amp;amp;", "e&"),
        ("e&amp;", "e&"),
        ("e＆", "e&"),
        ("AT&amp;T", "AT&T"),
        ("AT＆T", "AT&T"),
        ("&lt;b&gt;", "<b>"),
        ("‘SK텔레콤’이 “발표”", "'SK텔레콤'이 \"발표\""),
        ("a  \t b\n\n  c ", "a b\n\nc"),
        ("x\r\ny\rz", "x\ny\nz"),
        ("SK\u200b텔레콤", "SK텔레콤"),
        ("non\u00a0breaking", "non breaking"),
        ("ＳＫＴ", "SKT"),
        ("SKTㆍKT", "SKT·KT"),
        ("㈜LG", "(주)LG"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected


# (body, entities that must be found, entities that must not be)
MUST = [
    ("SK텔레콤은 20일 발표했다.", {"sk_telecom"}, set()),
    ("도이치텔레콤·e&·싱텔이 참여했다.", {"deutsche_telekom", "e_and", "singtel"}, set()),
    ("e&amp;amp;는 UAE 통신사다.", {"e_and"}, set()),
    ("e＆과 협력한다.", {"e_and"}, set()),
    ("KTX를 타고 부산에 갔다.", set(), {"kt"}),
    ("SKT가 발표했다.", {"sk_telecom"}, {"kt"}),
    ("KT&G 주가가 올랐다.", set(), {"kt"}),
    ("KT가 발표했다.", {"kt"}, set()),
    ("LG유플러스가 발표했다.", {"lg_uplus"}, set()),
    ("LGU+는 요금제를 내놨다.", {"lg_uplus"}, set()),
    ("LG U+ launched it.", {"lg_uplus"}, set()),
    ("LG전자가 TV를 출시했다.", {"lg_electronics"}, {"lg_uplus"}),
    ("대우이앤씨가 아파트를 수주했다.", set(), {"e_and"}),
    ("메타버스 플랫폼이 인기다. AI도 쓴다.", set(), {"meta"}),
    ("오렌지 주스를 마셨다.", set(), {"orange"}),
    ("I drank orange juice.", set(), {"orange"}),
    ("프랑스 오렌지는 유럽의 대형 통신사다.", {"orange"}, set()),
    ("AWS Lambda runs code.", {"amazon_aws"}, {"lambda"}),
    ("글로벌 텔코 AI 얼라이언스(GTAA)가 출범했다.", {"gtaa"}, set()),
    ("AI-RAN 얼라이언스에 가입했다.", {"ai_ran_alliance"}, {"ai_ran"}),
    ("AI랜 얼라이언스 의장사가 됐다.", {"ai_ran_alliance"}, {"ai_ran"}),
    ("AI-RAN 기술을 개발한다.", {"ai_ran"}, {"ai_ran_alliance"}),
    ("O-RAN 얼라이언스 회원사다.", {"o_ran_alliance"}, {"open_ran"}),
    ("오픈랜 장비를 도입했다.", {"open_ran"}, {"o_ran_alliance", "oria"}),
    ("통신 3사가 일제히 발표했다.", {"sk_telecom", "kt", "lg_uplus"}, set()),
    ("TM포럼이 주최했다.", {"tm_forum"}, set()),
    ("SKT attended DTW Ignite in Copenhagen.", {"tm_forum", "sk_telecom"}, set()),
    ("Deutsche Telekom (DT) said so.", {"deutsche_telekom"}, set()),
    ("DT 기자가 보도했다. 디지털타임스 단독 보도다.", set(), {"deutsche_telekom"}),
    ("SKT와의 협력을 강화한다.", {"sk_telecom"}, set()),
    ("SK텔레콤(017670)이 상승했다.", {"sk_telecom"}, set()),
    ("SKT(대표 유영상)는 밝혔다.", {"sk_telecom"}, set()),
    ("‘SK텔레콤’이 선정됐다.", {"sk_telecom"}, set()),
    ("Singtel's CEO spoke.", {"singtel"}, set()),
    ("KT wiz won the game.", set(), {"kt"}),
    ("KT위즈가 이겼다.", set(), {"kt"}),
    ("소프트뱅크그룹 손정의 회장이 말했다.", {"softbank_group"}, {"softbank_corp"}),
    ("SoftBank Vision Fund invested.", {"softbank_group"}, {"softbank_corp"}),
    ("SoftBank Corp. joined the alliance.", {"softbank_corp"}, {"softbank_group"}),
    ("소프트뱅크가 GTAA에 합류한 통신사다.", {"softbank_corp", "gtaa"}, {"softbank_group"}),
    ("소프트뱅크가 스타트업에 투자했다.", set(), {"softbank_corp"}),
    ("SK E&S and Samsung E&A signed.", set(), {"e_and"}),
    ("Singtel and E& signed a deal.", {"e_and", "singtel"}, set()),
    ("SK이앤에스와 삼성이앤에이가 참여했다.", set(), {"e_and"}),
    ("이앤(e&)그룹이 발표했다.", {"e_and"}, set()),
    ("에티살랏이 이름을 바꿨다.", {"e_and"}, set()),
    ("Ericsson-LG supplies gear.", {"ericsson_lg"}, {"ericsson"}),
    ("에릭슨LG가 장비를 공급했다.", {"ericsson_lg"}, {"ericsson"}),
    ("T-Mobile Austria raised prices.", set(), {"t_mobile_us"}),
    ("T-Mobile US raised prices.", {"t_mobile_us"}, set()),
    ("Vodafone Idea raised funds.", set(), {"vodafone"}),
    ("샌프란시스코에 사무실을 열었다.", set(), {"cisco"}),
    ("달라이 라마가 방문했다. AI 시대다.", set(), {"meta"}),
    ("Claude Monet painted it. AI art.", set(), {"anthropic"}),
    ("Greater Toronto Airports Authority (GTAA) runs Pearson.", set(), {"gtaa"}),
    ("GTAA 회원 통신사들이 모였다.", {"gtaa"}, set()),
    ("AT&amp;T and AT＆T are one.", {"at_t"}, set()),
    ("The 6GHz band opened.", set(), {"six_g"}),
    ("6G 기술을 시연했다.", {"six_g"}, set()),
    ("6G포럼 의장사다.", {"six_g_forum"}, {"six_g"}),
    ("3GPP2 was separate from 3GPP.", {"three_gpp"}, set()),
    ("3GPP2 specification.", set(), {"three_gpp"}),
    ("KT클라우드가 출범했다.", {"kt_cloud"}, {"kt"}),
    ("The AI ran the whole show.", set(), {"ai_ran"}),
    ("아마존 열대우림이 줄었다. AI 위성으로 본다.", set(), {"amazon_aws"}),
    ("람다 함수를 작성했다. GPU 서버다.", set(), {"lambda"}),
    ("람다가 GPU 클라우드 사업을 키운다.", {"lambda"}, set()),
    ("The perplexity of the model fell.", set(), {"perplexity"}),
    ("Perplexity AI raised funding.", {"perplexity"}, set()),
    ("MS가 목표가를 올렸다. 모건스탠리 보고서다.", set(), {"microsoft"}),
    ("마이크로소프트(MS)는 발표했다.", {"microsoft"}, set()),
    ("TIPS 프로그램에 선정됐다. 팁을 줬다.", set(), {"telecom_infra_project"}),
    ("NTT Data won a contract.", set(), {"ntt"}),
    ("NTT도코모가 발표했다.", {"ntt_docomo"}, set()),
    ("네이버밴드로 공유하기", set(), {"naver"}),
    ("네이버가 하이퍼클로바X를 공개했다.", {"naver"}, set()),
    ("Meta released Llama. AI race.", {"meta"}, set()),
    ("The meta discussion went on.", set(), {"meta"}),
    ("Orange launched 5G in France.", {"orange"}, set()),
    (
        "텔코 LLM과 AI 데이터센터, AI 개인비서를 내세웠다.",
        {"telco_llm", "ai_data_center", "ai_personal_assistant"},
        set(),
    ),
    ("AI데이터센터(AIDC)를 짓는다.", {"ai_data_center"}, set()),
    ("SKT가 LCK 결승에서 T1으로 우승했다.", set(), {"sk_telecom"}),
    ("SK텔레콤 오픈 골프 대회가 열렸다.", set(), {"sk_telecom"}),
    ("KT스카이라이프가 발표했다.", set(), {"kt"}),
    ("KT스포츠는 프로농구단을 운영한다.", set(), {"kt"}),
    ("카카오뱅크가 금리를 내렸다.", set(), {"kakao"}),
    ("구글링으로 찾아봤다. AI 시대다.", set(), {"google"}),
    ("구글코리아가 발표했다.", {"google"}, set()),
    ("Deutsche Telekom's CEO spoke.", {"deutsche_telekom"}, set()),
    ("Deutsche Telekom’s CEO spoke.", {"deutsche_telekom"}, set()),
    ("KT's network and SKT’s shares.", {"kt", "sk_telecom"}, set()),
    ("Operators build telco LLMs.", {"telco_llm"}, set()),
    ("The wind reached 40 kt.", set(), {"kt"}),
    ("DEUTSCHE TELEKOM RAISES FORECAST", {"deutsche_telekom"}, set()),
    ("Meta said the deal closed.", set(), {"meta"}),  # no "ai" context inside "said"
    ("Meta said its AI lab grew.", {"meta"}, set()),
]


@pytest.mark.parametrize(("body", "must", "must_not"), MUST, ids=[m[0][:30] for m in MUST])
def test_must_get_right(tagger: Tagger, body: str, must: set[str], must_not: set[str]) -> None:
    found = ids(tagger.tag("a1", None, body))
    assert must <= found, f"missing {must - found} in {found}"
    assert not (must_not & found), f"unexpected {must_not & found}"


def test_collective_mentions(tagger: Tagger) -> None:
    mentions = tagger.tag("a1", None, "통신 3사가 일제히 요금을 내렸다.")
    assert sorted(m.entity_id for m in mentions) == ["kt", "lg_uplus", "sk_telecom"]
    assert all(m.collective and m.surface == "통신 3사" and m.start == 0 for m in mentions)


def test_collective_with_named_members(tagger: Tagger) -> None:
    body = "국내 통신 3사(SK텔레콤·KT·LG유플러스)가 참여했다."
    mentions = tagger.tag("a1", None, body)
    collective = [m for m in mentions if m.collective]
    named = [m for m in mentions if not m.collective]
    assert {m.surface for m in collective} == {"국내 통신 3사"}
    assert sorted(m.entity_id for m in named) == ["kt", "lg_uplus", "sk_telecom"]


@pytest.mark.parametrize(
    ("body", "surfaces"),
    [
        ("글로벌 텔코 AI 얼라이언스(GTAA)", ["글로벌 텔코 AI 얼라이언스", "GTAA"]),
        ("글로벌텔코AI얼라이언스 총회", ["글로벌텔코AI얼라이언스"]),
        ("e&amp;amp;는", ["e&"]),
        ("AWS Lambda", ["AWS Lambda"]),
        ("SoftBank Group and SoftBank Corp.", ["SoftBank Group", "SoftBank Corp."]),
    ],
)
def test_surfaces_are_leftmost_longest(tagger: Tagger, body: str, surfaces: list[str]) -> None:
    mentions = sorted(tagger.tag("a1", None, body), key=lambda m: m.start)
    assert [m.surface for m in mentions] == surfaces


def test_offsets_point_into_normalized_text(tagger: Tagger) -> None:
    title = "SKT·e&amp;amp; 협력"
    body = (
        "첫 문단에 SK텔레콤이 나온다.\n\n  둘째 문단의   e＆과 싱텔.\n"
        "셋째 줄에 ‘도이치텔레콤’이 있다."
    )
    mentions = tagger.tag("a1", title, body)
    texts = {"title": normalize_text(title), "body": normalize_text(body)}
    assert mentions
    for m in mentions:
        assert texts[m.field][m.start : m.end] == m.surface
        assert m.surface in m.sentence
        assert "\n" not in m.sentence
        assert len(m.sentence) <= MAX_SENTENCE


def test_title_lead_and_sentence(tagger: Tagger) -> None:
    title = "SKT, GTAA 합작법인 설립"
    body = "SK텔레콤은 20일 싱텔과 손잡았다. 다른 문장이다.\n두 번째 문단에서 싱텔이 또 나온다."
    mentions = tagger.tag("a1", title, body)
    in_title = [m for m in mentions if m.field == "title"]
    assert {m.entity_id for m in in_title} == {"sk_telecom", "gtaa"}
    assert all(m.in_title and not m.in_lead and m.sentence == title for m in in_title)
    singtel = sorted((m for m in mentions if m.entity_id == "singtel"), key=lambda m: m.start)
    assert [m.in_lead for m in singtel] == [True, False]
    assert singtel[0].sentence == "SK텔레콤은 20일 싱텔과 손잡았다."
    assert singtel[1].sentence == "두 번째 문단에서 싱텔이 또 나온다."


def test_lead_marks_its_span_and_counts_as_context(tagger: Tagger) -> None:
    body = "서문.\n오렌지는 확장을 발표했다."
    assert "orange" not in ids(tagger.tag("a1", None, body))
    lead = "오렌지는 확장을 발표했다."
    mentions = tagger.tag("a1", None, body, lead="프랑스 통신사 소식. " + lead)
    assert "orange" in ids(mentions)
    mentions = tagger.tag("a1", None, body, lead=lead + " 통신사")
    assert [m.in_lead for m in mentions if m.entity_id == "orange"] == [False]
    mentions = tagger.tag("a1", None, "통신 소식.\n" + lead, lead=lead)
    assert [m.in_lead for m in mentions if m.entity_id == "orange"] == [True]


def test_long_sentence_is_windowed(tagger: Tagger) -> None:
    body = "가나다 " * 200 + "SK텔레콤이 " + "라마바 " * 200
    (m,) = tagger.tag("a1", None, body)
    assert len(m.sentence) <= MAX_SENTENCE and "SK텔레콤" in m.sentence


def test_at_most_one_mention_per_entity_field_start(tagger: Tagger) -> None:
    body = "VodafoneThree and Vodafone. SKT SKT SK텔레콤 SK 텔레콤. 통신 3사. 이통3사"
    mentions = tagger.tag("a1", "SKT SKT", body)
    keys = [(m.article_id, m.entity_id, m.field, m.start) for m in mentions]
    assert len(keys) == len(set(keys))
    shared = {m.entity_id for m in mentions if m.surface == "VodafoneThree"}
    assert shared == {"vodafone", "three_uk"}


@pytest.mark.parametrize(
    ("body", "present"),
    [
        ("DT가 발표했다. 도이치텔레콤이 말했다.", True),
        ("DT가 발표했다.", False),
        ("DT와 T모바일, 그리고 Deutsche Telekom.", True),
    ],
)
def test_own_name_satisfies_context(tagger: Tagger, body: str, present: bool) -> None:
    dt = [m for m in tagger.tag("a1", None, body) if m.surface == "DT"]
    assert bool(dt) is present


def test_context_may_come_from_the_title(tagger: Tagger) -> None:
    assert "orange" in ids(tagger.tag("a1", "유럽 통신사 동향", "오렌지가 투자를 늘렸다."))


def test_tag_articles(tagger: Tagger) -> None:
    now = datetime(2024, 6, 18, tzinfo=UTC)

    def article(article_id: str, title: str, body: str) -> Article:
        return Article(
            article_id=article_id,
            url=f"https://example.test/{article_id}",
            url_key=f"example.test/{article_id}",
            canonical_url=None,
            source_name="test",
            title=title,
            body=body,
            lead=None,
            lang="ko",
            published_at=now,
            date_source=None,
            author=None,
            site_name=None,
            fetched_at=now,
            quality="ok",
            content_hash=article_id,
        )

    mentions = tag_articles(
        [article("a", "SKT 소식", "싱텔과 협력"), article("b", "날씨", "맑음")], tagger
    )
    assert {(m.article_id, m.entity_id) for m in mentions} == {
        ("a", "sk_telecom"),
        ("a", "singtel"),
    }


def test_empty_and_blank_inputs(tagger: Tagger) -> None:
    assert tagger.tag("a1", None, "") == []
    assert tagger.tag("a1", "", "   \n ") == []


def test_plain_articles_never_need_kiwi(tagger: Tagger) -> None:
    before = (tagger.stats.kiwi_tokenizations, tagger.stats.deferred)
    for body, _, _ in MUST[:30]:
        tagger.tag("a1", None, body)
    assert (tagger.stats.kiwi_tokenizations, tagger.stats.deferred) == before


def test_kiwi_is_not_built_by_ordinary_articles() -> None:
    code = (
        "from tasks.gazetteer import load_gazetteer\n"
        "from tasks.tagging import Tagger, kiwi_loaded\n"
        "t = Tagger(load_gazetteer())\n"
        "assert t.tag('a', 'SKT·KT', 'SK텔레콤은 e&과 싱텔, KTX와 KT&G, 대우이앤씨.')\n"
        "assert not kiwi_loaded()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_pickled_tagger_tags_the_same(tagger: Tagger) -> None:
    clone = pickle.loads(pickle.dumps(tagger))
    body = "도이치텔레콤·e&·싱텔과 SKT"
    assert clone.tag("a1", None, body) == tagger.tag("a1", None, body)


KIWI_CASES = [
    ("SK텔레콤측은 말을 아꼈다.", {"sk_telecom"}),
    ("독일도이치텔레콤이 참여했다.", {"deutsche_telekom"}),
    ("KT가입자가 늘었다.", {"kt"}),
    ("싱텔그룹과 손잡았다.", {"singtel"}),
]


@pytest.mark.parametrize(("body", "expected"), KIWI_CASES, ids=[k[0] for k in KIWI_CASES])
def test_deferred_cases_go_to_kiwi(tagger: Tagger, body: str, expected: set[str]) -> None:
    before = tagger.stats.deferred
    found = ids(tagger.tag("a1", None, body))
    assert tagger.stats.deferred > before
    assert found == expected


@pytest.mark.parametrize(("body", "expected"), KIWI_CASES[:3], ids=[k[0] for k in KIWI_CASES[:3]])
def test_without_kiwi_deferred_cases_are_rejected(
    gazetteer: Gazetteer, body: str, expected: set[str]
) -> None:
    assert ids(Tagger(gazetteer, use_kiwi=False).tag("a1", None, body)) == set()


def test_kiwi_rejects_a_word_that_merely_starts_with_a_name() -> None:
    """Without the data's exclusions, Kiwi alone must still refuse 메타버스 and 샌프란시스코."""
    gaz = build_gazetteer(
        {
            "korean": {"particles": ["은", "는", "이", "가", "에서"]},
            "entity": [
                {"id": "meta", "kind": "company", "name_en": "Meta", "aliases_ko": ["메타"]},
                {"id": "cisco", "kind": "company", "name_en": "Cisco", "aliases_ko": ["시스코"]},
            ],
        }
    )
    tagger = Tagger(gaz)
    assert ids(tagger.tag("a", None, "메타가 발표했다.")) == {"meta"}
    assert ids(tagger.tag("a", None, "메타버스에서 만났다.")) == set()
    assert ids(tagger.tag("a", None, "샌프란시스코에 갔다.")) == set()
    assert ids(tagger.tag("a", None, "시스코는 발표했다.")) == {"cisco"}


GOLD = Path(__file__).parent / "fixtures" / "gold_mentions.tsv"


def load_gold() -> list[tuple[str, frozenset[str], str]]:
    """(lang, entity ids, sentence) rows of the gold set; ``-`` marks a sentence with none."""
    rows = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("lang\t"):
            continue
        lang, entities, sentence = line.split("\t")
        rows.append(
            (lang, frozenset() if entities == "-" else frozenset(entities.split(",")), sentence)
        )
    return rows


def test_gold_set_is_big_enough_and_well_formed(gazetteer: Gazetteer) -> None:
    rows = load_gold()
    counts = {lang: sum(1 for r in rows if r[0] == lang) for lang in ("ko", "en")}
    assert counts["ko"] >= 150 and counts["en"] >= 100
    assert len({r[2] for r in rows}) == len(rows), "duplicate sentences"
    unknown = {e for _, ents, _ in rows for e in ents} - {e.id for e in gazetteer}
    assert not unknown


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_gold_set_precision_and_recall(tagger: Tagger, lang: str) -> None:
    tp = fp = fn = 0
    errors = []
    for row_lang, gold, sentence in load_gold():
        if row_lang != lang:
            continue
        found = ids(tagger.tag("gold", None, sentence))
        tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
        if found != gold:
            errors.append(f"{sentence} +{sorted(found - gold)} -{sorted(gold - found)}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.97 and recall >= 0.95, (precision, recall, errors)


@pytest.mark.parametrize(
    ("body", "surface", "ambiguous"),
    [
        ("프랑스 통신사 오렌지는 확장을 발표했다.", "오렌지", True),
        ("도이치텔레콤(DT)이 발표했다.", "DT", True),
        ("SK텔레콤측은 말을 아꼈다.", "SK텔레콤", True),
        ("SK텔레콤은 말을 아꼈다.", "SK텔레콤", False),
        ("통신 3사가 발표했다.", "통신 3사", False),
    ],
)
def test_ambiguous_flag(tagger: Tagger, body: str, surface: str, ambiguous: bool) -> None:
    flags = {m.ambiguous for m in tagger.tag("a1", None, body) if m.surface == surface}
    assert flags == {ambiguous}


@pytest.mark.parametrize(
    ("body", "indexes"),
    [
        ("SK텔레콤은 싱텔과 손잡았다. KT도 참여했다.\n\n둘째 줄에 싱텔.", [0, 0, 1, 2]),
        ("SoftBank Corp. joined GTAA with Singtel. AT&T Inc. did not.", [0, 0, 0, 1]),
        ("KT가 말했다! e&도? 싱텔…", [0, 1, 2]),
    ],
)
def test_sentence_index(tagger: Tagger, body: str, indexes: list[int]) -> None:
    mentions = sorted(tagger.tag("a1", None, body), key=lambda m: m.start)
    assert [m.sentence_index for m in mentions] == indexes
    same = {m.sentence_index: m.sentence for m in mentions}
    assert all(m.sentence == same[m.sentence_index] for m in mentions)


def _reference_normalize(s: str) -> str:
    """normalize_text as a plain chain of regex passes: the specification the fast path keeps."""
    import html
    import re
    import unicodedata

    text = s
    for _ in range(8):
        decoded = unicodedata.normalize("NFKC", html.unescape(text))
        if decoded == text:
            break
        text = decoded
    table = {
        **dict.fromkeys("‘’‚‛′`", "'"),
        **dict.fromkeys("“”„‟″", '"'),
        **dict.fromkeys("ㆍᆞ‧∙•", "·"),
        **dict.fromkeys("\u2028\u2029\x85\r", "\n"),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
    }
    text = re.sub("\r\n|[" + re.escape("".join(table)) + "]", lambda m: table.get(m[0], "\n"), text)
    text = re.sub(r"[^\S\n]+", " ", text)
    return re.sub(r" ?\n ?", "\n", text).strip(" ")


_PIECES = [
    "a", "KT", " ", "  ", "\n", " \n ", "\t", "\r\n", "\r", "\xa0", "\u3000", "가", "&amp;",
    "&amp;amp;", "&#39;", "e＆", "‘", "’", "“", "•", "ㆍ", "\u2028", "\x85", "\u200b", "\u00ad",
    "`", "…", "ﬁ", "e\u0301", "\u0301", "\u1100", "\u1161", "<\u0338", "\u09c7\u09be", "か\u3099",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_normalize_text_matches_its_reference(seed: int) -> None:
    """The fast path (memchr tests, per-line NFKC, numpy pair check) changes no result, on short
    strings and on article-length ones (the numpy branch starts at 2048 characters)."""
    import random

    rng = random.Random(seed)
    for n in range(1500):
        size = rng.randint(0, 12) if n % 50 else rng.randint(300, 700)
        raw = "".join(rng.choice(_PIECES) for _ in range(size))
        assert normalize_text(raw) == _reference_normalize(raw), raw


_WORDS = ["The", "telecom", "KT", "said.", "Verizon's", "5G", "a", "(AT&T)", "U.S.", "e", "<"]


@pytest.mark.parametrize("seed", range(3))
def test_normalize_text_matches_its_reference_on_mostly_ascii_text(seed: int) -> None:
    """English news has few non-ASCII characters: NFKC is then decided per distinct character
    and run only on the lines holding a suspect one (a combining mark after an ASCII letter, a
    composing vowel sign, a compatibility form), which must change no result either."""
    import random

    rng = random.Random(seed)
    for n in range(400):
        size = rng.randint(20, 80) if n % 10 else rng.randint(600, 900)
        raw = "".join(
            rng.choice(_PIECES) if rng.random() < 0.03 else rng.choice(_WORDS) + " "
            for _ in range(size)
        )
        assert normalize_text(raw) == _reference_normalize(raw), raw


def _reference_sentence_starts(text: str, upto: int | None = None) -> list[int]:
    """sentence_starts as a loop over lines plus a filtered scan: the specification."""
    import re

    from tasks.tagging import _SENTENCE_END

    inline = re.compile(_SENTENCE_END.pattern[: -len(r"\s+")] + r"[^\S\n]+")
    stop = len(text) if upto is None else text.find("\n", upto)
    stop = len(text) if stop < 0 else stop
    starts: list[int] = []
    pos = 0
    while pos <= stop:
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        if text[pos:line_end].strip():
            starts.append(pos)
        pos = line_end + 1
    starts.extend(
        m.end() for m in inline.finditer(text, 0, stop) if m.end() < stop and text[m.end()] != "\n"
    )
    return sorted(starts)


def test_sentence_starts_matches_its_reference() -> None:
    import random

    from tasks.tagging import sentence_starts

    pieces = ["Corp.", "A.", "KT", "said", ". ", "! ", "?", "\n", "\n\n", " ", "  ", "\t", "'", ")"]
    pieces += ["。", "…", "\u3000", "\xa0", " \n", "x. \n", "1.5"]
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        upto = rng.randint(0, len(text)) if text else None
        assert sentence_starts(text) == _reference_sentence_starts(text), text
        assert sentence_starts(text, upto) == _reference_sentence_starts(text, upto), text


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("KT와 SKT, KTX, KT&G", {"KT", "SKT"}),
        ("(KT) KT. 'KT' KT", {"KT"}),
        ("케이티KT는", {"케이티", "KT"}),
        ("éKT and 3KT and _KT", {"KT"}),
        ("Deutsche Telekom's unit, DEUTSCHE TELEKOM", {"Deutsche Telekom", "DEUTSCHE TELEKOM"}),
    ],
)
def test_word_mapped_scan_keeps_the_left_boundary(
    tagger: Tagger, body: str, found: set[str]
) -> None:
    """ASCII-first aliases run over a word map of the text: they start only after a character
    that is not a letter, digit or "&" (Hangul counts as such), as the boundary rule says."""
    mentions = tagger.tag("a", None, body)
    assert {m.surface for m in mentions} == found
    assert all(body[m.start : m.end] == m.surface for m in mentions)
    starts = {m.start for m in mentions if m.surface == "KT"}
    assert all(s == 0 or not body[s - 1].isascii() or not body[s - 1].isalnum() for s in starts)


def test_context_terms_come_from_the_same_pass(tagger: Tagger) -> None:
    """Orange needs telecom context; the context term may sit anywhere, also before the name,
    and must be a whole word (no "ran" in "Orange" or "grand")."""
    assert {m.entity_id for m in tagger.tag("a", None, "The grand Orange juice")} == set()
    with_context = tagger.tag("a", None, "Its mobile network is run by Orange.")
    assert {m.entity_id for m in with_context} == {"orange"}


def test_sentence_starts_up_to_an_offset_is_a_prefix() -> None:
    from tasks.tagging import sentence_starts

    text = "Corp. A. One. Two! Three?\n\nFour. Five\nSix. Seven."
    full = sentence_starts(text)
    assert full == [0, 14, 19, 27, 33, 38, 43]  # no split after "Corp." or an initial
    for upto in range(len(text)):
        part = sentence_starts(text, upto)
        assert [s for s in part if s <= upto] == [s for s in full if s <= upto]


_SCAN_KEYS = (
    "kt",
    "skt",
    "kt&g",
    "at&t",
    "t-mobile",
    "e&",
    "5g",
    "sk텔레콤",
    "케이티",
    ".net",
    "k",
)
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789&"


def _reference_scan(text: str, hangul_keys: bool) -> list[tuple[int, str]]:
    """(last index, key) of every key in ``text`` ignoring case, by end then longest first: the
    combined pass; without Hangul keys in reach, keys starting with a word character only where
    none precedes them (the word-mapped pass)."""
    low = text.lower()
    hits = []
    for key in _SCAN_KEYS:
        for start in range(len(text) - len(key) + 1):
            if low[start : start + len(key)] != key:
                continue
            before = low[start - 1] if start else " "
            if not hangul_keys and key[0] in _WORD_CHARS and before in _WORD_CHARS:
                continue
            hits.append((start + len(key) - 1, key))
    return sorted(hits, key=lambda h: (h[0], -len(h[1])))


@pytest.mark.parametrize("seed", range(4))
def test_split_automaton_matches_a_brute_force_scan(seed: int) -> None:
    """Both passes of the ahocorasick_rs scan report what a brute-force search reports, in
    pyahocorasick's order; text that the Rust automaton cannot take (a lone surrogate) falls back
    to pyahocorasick with the same result."""
    import random

    from tasks.tagging import _SplitAutomaton

    automaton = _SplitAutomaton(((k, k) for k in _SCAN_KEYS), _WORD_CHARS)
    rng = random.Random(seed)
    pieces = [*_SCAN_KEYS, "KT", "SKT", "AT&T", "T-Mobile", " ", "  ", "-", ".", "x", "é", "\n"]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.1:
            text += "\ud800케이티" if rng.random() < 0.5 else "\ud800 kt"
        hangul = any("\uac00" <= c <= "\ud7a3" for c in text)
        assert list(automaton.iter(text)) == _reference_scan(text, hangul), text
    assert automaton._all_fallback is not None  # the surrogate case was met
