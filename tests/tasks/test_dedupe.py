"""Dedupe on synthetic Korean and English telecom texts written for these tests."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from tasks import dedupe as dd
from tasks.dedupe import (
    MIN_NEAR_CHARS,
    NEAR_THRESHOLD,
    NUM_PERM,
    StoredDoc,
    assign_stories,
    content_hash,
    dedupe,
    jaccard,
    normalize_for_hash,
    shingles,
    signature,
)
from tasks.models import Article, StoryAssignment

KO_RELEASE = (
    "SK텔레콤은 경기도 판교에 200메가와트(MW) 규모의 인공지능(AI) 데이터센터를 구축한다고 18일 "
    "밝혔다. 총 투자액은 3조2000억원으로, 2027년 상반기 가동을 목표로 한다.\n\n"
    "이 데이터센터에는 최신 GPU 4만장이 들어가며, 액체 냉각 방식을 적용해 전력효율지수(PUE)를 "
    "1.2 이하로 낮출 계획이다.\n\n"
    '김민수 SK텔레콤 AI인프라사업부장은 "AI 데이터센터는 통신사가 AI 시대에 가장 잘할 수 있는 '
    '사업"이라며 "국내 AI 생태계의 인프라 허브가 되겠다"고 말했다.\n\n'
    "SK텔레콤은 이번 데이터센터를 글로벌 텔코 AI 얼라이언스(GTAA) 회원사들과 공동으로 활용하는 "
    "방안도 검토하고 있다. 회사는 2030년까지 AI 인프라 매출을 연 5조원 규모로 키운다는 목표를 "
    "세웠다."
)
# The same release as a portal renders it: other line breaks, full-width and curly punctuation,
# a zero-width space, doubled spaces.
KO_PORTAL_COPY = (
    "SK텔레콤은  경기도 판교에 200메가와트（MW） 규모의 인공지능（AI） 데이터센터를 "
    "구축한다고 18일 밝혔다 . 총 투자액은 3조2000억원으로 , 2027년 상반기 가동을 "
    "목표로 한다 .\n"
    "이 데이터센터에는 최신 GPU 4만장이 들어가며,\n액체 냉각 방식을 적용해 전력효율지수(PUE)를 "
    "1.2 이하로 낮출 계획이다.\n"
    "김민수 SK텔레콤 AI인프라사업부장은 “AI 데이터센터는 통신사가 AI 시대에 가장 잘할 수 있는 "
    "사업”이라며 “국내 AI 생태계의 인프라 허브가 되겠다”고 말했다.\n"
    "SK텔레콤은 이번 데이터센터를 글로벌 텔코 AI 얼라이언스(GTAA) 회원사들과 "
    "공동으로\u200b 활용하는 방안도 검토하고 있다. 회사는 2030년까지 AI 인프라 매출을 "
    "연 5조원 규모로 키운다는 목표를 세웠다."
)
# Another outlet's rewrite: new lead, same figures and quotes, one paragraph added, one dropped.
KO_REWRITE = (
    "SK텔레콤이 수조원대 투자로 AI 인프라 시장 공략에 속도를 낸다. 업계에 따르면 SK텔레콤은 "
    "판교에 200메가와트(MW) 규모의 AI 데이터센터를 짓기로 하고 총 3조2000억원을 투입한다. "
    "가동 목표 시점은 2027년 상반기다.\n"
    "이 데이터센터에는 최신 GPU 4만장이 들어가며, 액체 냉각 방식을 적용해 전력효율지수(PUE)를 "
    "1.2 이하로 낮출 계획이다.\n"
    '김민수 SK텔레콤 AI인프라사업부장은 "AI 데이터센터는 통신사가 AI 시대에 가장 잘할 수 있는 '
    '사업"이라며 "국내 AI 생태계의 인프라 허브가 되겠다"고 말했다.\n'
    "회사는 2030년까지 AI 인프라 매출을 연 5조원 규모로 키운다는 목표다. 업계에서는 통신 3사의 "
    "AI 데이터센터 경쟁이 본격화할 것으로 보고 있다."
)
# A different story about the same company, the same week.
KO_OTHER = (
    "SK텔레콤은 올해 3분기 연결 기준 매출 4조5000억원, 영업이익 5300억원을 기록했다고 6일 "
    "공시했다. 매출은 전년 동기 대비 1.9% 늘었고 영업이익은 6.5% 증가했다.\n\n"
    "5G 가입자는 1650만명으로 전체 휴대폰 가입자의 72%를 차지했다. 무선 사업 매출은 정체했지만 "
    "데이터센터와 클라우드 등 엔터프라이즈 사업이 성장세를 이어갔다.\n\n"
    '박지훈 SK텔레콤 최고재무책임자(CFO)는 컨퍼런스콜에서 "AI 사업의 매출 기여가 본격화하고 '
    '있다"며 "연말 배당은 예년 수준을 유지할 것"이라고 말했다. SK텔레콤은 4분기에도 비용 '
    "효율화를 이어갈 계획이다."
)
EN_RELEASE = (
    "Nokia and Telstra today announced a five-year agreement to modernise Telstra's optical "
    "transport network across Australia. Under the deal, Nokia will deploy its photonic switching "
    "platform at more than 300 sites, raising capacity on intercity routes to 1.6 terabits per "
    "second per wavelength.\n\n"
    '"Our customers expect the network to keep pace with the growth of AI workloads," said Alex '
    "Morgan, Telstra's head of network engineering. \"This upgrade gives us the headroom to do "
    'that for the next decade."\n\n'
    "The rollout starts in the first quarter of 2026 and is expected to be complete by the end of "
    "2027. Financial terms were not disclosed."
)
EN_REWRITE = (
    "Telstra has picked Nokia to overhaul its optical backbone, signing a five-year agreement that "
    "covers more than 300 sites across Australia and lifts intercity capacity to 1.6 terabits per "
    "second per wavelength.\n"
    '"Our customers expect the network to keep pace with the growth of AI workloads," said Alex '
    "Morgan, Telstra's head of network engineering. \"This upgrade gives us the headroom to do "
    'that for the next decade."\n'
    "The rollout starts in the first quarter of 2026 and is expected to be complete by the end of "
    "2027. Neither company disclosed financial terms."
)
EN_OTHER = (
    "Nokia reported a 4% rise in third-quarter net sales to 4.8 billion euros on Thursday, helped "
    "by demand for optical networking equipment from cloud providers building AI data centres.\n\n"
    "Mobile networks sales fell 9% as operators in North America held back on 5G spending. The "
    "company kept its full-year operating profit outlook unchanged.\n\n"
    '"Optical is now our fastest-growing business," said chief financial officer Sam Lee, adding '
    "that Nokia expects the recovery in mobile networks to take until the second half of next year."
)
SHORT = "[포토] SK텔레콤, 판교 AI 데이터센터 착공식 개최. 사진 제공 SK텔레콤."

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def article(article_id: str, body: str, minutes: int = 0, published: bool = True) -> Article:
    when = T0 + timedelta(minutes=minutes)
    return Article(
        article_id=article_id,
        url=f"https://news.example/{article_id}",
        url_key=f"news.example/{article_id}",
        canonical_url=None,
        source_name="test",
        title=None,
        body=body,
        lead=None,
        lang="ko",
        published_at=when if published else None,
        date_source="meta" if published else None,
        author=None,
        site_name=None,
        fetched_at=when,
        quality="ok",
        content_hash=content_hash(body),
    )


def stored(article_id: str, story_id: str, body: str) -> StoredDoc:
    return StoredDoc(article_id, story_id, content_hash(body), signature(body), body)


def by_id(assignments: list[StoryAssignment]) -> dict[str, StoryAssignment]:
    return {a.article_id: a for a in assignments}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("SK텔레콤은  5G를\n\n확대한다.", "SK텔레콤은 5G를 확대한다"),
        ("ＳＫ텔레콤（SKT）", "sk텔레콤 skt"),
        ("“인용”이라며 ‘강조’", "\"인용\"이라며 '강조'"),
        ("AI\u200b데이터센터", "AI데이터센터"),
        ("Telstra's  NETWORK —  upgrade!", "telstra s network upgrade"),
    ],
)
def test_normalize_for_hash_ignores_spacing_case_and_punctuation(a: str, b: str) -> None:
    assert normalize_for_hash(a) == normalize_for_hash(b)
    assert content_hash(a) == content_hash(b)


def test_content_hash_ignores_spacing_but_not_words() -> None:
    assert content_hash(KO_RELEASE) == content_hash(KO_PORTAL_COPY)
    assert content_hash("SK 텔레콤은 5G를") == content_hash("SK텔레콤은 5G를")
    assert content_hash(KO_RELEASE) != content_hash(KO_REWRITE)
    assert len(content_hash("")) == 64


def test_shingles_are_character_5grams_in_both_languages() -> None:
    assert shingles("SK텔레콤은") == {"sk텔레콤", "k텔레콤은"}
    assert shingles("Nokia, Telstra") == {
        "nokia",
        "okia ",
        "kia t",
        "ia te",
        "a tel",
        " tels",
        "telst",
        "elstr",
        "lstra",
    }
    assert shingles("5G") == {"5g"}
    assert shingles(" … ") == set()
    assert shingles("abcd", k=2) == {"ab", "bc", "cd"}
    with pytest.raises(ValueError):
        shingles("abc", k=0)


def test_jaccard() -> None:
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 0.0


def test_signature_is_plain_fixed_length_uint32() -> None:
    sig = signature(KO_RELEASE)
    assert len(sig) == NUM_PERM
    assert all(type(v) is int and 0 <= v < 2**32 for v in sig)
    assert signature(KO_PORTAL_COPY) == sig
    assert signature(KO_OTHER) != sig


def test_signature_values_are_pinned() -> None:
    """Stored signatures are compared with new ones: a change of seed or rensa algorithm must fail
    here first (then every stored signature has to be recomputed)."""
    assert signature("SK텔레콤 AI 데이터센터")[:4] == PINNED_SIGNATURE_PREFIX


PINNED_SIGNATURE_PREFIX = [43430804, 3513223398, 3246817233, 3224328586]


@pytest.mark.parametrize(
    "text", [KO_RELEASE, KO_PORTAL_COPY, KO_OTHER, "aaaaaaaaaaaa", "SKT", "", "!!"]
)
def test_signature_is_the_minhash_of_the_shingle_set(text: str) -> None:
    """``signature`` feeds MinHash every k-gram, repeats included; that must equal the set's."""
    from tasks.dedupe import _signature_of

    assert signature(text) == _signature_of(shingles(text))


