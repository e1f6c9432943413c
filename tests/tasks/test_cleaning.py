"""Table tests for press and portal boilerplate removal.

Every example below is written for these tests in the shapes documented in telecom-facts.md §5–6;
the outlet and reporter names are invented (가상일보, 홍길동).
"""

from __future__ import annotations

import pytest

from tasks.cleaning import clean_body, split_title_prefix, unescape_entities

SENTENCE = "SK텔레콤은 18일 덴마크 코펜하겐에서 글로벌 텔코 AI 얼라이언스 회의를 열었다고 밝혔다."
SENTENCE2 = "회의에는 도이치텔레콤, 이앤, 싱텔, 소프트뱅크 최고경영자가 참석했다."
EN = "Five operators signed the joint venture agreement in Copenhagen on Tuesday, they said."
EN2 = "The venture will build a language model for telecom customer service in several languages."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            f"[가상일보=홍길동 기자] {SENTENCE}\n{SENTENCE2}",
            f"{SENTENCE}\n{SENTENCE2}",
            id="lead-bracket-byline",
        ),
        pytest.param(
            f"(서울=연합뉴스) 홍길동 기자 = {SENTENCE}",
            SENTENCE,
            id="wire-byline",
        ),
        pytest.param(f"{SENTENCE}\n(c) 2026 Asia Telco Wire", SENTENCE, id="bare-copyright-c"),
        pytest.param(
            f"{SENTENCE}\nSubscribe to continue reading\nAlready a subscriber? Log in",
            SENTENCE,
            id="paywall-prompt-en",
        ),
        pytest.param(f"Updated at 1:23 p.m.\n{SENTENCE}", SENTENCE, id="updated-at-line"),
        pytest.param(
            f"{SENTENCE}\n이 기사는 유료회원 전용 기사입니다. 로그인 후 전체 기사를 보실 수 "
            "있습니다.",
            SENTENCE,
            id="paywall-prompt-ko",
        ),
        pytest.param(f"{SENTENCE}\n© 2020-2026 가상일보", SENTENCE, id="bare-copyright-range"),
        pytest.param(
            f"{SENTENCE}\nCopyright 2026 is a year of change. More text follows here.",
            f"{SENTENCE}\nCopyright 2026 is a year of change. More text follows here.",
            id="copyright-word-in-prose-stays",
        ),
        pytest.param(
            f"[서울=뉴시스] 홍길동 김철수 기자 = {SENTENCE}",
            SENTENCE,
            id="wire-byline-two-reporters",
        ),
        pytest.param(
            f"【서울=뉴시스】홍길동 기자 = {SENTENCE}",
            SENTENCE,
            id="wire-byline-lenticular",
        ),
        pytest.param(
            f"[바르셀로나(스페인)=가상일보 홍길동 기자] {SENTENCE}",
            SENTENCE,
            id="byline-with-place-in-parens",
        ),
        pytest.param(
            f"[가상데일리 홍길동기자] {SENTENCE}",
            SENTENCE,
            id="byline-no-space-before-role",
        ),
        pytest.param(
            f"[가상뉴스] 홍길동 기자 = {SENTENCE}",
            SENTENCE,
            id="bracket-then-names",
        ),
        pytest.param(
            f"가상이코노미 홍길동 기자 | {SENTENCE}",
            SENTENCE,
            id="pipe-byline",
        ),
        pytest.param(
            f"통신사 AI 동맹 본계약\n[가상일보=홍길동 기자] {SENTENCE}",
            f"통신사 AI 동맹 본계약\n{SENTENCE}",
            id="byline-after-subtitle",
        ),
        pytest.param(
            f"(서울=연합뉴스) 정부 기자단은 {SENTENCE}",
            f"정부 기자단은 {SENTENCE}",
            id="wire-dateline-keeps-sentence-with-role-word",
        ),
        pytest.param(
            f"{SENTENCE}\n홍길동 기자 hong@example.co.kr",
            SENTENCE,
            id="tail-byline-line",
        ),
        pytest.param(
            f"{SENTENCE} 홍길동 기자 hong@example.co.kr",
            SENTENCE,
            id="tail-byline-glued",
        ),
        pytest.param(
            f"{SENTENCE}\nhong@example.co.kr\n(끝)",
            SENTENCE,
            id="tail-email-and-end-mark",
        ),
        pytest.param(
            f"{SENTENCE}\n가상일보=홍길동 기자 [email protected]",
            SENTENCE,
            id="tail-cloudflare-email",
        ),
        pytest.param(
            f"{SENTENCE}\n/홍길동기자 hong@example.com",
            SENTENCE,
            id="tail-slash-byline",
        ),
        pytest.param(
            f"{SENTENCE}\n<홍길동기자 hong@example.co.kr>",
            SENTENCE,
            id="tail-angle-byline",
        ),
        pytest.param(f"{SENTENCE} (끝)", SENTENCE, id="tail-end-mark-glued"),
        pytest.param(f"{SENTENCE}\n/연합뉴스", SENTENCE, id="tail-wire-trailer"),
        pytest.param(
            f"{SENTENCE}\n이용민 기자\n<저작권자ⓒ가상일보사. 무단전재-재배포 금지>",
            SENTENCE,
            id="byline-and-bracketed-copyright",
        ),
        pytest.param(
            f"{SENTENCE}\n"
            "Copyright © 가상일보 & example.co.kr. 무단 전재, 재배포 및 AI학습 이용 금지",
            SENTENCE,
            id="copyright-mk-style",
        ),
        pytest.param(
            f"{SENTENCE}\n저작권자 © 가상 전문 미디어 가상일렉 무단전재 및 재배포 금지",
            SENTENCE,
            id="copyright-holder",
        ),
        pytest.param(
            f"{SENTENCE}\n©'5개국어 글로벌 경제신문' 가상경제. 무단전재·재배포 금지",
            SENTENCE,
            id="copyright-symbol-first",
        ),
        pytest.param(
            f"{SENTENCE}\n"
            "Copyright 가상방송. All rights reserved. 무단 전재, 재배포 및 AI학습 이용 금지",
            SENTENCE,
            id="copyright-all-rights-reserved",
        ),
        pytest.param(
            f"{SENTENCE} Copyright ⓒ 가상타파. All rights reserved. 무단 전재 및 재배포 금지.",
            SENTENCE,
            id="copyright-glued-to-paragraph",
        ),
        pytest.param(
            f"{SENTENCE}\n무단 전재 및 재배포, AI 학습 및 활용 금지",
            SENTENCE,
            id="rights-line-without-copyright",
        ),
        pytest.param(
            f"{SENTENCE}\n<저작권자(c) 가상뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>",
            SENTENCE,
            id="copyright-c-in-parens",
        ),
        pytest.param(f"{SENTENCE}\n◎공감언론 뉴시스", SENTENCE, id="newsis-tail"),
        pytest.param(
            "Copyright © 2024 Example Media. All rights reserved.\nThe deal closed on Monday.",
            "The deal closed on Monday.",
            id="copyright-english",
        ),
        pytest.param(f"[사진=SK텔레콤]\n{SENTENCE}", SENTENCE, id="credit-bracket-line"),
        pytest.param(f"[사진 = SK텔레콤]\n{SENTENCE}", SENTENCE, id="credit-bracket-spaces"),
        pytest.param(f"(사진제공=SK텔레콤)\n{SENTENCE}", SENTENCE, id="credit-parens"),
        pytest.param(f"사진 제공=SK텔레콤\n{SENTENCE}", SENTENCE, id="credit-plain"),
        pytest.param(f"사진/SKT\n{SENTENCE}", SENTENCE, id="credit-slash"),
        pytest.param(f"SK텔레콤 제공\n{SENTENCE}", SENTENCE, id="org-credit-line"),
        pytest.param(f"/KT 제공\n{SENTENCE}", SENTENCE, id="org-credit-slash"),
        pytest.param(f"[SKT 제공. 재판매 및 DB 금지]\n{SENTENCE}", SENTENCE, id="yonhap-credit"),
        pytest.param(f"ⓒSK텔레콤\n{SENTENCE}", SENTENCE, id="copyright-glyph-credit"),
        pytest.param(f"@게티이미지뱅크\n{SENTENCE}", SENTENCE, id="getty-credit"),
        pytest.param(f"< SK텔레콤 >\n{SENTENCE}", SENTENCE, id="angle-credit"),
        pytest.param(
            f"유영상 SK텔레콤 사장이 기조연설을 하고 있다. [사진=SK텔레콤]\n{SENTENCE}",
            SENTENCE,
            id="caption-with-trailing-credit",
        ),
        pytest.param(
            f"유영상 사장이 기념촬영을 하고 있다. /SK텔레콤 제공\n{SENTENCE}",
            SENTENCE,
            id="caption-with-slash-org-credit",
        ),
        pytest.param(
            f"▲ 18일 코펜하겐에서 열린 회의에서 참석자들이 기념촬영을 하고 있다.\n{SENTENCE}",
            SENTENCE,
            id="triangle-caption",
        ),
        pytest.param(
            f"▲4일 시청에서 전달식이 열렸다. 왼쪽부터 홍길동 시장. 사진=가상시 제공\n{SENTENCE}",
            SENTENCE,
            id="triangle-caption-with-credit",
        ),
        pytest.param(f"▲ ⓒSK텔레콤\n{SENTENCE}\n▲ ⓒSK텔레콤", SENTENCE, id="duplicated-credit"),
        pytest.param(
            f"사진 제공=SK텔레콤\n사진 제공=SK텔레콤\n{SENTENCE}",
            SENTENCE,
            id="caption-printed-twice",
        ),
        pytest.param(
            f"[SKT 보도자료 사진] 회의_1.jpg\n{SENTENCE}",
            SENTENCE,
            id="image-file-name",
        ),
        pytest.param(
            f"[사진=SK텔레콤] {SENTENCE} {SENTENCE2} {SENTENCE} {SENTENCE2}",
            f"{SENTENCE} {SENTENCE2} {SENTENCE} {SENTENCE2}",
            id="leading-credit-on-long-paragraph",
        ),
        pytest.param(
            "(Source: Deutsche Telekom)\nThe operator signed the agreement.",
            "The operator signed the agreement.",
            id="english-source-credit",
        ),
        pytest.param(
            f"<이미지를 클릭하시면 크게 보실 수 있습니다>\n{SENTENCE}",
            SENTENCE,
            id="zum-click-to-enlarge",
        ),
        pytest.param(
            f"| <이미지를 클릭하시면 크게 보실 수 있습니다> |\n{SENTENCE}",
            SENTENCE,
            id="zum-click-to-enlarge-pipes",
        ),
        pytest.param(
            f"{SENTENCE}\n컨텐츠 바로가기\n댓글 첫 댓글을 작성해보세요\n"
            "주소복사가 완료되었습니다\n11.24 (일)",
            SENTENCE,
            id="zum-ui",
        ),
        pytest.param(
            f"{SENTENCE}\n언론사 페이지(아웃링크)로 이동해 볼 수 있습니다",
            SENTENCE,
            id="naver-outlink",
        ),
        pytest.param(
            f"{SENTENCE}\n기사의 섹션 정보는 해당 언론사의 분류를 따르고 있습니다. "
            "언론사는 개별 기사를 2개 이상 섹션으로 중복 분류할 수 있습니다.\n닫기",
            SENTENCE,
            id="naver-section-notice",
        ),
        pytest.param(
            f"{SENTENCE}\n이 기사의 카테고리는 언론사의 분류를 따릅니다.\n구독하기",
            SENTENCE,
            id="naver-category-notice",
        ),
        pytest.param(
            "자동요약 기사 제목과 주요 문장을 기반으로 자동요약한 결과입니다.\n"
            "전체 맥락을 이해하기 위해서는 본문 보기를 권장합니다.\n"
            "음성재생 설정 번역beta Translated by kaka i\n"
            "글자크기 설정 파란원을 좌우로 움직이시면 글자크기가 변경 됩니다.\n"
            f"이 글자크기로 변경됩니다.\n{SENTENCE}",
            SENTENCE,
            id="daum-injected",
        ),
        pytest.param(
            f"{SENTENCE}\n이 기사에 대해 어떻게 생각하시나요?\n좋아요 0\n- 다른 기사 제목",
            SENTENCE,
            id="daum-reaction-block-ends-body",
        ),
        pytest.param(
            f"{SENTENCE}\n가상일보에서 직접 확인하세요. 해당 언론사로 이동합니다.\n· 다른 기사",
            SENTENCE,
            id="daum-press-list-ends-body",
        ),
        pytest.param(
            f"{SENTENCE}\n관련기사\nSKT, AI 동맹 확대\nKT, 클라우드 투자\n{SENTENCE2}",
            f"{SENTENCE}\n{SENTENCE2}",
            id="related-list-mid-article",
        ),
        pytest.param(
            f"{SENTENCE}\n▶ 관련기사 ◀\n☞SKT, AI 동맹 확대\n☞KT, 클라우드 투자",
            SENTENCE,
            id="related-list-arrows",
        ),
        pytest.param(
            f"{SENTENCE}\n- SKT, AI 동맹 확대 - 가상경제\n- KT, 클라우드 투자 - 가상경제",
            SENTENCE,
            id="headline-outlet-list",
        ),
        pytest.param(
            "The operator signed the agreement.\nRelated Articles\nTelco AI grows\nNew 6G forum",
            "The operator signed the agreement.",
            id="related-english",
        ),
        pytest.param(
            "이 기사를 공유합니다\n"
            f"카카오스토리 / 네이버밴드 / 페이스북 / 트위터 / 글자크게 / 글자작게\n{SENTENCE}",
            SENTENCE,
            id="share-widget",
        ),
        pytest.param(
            f"작게보기 기본크기 크게보기\n본문 글씨 키우기\n{SENTENCE}\n댓글 0\n광고 로드중",
            SENTENCE,
            id="ui-labels",
        ),
        pytest.param(
            f"ADVERTISEMENT\n{SENTENCE}\n지면보기 / 경제 05면", SENTENCE, id="ad-and-print"
        ),
        pytest.param(
            f"흐림동두천 15.1℃ 맑음서울 16.2℃ 기상청 제공\n{SENTENCE}",
            SENTENCE,
            id="weather-widget",
        ),
        pytest.param(
            f"입력 2024-06-20 09:39\n기사승인 2020-11-08 12:13:29\n{SENTENCE}",
            SENTENCE,
            id="meta-lines",
        ),
        pytest.param(
            f"기자명 홍길동 기자 / 입력 2024.06.20 20:22\n{SENTENCE}",
            SENTENCE,
            id="meta-reporter-line",
        ),
        pytest.param(f"{SENTENCE}\n후속기사가 이어집니다", SENTENCE, id="wire-follow-up-notice"),
        pytest.param(
            f"{SENTENCE}\n▶제보는 카톡 okjebo",
            SENTENCE,
            id="yonhap-tip-promo",
        ),
        pytest.param(
            f"━ 무슨 일이야 ━\n{SENTENCE}",
            f"무슨 일이야\n{SENTENCE}",
            id="structural-glyphs-stripped-text-kept",
        ),
        pytest.param(
            f"{SENTENCE}\n▲AI 데이터센터 구축\n△AI 개인비서 출시\n■ 향후 계획",
            f"{SENTENCE}\nAI 데이터센터 구축\nAI 개인비서 출시\n향후 계획",
            id="bullet-list-lines-keep-text",
        ),
        pytest.param(
            f"{SENTENCE}\n{SENTENCE2}\n{SENTENCE}",
            f"{SENTENCE}\n{SENTENCE2}",
            id="repeated-line-collapsed",
        ),
        pytest.param(
            "  SK텔레콤은\u00a0\u00a0AI 데이터센터를   짓는다.\u200b\r\n\r\n\n다음 문단.  ",
            "SK텔레콤은 AI 데이터센터를 짓는다.\n다음 문단.",
            id="whitespace-normalized",
        ),
        pytest.param("", "", id="empty"),
        pytest.param(
            f"{EN}\nRelated: Operators test a shared AI model\n- Carrier alliance adds members\n"
            "- Open RAN trials expand",
            EN,
            id="related-inline-header-and-its-list",
        ),
        pytest.param(
            f"{EN}\nDON'T MISS\nCarriers weigh a shared model [ANALYSIS]\nVendor shares slide "
            f"[VIDEO]\n{EN2}",
            f"{EN}\n{EN2}",
            id="dont-miss-header-and-headlines",
        ),
        pytest.param(
            f"{EN}\nVocê pode gostar...\nOutro texto curto",
            EN,
            id="related-header-portuguese",
        ),
        pytest.param(
            f"{EN}\nStart your day with the Telco Brief. Sign up for the free daily newsletter.",
            EN,
            id="newsletter-sign-up-box",
        ),
        pytest.param(
            f"{EN}\nGet the latest updates right in your inbox. Subscribe to our newsletters.",
            EN,
            id="inbox-promo",
        ),
        pytest.param(
            f"{EN}\nThe reporter's new book is out now. Follow her on Twitter @example_writer.",
            EN,
            id="follow-on-twitter-bio",
        ),
        pytest.param(
            f"{EN}\nWrite to Jane Roe at jane.roe@example.com", EN, id="write-to-contact-line"
        ),
        pytest.param(
            f"{EN}\nHave a tip? Jane Roe may be reached at jroe@example.com. Follow her on X.",
            EN,
            id="have-a-tip-contact-line",
        ),
        pytest.param(
            f"- Order Reprints\n- Print Article\n{EN}\nThank you\nThis article has been sent to",
            EN,
            id="dashed-ui-items",
        ),
        pytest.param(
            f"{EN}\nThis copy is for your personal, non-commercial use only. To order copies, "
            "visit our reprints desk.",
            EN,
            id="reprint-notice",
        ),
        pytest.param(
            f"01/02/2024 - Posted by: Jane Roe - Category: Telecom - Tags: 5G\n{EN}",
            EN,
            id="blog-post-meta-line",
        ),
        pytest.param(
            f"{EN}\nwww.example-daily.co.kr\n{EN2}", f"{EN}\n{EN2}", id="bare-site-address-line"
        ),
        pytest.param(
            f"{EN}\nTell us what you think...\nComments",
            EN,
            id="comment-prompt",
        ),
        pytest.param(
            f"{EN}\n{EN2}\nExampleCom is a global provider of network software for operators.\n"
            "ExampleCom is headquartered in Oslo, has subsidiaries in 12 countries and employs "
            "around 900 people.",
            f"{EN}\n{EN2}",
            id="press-release-company-profile",
        ),
    ],
)
def test_clean_body_removes_boilerplate(raw: str, expected: str) -> None:
    assert clean_body(raw) == expected