def test_exact_copy_with_other_whitespace_joins_as_exact() -> None:
    result = by_id(
        assign_stories([article("a1", KO_RELEASE, 0), article("a2", KO_PORTAL_COPY, 5)], [])
    )
    assert result["a1"] == StoryAssignment("a1", "a1", "original", 1.0)
    assert result["a2"] == StoryAssignment("a2", "a1", "exact", 1.0, "a1")


@pytest.mark.parametrize(
    ("release", "rewrite"), [(KO_RELEASE, KO_REWRITE), (EN_RELEASE, EN_REWRITE)]
)
def test_rewrite_of_a_release_joins_as_near(release: str, rewrite: str) -> None:
    result = by_id(assign_stories([article("r1", release, 0), article("r2", rewrite, 30)], []))
    near = result["r2"]
    assert (near.story_id, near.dup_kind, near.matched_article_id) == ("r1", "near", "r1")
    assert near.similarity == pytest.approx(jaccard(shingles(release), shingles(rewrite)))
    assert NEAR_THRESHOLD <= near.similarity < 1.0


@pytest.mark.parametrize(("one", "other"), [(KO_RELEASE, KO_OTHER), (EN_RELEASE, EN_OTHER)])
def test_two_stories_about_one_company_stay_apart(one: str, other: str) -> None:
    result = by_id(assign_stories([article("s1", one, 0), article("s2", other, 10)], []))
    assert result["s1"].dup_kind == result["s2"].dup_kind == "original"
    assert result["s1"].story_id != result["s2"].story_id


def test_todays_copy_joins_last_weeks_story_in_the_window() -> None:
    window = [
        stored("old-release", "old-story", KO_RELEASE),
        stored("old-other", "old-other", KO_OTHER),
        stored("old-en", "old-en", EN_RELEASE),
    ]
    new = [
        article("today-rewrite", KO_REWRITE, 0),
        article("today-portal", KO_PORTAL_COPY, 1),
        article("today-en", EN_REWRITE, 2),
    ]
    result = by_id(assign_stories(new, window))
    assert result["today-rewrite"].story_id == "old-story"
    assert result["today-rewrite"].dup_kind == "near"
    assert result["today-rewrite"].matched_article_id == "old-release"
    assert result["today-portal"] == StoryAssignment(
        "today-portal", "old-story", "exact", 1.0, "old-release"
    )
    assert result["today-en"].story_id == "old-en"


def test_window_signature_of_the_wrong_length_is_recomputed() -> None:
    window = [StoredDoc("old", "old", content_hash(KO_RELEASE), [], KO_RELEASE)]
    result = assign_stories([article("new", KO_REWRITE)], window)
    assert result[0].story_id == "old"


def test_new_articles_match_each_other_in_published_order() -> None:
    later_first = [article("late", KO_REWRITE, 60), article("early", KO_RELEASE, 0)]
    result = assign_stories(later_first, [])
    assert [a.article_id for a in result] == ["early", "late"]
    assert result[0].dup_kind == "original"
    assert (result[1].story_id, result[1].dup_kind) == ("early", "near")