def test_clean_body_drops_article_printed_twice() -> None:
    long_paragraphs = [f"{SENTENCE} {SENTENCE2} {SENTENCE}", f"{SENTENCE2} {SENTENCE} {SENTENCE2}"]
    text = "\n".join([*long_paragraphs, "공유하기 전에 읽어 보세요", *long_paragraphs])
    assert clean_body(text) == "\n".join([*long_paragraphs, "공유하기 전에 읽어 보세요"])


def test_clean_body_keeps_structured_repeats_far_apart() -> None:
    """A heading repeated per section (a recipe's day, an interview's question) is content."""
    sections = [
        f"질문: 어떤 계기로 시작했나요?\n{name}: 첫 문장이다.\n"
        f"{name}: 둘째 문장이다.\n{name}: 끝이다."
        for name in ("가", "나", "다")
    ]
    text = "\n".join(sections)
    assert clean_body(text) == text


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param(
            "SK텔레콤은 고객에게 AI 개인비서 서비스를 무료로 제공한다.", id="provides-verb"
        ),
        pytest.param("이번 서비스는 모든 고객에게 무료로 제공", id="provides-no-period"),
        pytest.param(
            "KT는 정부가 제공한 데이터를 활용해 사진 분석 모델을 만들었다.", id="provided-mid"
        ),
        pytest.param("서비스 무료 제공", id="short-subtitle-with-provide"),
        pytest.param("이미지 생성 AI 시장 급성장", id="subtitle-starting-with-image"),
        pytest.param("자료 분석 결과 긍정적", id="subtitle-starting-with-data"),
        pytest.param("홍길동 기자는 이 사안을 처음 보도했다.", id="reporter-as-subject"),
        pytest.param("The new 5G plan is for premium subscribers only.", id="subscribers-only"),
        pytest.param("유료 회원을 위한 서비스가 늘었다.", id="paid-members-mid-sentence"),
        pytest.param(
            "정부는 무단 전재를 금지하는 저작권법 개정안을 발표했다.", id="rights-words-in-sentence"
        ),
        pytest.param(
            "참석자는 ▲SK텔레콤 ▲KT ▲LG유플러스 최고기술책임자다.", id="inline-triangle-list"
        ),
        pytest.param("문의는 help@example.com 으로 하면 된다고 회사는 설명했다.", id="email-mid"),
        pytest.param("The copyright dispute was settled last year.", id="english-copyright-word"),
        pytest.param("“AI 인프라가 핵심”이라고 강조했다.", id="quote"),
        pytest.param(
            "Customers can sign up for the new plan in stores from Monday, the carrier said.",
            id="sign-up-mid-sentence",
        ),
        pytest.param(
            "The operator, headquartered in Seoul, said the trial would start in June.",
            id="one-profile-marker-in-news",
        ),
        pytest.param("Related party transactions rose 4% in the quarter.", id="related-word"),
        pytest.param("http://example.com/deals/router-sale", id="url-with-a-path"),
    ],
)
def test_clean_body_keeps_article_sentences(sentence: str) -> None:
    text = f"{SENTENCE}\n{sentence}\n{SENTENCE2}"
    assert clean_body(text) == text