def test_a_near_copy_of_a_copy_joins_the_first_story() -> None:
    window = [stored("w1", "root", KO_RELEASE)]
    result = by_id(
        assign_stories(
            [article("n1", KO_REWRITE, 0), article("n2", KO_REWRITE + " 끝.", 5)], window
        )
    )
    assert result["n1"].story_id == result["n2"].story_id == "root"
    assert result["n2"].matched_article_id == "n1"


def test_shuffled_input_gives_identical_assignments() -> None:
    articles = [
        article("k1", KO_RELEASE, 0),
        article("k2", KO_PORTAL_COPY, 3),
        article("k3", KO_REWRITE, 3),
        article("k4", KO_OTHER, 7),
        article("e1", EN_RELEASE, 2),
        article("e2", EN_REWRITE, 9),
        article("e3", EN_OTHER, 9),
        article("u1", EN_REWRITE + " Updated.", 0, published=False),
        article("s1", SHORT, 1),
        article("s2", SHORT, 4),
    ]
    window = [stored("w-other", "w-other", KO_OTHER + " 추가 문장.")]
    expected = dedupe(articles, window)
    rng = random.Random(5)
    for _ in range(5):
        shuffled = articles[:]
        rng.shuffle(shuffled)
        window_shuffled = window[::-1]
        assert dedupe(shuffled, window_shuffled) == expected
    stories = {a.article_id: a.story_id for a in expected.assignments}
    assert stories["k2"] == stories["k3"] == "k1"
    assert stories["k4"] == "w-other"
    assert stories["e1"] == stories["e2"] == "u1"  # undated u1 is ordered by its fetch time
    assert stories["s2"] == "s1"


def test_short_bodies_join_only_as_exact_copies() -> None:
    assert len(normalize_for_hash(SHORT)) < MIN_NEAR_CHARS
    edited = SHORT.replace("착공식", "기공식")
    result = by_id(
        assign_stories(
            [article("p1", SHORT, 0), article("p2", SHORT, 1), article("p3", edited, 2)], []
        )
    )
    assert result["p2"] == StoryAssignment("p2", "p1", "exact", 1.0, "p1")
    assert result["p3"].dup_kind == "original"


@pytest.mark.parametrize("body", ["", "   ", "사진", "(끝)"])
def test_empty_or_trivial_bodies_never_join(body: str) -> None:
    result = assign_stories([article("x1", body, 0), article("x2", body, 1)], [])
    assert [a.dup_kind for a in result] == ["original", "original"]


def test_an_article_matching_two_stories_joins_the_best_and_reports_the_bridge() -> None:
    window = [stored("w-dc", "story-dc", KO_RELEASE), stored("w-q3", "story-q3", KO_OTHER)]
    roundup = KO_RELEASE + "\n\n" + KO_OTHER
    result = dedupe([article("roundup", roundup)], window)
    (assignment,) = result.assignments
    assert assignment.story_id == "story-dc"
    assert assignment.matched_article_id == "w-dc"
    (bridge,) = result.bridges
    assert bridge.article_id == "roundup"
    assert bridge.story_id == "story-dc"
    assert bridge.similarity == assignment.similarity
    assert [story for story, _ in bridge.others] == ["story-q3"]
    assert NEAR_THRESHOLD <= bridge.others[0][1] < bridge.similarity


def test_rerun_of_a_stored_article_keeps_its_story() -> None:
    window = [
        stored("a", "a", KO_RELEASE),
        stored("b", "a", KO_PORTAL_COPY),
        stored("c", "a", KO_REWRITE),
    ]
    result = by_id(
        assign_stories(
            [article("a", KO_RELEASE), article("b", KO_PORTAL_COPY), article("c", KO_REWRITE)],
            window,
        )
    )
    assert result["a"] == StoryAssignment("a", "a", "original", 1.0)
    assert result["b"] == StoryAssignment("b", "a", "exact", 1.0, "a")
    assert (result["c"].story_id, result["c"].dup_kind) == ("a", "near")


def test_repeated_article_ids_get_one_assignment() -> None:
    result = assign_stories([article("d", KO_RELEASE, 0), article("d", KO_RELEASE, 0)], [])
    assert len(result) == 1


def test_threshold_must_be_a_fraction() -> None:
    with pytest.raises(ValueError):
        dedupe([], [], threshold=0.0)
    with pytest.raises(ValueError):
        dd.dedupe([], [], threshold=1.5)


def test_lsh_bands_keep_recall_high_at_the_threshold() -> None:
    """Probability that a pair at exactly the threshold becomes an LSH candidate."""
    p = 1 - (1 - NEAR_THRESHOLD**dd.LSH_ROWS) ** dd.LSH_BANDS
    assert p > 0.99


def stored_at(
    article_id: str, story_id: str, body: str, minutes: int, **identity: str
) -> StoredDoc:
    seen = T0 + timedelta(minutes=minutes)
    return StoredDoc(
        article_id,
        story_id,
        content_hash(body),
        signature(body),
        body,
        url_key=identity.get("url_key", f"news.example/{article_id}"),
        canonical_url=identity.get("canonical_url"),
        og_url=identity.get("og_url"),
        seen_at=seen,
    )


def test_a_bridging_article_merges_two_stories_into_the_older_one() -> None:
    # The older story has the larger id: the survivor is chosen by age, not by name.
    window = [
        stored_at("w-q3", "story-zz-old", KO_OTHER, -600),
        stored_at("w-dc", "story-aa-new", KO_RELEASE, -60),
    ]
    roundup = KO_RELEASE + "\n\n" + KO_OTHER
    result = dedupe([article("roundup", roundup)], window)
    (assignment,) = result.assignments
    assert assignment.story_id == "story-zz-old"
    assert assignment.dup_kind == "near"
    (merge,) = result.merges
    assert (merge.merged_story_id, merge.into_story_id, merge.article_id) == (
        "story-aa-new",
        "story-zz-old",
        "roundup",
    )
    assert merge.similarity == pytest.approx(jaccard(shingles(roundup), shingles(KO_RELEASE)))
    (bridge,) = result.bridges
    assert bridge.story_id == "story-zz-old"
    assert [story for story, _ in bridge.others] == ["story-aa-new"]


def test_merges_within_one_batch_give_every_article_the_final_story() -> None:
    texts = {"a": KO_RELEASE, "b": KO_OTHER, "c": EN_RELEASE}
    new = [article(k, v, i) for i, (k, v) in enumerate(texts.items())]
    new.append(article("bc", KO_OTHER + "\n\n" + EN_RELEASE, 10))  # b absorbs c
    new.append(article("ab", KO_RELEASE + "\n\n" + KO_OTHER, 20))  # a absorbs b (and so c)
    result = dedupe(new, [])
    assert {a.article_id: a.story_id for a in result.assignments} == {
        "a": "a",
        "b": "a",
        "c": "a",
        "bc": "a",
        "ab": "a",
    }
    assert [(m.merged_story_id, m.into_story_id, m.article_id) for m in result.merges] == [
        ("c", "b", "bc"),
        ("b", "a", "ab"),
    ]
    shuffled = list(new)
    random.Random(3).shuffle(shuffled)
    again = dedupe(shuffled, [])
    assert again.assignments == result.assignments
    assert again.merges == result.merges


def test_two_runs_with_a_merge_agree_with_one_run() -> None:
    first = [article("a", KO_RELEASE, 0), article("b", KO_OTHER, 1)]
    second = [article("ab", KO_RELEASE + "\n\n" + KO_OTHER, 5), article("late", KO_REWRITE, 6)]
    one_run = dedupe(first + second, [])
    stored_first = dedupe(first, []).assignments
    window = [
        stored_at(a.article_id, s.story_id, a.body, i)
        for i, (a, s) in enumerate(zip(first, stored_first, strict=True))
    ]
    two_runs = dedupe(second, window)
    assert two_runs.assignments == one_run.assignments[2:]
    assert two_runs.merges == one_run.merges