def test_clean_body_full_portal_copy() -> None:
    raw = "\n".join(
        [
            "[단독] SKT, 글로벌 AI 동맹 합작법인 본계약",
            "자동요약 기사 제목과 주요 문장을 기반으로 자동요약한 결과입니다.",
            "[사진=SK텔레콤]",
            "유영상 SK텔레콤 사장이 발언하고 있다. [사진=SK텔레콤]",
            f"[가상일보=홍길동 기자] {SENTENCE}",
            SENTENCE2,
            "관련기사",
            "SKT, AI 동맹 확대",
            "유영상 SK텔레콤 사장이 발언하고 있다. [사진=SK텔레콤]",
            "합작법인은 연내 설립될 예정이다.",
            "홍길동 기자 hong@example.co.kr",
            "Copyright © 가상일보. 무단전재 및 재배포 금지.",
            "이 기사에 대해 어떻게 생각하시나요?",
            "좋아요",
        ]
    )
    assert clean_body(raw) == "\n".join(
        [
            "[단독] SKT, 글로벌 AI 동맹 합작법인 본계약",
            SENTENCE,
            SENTENCE2,
            "합작법인은 연내 설립될 예정이다.",
        ]
    )


@pytest.mark.parametrize(
    ("title", "expected", "flags"),
    [
        ("[속보] SKT, AI 동맹 출범", "SKT, AI 동맹 출범", ("속보",)),
        ("[단독][속보] SKT 합작법인", "SKT 합작법인", ("단독", "속보")),
        ("【단독】 KT, AI-RAN 합류", "KT, AI-RAN 합류", ("단독",)),
        ("[MWC 2024] SKT, GTAA 창립총회", "SKT, GTAA 창립총회", ("MWC 2024",)),
        ("[人사이트] 홍길동 SKT 부사장", "홍길동 SKT 부사장", ("人사이트",)),
        ("<속보> 통신3사 실적 발표", "통신3사 실적 발표", ("속보",)),
        ("SKT, 글로벌 AI 동맹 본계약(종합)", "SKT, 글로벌 AI 동맹 본계약", ("종합",)),
        ("[1보] KT 대표 선임(종합2보)", "KT 대표 선임", ("1보", "종합2보")),
        ("(LEAD) SK Telecom joins alliance", "SK Telecom joins alliance", ("LEAD",)),
        ("<해외입양과 돈> 프로젝트", "<해외입양과 돈> 프로젝트", ()),
        ("SKT, [AI] 동맹 확대", "SKT, [AI] 동맹 확대", ()),
        ("[포토]", "[포토]", ()),
        ("  Plain   English title ", "Plain English title", ()),
        ("", "", ()),
    ],
)
def test_split_title_prefix(title: str, expected: str, flags: tuple[str, ...]) -> None:
    assert split_title_prefix(title) == (expected, flags)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("도이치텔레콤·e&amp;amp;·싱텔", "도이치텔레콤·e&·싱텔"),
        ("AT&amp;T", "AT&T"),
        ("R&D 투자", "R&D 투자"),
        ("&amp;amp;amp;amp;lt;", "&amp;lt;"),
    ],
)
def test_unescape_entities(raw: str, expected: str) -> None:
    assert unescape_entities(raw) == expected


def test_clean_body_unescapes_leftover_entities() -> None:
    assert clean_body(f"{SENTENCE} 이앤(e&amp;amp;)도 참여했다.").endswith("이앤(e&)도 참여했다.")