def test_the_same_page_under_another_url_joins_by_its_canonical_link() -> None:
    edited = KO_REWRITE  # the page changed between the two fetches; the identity did not
    window = [stored_at("w1", "s1", KO_RELEASE, -30, url_key="outlet.example/news/1")]
    amp = replace(
        article("amp", edited),
        url="https://outlet.example/amp/news/1?utm_source=rss",
        url_key="outlet.example/amp/news/1",
        canonical_url="https://www.outlet.example/news/1",
    )
    (assignment,) = dedupe([amp], window).assignments
    assert (assignment.story_id, assignment.dup_kind, assignment.matched_article_id) == (
        "s1",
        "exact",
        "w1",
    )
    assert assignment.similarity == pytest.approx(jaccard(shingles(edited), shingles(KO_RELEASE)))


def test_og_url_of_a_stored_page_identifies_a_copy_with_no_body() -> None:
    window = [stored_at("w1", "s1", EN_RELEASE, -30, og_url="https://outlet.example/story/77")]
    bare = replace(
        article("bare", ""),
        url="https://outlet.example/story/77?from=rss",
        url_key="outlet.example/story/77",
    )
    (assignment,) = dedupe([bare], window).assignments
    assert (assignment.story_id, assignment.dup_kind, assignment.similarity) == ("s1", "exact", 1.0)


def test_a_template_canonical_shared_by_different_pages_is_no_identity() -> None:
    window = [stored_at("w1", "s1", KO_RELEASE, -30, canonical_url="https://outlet.example/news")]
    other = replace(article("o", EN_OTHER), canonical_url="https://outlet.example/news")
    (assignment,) = dedupe([other], window).assignments
    assert (assignment.story_id, assignment.dup_kind) == ("o", "original")


PORTAL_BOILERPLATE_TOP = (
    "자동요약 기사 제목과 주요 문장을 기반으로 자동요약한 결과입니다.\n"
    "전체 맥락을 이해하기 위해서는 본문 보기를 권장합니다.\n"
    "음성재생 설정\n번역beta Translated by kaka i\n"
)
PORTAL_BOILERPLATE_BOTTOM = (
    "\n테크데일리코리아에서 직접 확인하세요. 해당 언론사로 이동합니다.\n"
    "이 기사에 대해 어떻게 생각하시나요?\nCopyright © 테크데일리코리아. 무단전재 및 재배포 금지."
)


@pytest.mark.parametrize("body", [KO_RELEASE, EN_RELEASE])
def test_portal_copy_with_portal_boilerplate_joins_as_near(body: str) -> None:
    portal_copy = PORTAL_BOILERPLATE_TOP + body + PORTAL_BOILERPLATE_BOTTOM
    result = by_id(assign_stories([article("o", body, 0), article("p", portal_copy, 3)], []))
    assert (result["p"].story_id, result["p"].dup_kind) == ("o", "near")
    assert result["p"].similarity >= 0.5


def test_signatures_from_extraction_give_the_same_result() -> None:
    new = [
        article("a", KO_RELEASE, 0),
        article("b", KO_REWRITE, 1),
        article("c", EN_RELEASE, 2),
        article("d", EN_REWRITE, 3),
        article("e", KO_RELEASE + "\n\n" + EN_RELEASE, 4),
    ]
    given = {a.article_id: signature(a.body) for a in new}
    assert dedupe(new, [], signatures=given) == dedupe(new, [])


# The release's company boilerplate, as SK Telecom appends it to every release.
KO_ABOUT = (
    "\n\nSK텔레콤은 1984년 설립된 국내 최대 이동통신 사업자로, 5G와 인공지능(AI), 데이터센터, "
    "클라우드 사업을 펼치고 있다. 회사는 AI 피라미드 전략 아래 AI 인프라, AI 전환(AIX), "
    "AI 서비스의 세 영역에서 글로벌 AI 컴퍼니로 도약한다는 목표를 내걸었다.\n"
    "문의: SK텔레콤 PR실 미디어커뮤니케이션팀 (02-6100-3800, press@sktelecom.example)"
)
# An outlet's long article built around the release: the release, then its own reporting.
KO_ANALYSIS = (
    "\n\n업계는 이번 투자가 국내 AI 데이터센터 시장의 판도를 바꿀 것으로 보고 있다. KT와 "
    "LG유플러스도 수도권과 지방에 대규모 데이터센터를 짓고 있으며, 글로벌 빅테크의 국내 진출도 "
    "잇따르고 있다. 전력 수급이 최대 변수로 꼽힌다. 정부는 분산에너지 특구를 지정해 데이터센터의 "
    "지방 이전을 유도하고 있지만, 고객 대부분이 수도권에 몰려 있어 사업자들은 여전히 수도권 입지를 "
    "선호한다.\n\n"
    "전문가들은 GPU 공급난이 내년까지 이어질 것으로 내다봤다. "
    "엔비디아의 최신 칩은 주문 후 인도까지 "
    '1년 가까이 걸리고, 액체 냉각 설비와 변전 설비도 공급이 부족하다. 한 증권사 연구원은 "통신사의 '
    '데이터센터 사업은 안정적인 현금흐름을 만들지만 초기 투자 부담이 크다"며 "수익성은 가동률에 '
    '달려 있다"고 분석했다.\n\n'
    "SK텔레콤은 앞서 미국 AI 반도체 기업과 협력해 추론 전용 클러스터를 구축했고, 동남아시아 "
    'AI 데이터센터 공동 투자도 논의하고 있다. 회사 관계자는 "판교 센터는 국내외 고객사 수요를 '
    '흡수하는 거점이 될 것"이라고 설명했다.'
)


def test_coverage_counts_the_pieces_the_other_text_also_says() -> None:
    text = "가" * 130  # two pieces of 60 characters; the last 10 are too short to count
    pieces = dd.chunk_shingles(text)
    assert len(pieces) == 2
    assert dd.coverage(pieces, shingles(text)) == 1.0
    assert dd.coverage(pieces, set()) == 0.0
    assert dd.coverage([], shingles(text)) == 0.0
    release = dd.chunk_shingles(KO_RELEASE)
    assert dd.coverage(release, shingles(KO_RELEASE + KO_ANALYSIS)) == 1.0
    assert dd.coverage(release, shingles(KO_OTHER)) < dd.COVER_MIN


def test_short_copy_inside_a_long_original_joins_by_coverage() -> None:
    """A portal brief that keeps the release's first three paragraphs of an outlet's long article:
    Jaccard is below the threshold (the long text has much more), but every piece of the short
    copy is in the long one."""
    short = "\n\n".join(KO_RELEASE.split("\n\n")[:3])
    long = KO_RELEASE + KO_ANALYSIS
    assert dd.REWRITE_THRESHOLD <= jaccard(shingles(short), shingles(long)) < NEAR_THRESHOLD
    result = by_id(assign_stories([article("long", long, 0), article("short", short, 20)], []))
    assert (result["short"].story_id, result["short"].dup_kind) == ("long", "near")
    assert result["short"].similarity == pytest.approx(jaccard(shingles(short), shingles(long)))
    alone = dedupe([article("long", long, 0), article("short", short, 20)], [], rewrites=False)
    assert by_id(alone.assignments)["short"].dup_kind == "original"


def test_two_releases_sharing_the_company_boilerplate_stay_apart() -> None:
    """Two SK Telecom releases on different events, each ending in the same company paragraph:
    Jaccard reaches the coverage rule's floor, but only the boilerplate's pieces are shared."""
    one, other = KO_RELEASE + KO_ABOUT, KO_OTHER + KO_ABOUT
    assert jaccard(shingles(one), shingles(other)) >= dd.REWRITE_THRESHOLD
    result = by_id(assign_stories([article("r1", one, 0), article("r2", other, 10)], []))
    assert result["r2"].dup_kind == "original"
    assert result["r1"].story_id != result["r2"].story_id


def test_window_candidates_keep_a_stored_article_the_coverage_rule_joins() -> None:
    """The stored-window filter uses the coverage rule's floor, so a short copy of a stored long
    article is not dropped before dedupe sees it (its estimate is below what the Jaccard threshold
    alone would keep)."""
    long = KO_RELEASE + KO_ANALYSIS + KO_ABOUT
    short = "\n\n".join(KO_RELEASE.split("\n\n")[:3])
    agree = sum(x == y for x, y in zip(signature(short), signature(long), strict=True))
    assert agree / NUM_PERM < dd._min_estimate(NEAR_THRESHOLD)
    new = [article("short", short, 20)]
    window = [stored_at("long", "long", long, -60)]
    assert by_id(assign_stories(new, window))["short"].story_id == "long"
    table = pa.table(
        {"article_id": ["long"], "signature": pa.array([signature(long)], pa.list_(pa.uint64()))}
    )
    assert dd.window_candidates(new, {}, table) == ["long"]
