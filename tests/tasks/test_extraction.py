"""Extraction tests on small synthetic pages written for these tests (no real publisher content)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from tasks.extraction import KST, detect_lang, extract_page

PARAGRAPHS_KO = [
    "SK텔레콤은 18일 덴마크 코펜하겐에서 열린 행사에서 도이치텔레콤, 이앤, 싱텔, "
    "소프트뱅크와 함께 글로벌 텔코 AI 얼라이언스 합작법인 설립 본계약을 체결했다고 19일 밝혔다.",
    "합작법인은 통신사 특화 거대언어모델을 공동 개발하고 다국어 학습과 성능 고도화, "
    "인공지능 개인비서 서비스를 함께 추진한다. 다섯 회사는 합작법인을 연내 설립할 계획이다.",
    "유영상 SK텔레콤 사장은 회의에서 인공지능 데이터센터와 인공지능 개인비서를 핵심 사업으로 "
    "꼽았다. 그는 통신사들이 힘을 모으면 고객 경험을 크게 바꿀 수 있다고 강조했다.",
    "업계에서는 이번 계약으로 통신사 연합의 인공지능 협력이 실행 단계에 들어섰다는 평가가 나온다. "
    "합작법인의 이름과 소재지는 아직 정해지지 않았다.",
]

KOREAN_PAGE = f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>[단독] SKT, 글로벌 텔코 AI 동맹 합작법인 본계약 - 가상일보</title>
<meta property="og:title" content="[단독] SKT, 글로벌 텔코 AI 동맹 합작법인 본계약">
<meta property="og:site_name" content="가상일보">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-06-19T09:30:00">
<link rel="canonical" href="/news/articleView.html?idxno=1001">
</head>
<body>
<header><nav><a href="/">홈</a> <a href="/it">IT</a> <a href="/economy">경제</a></nav></header>
<div class="share">이 기사를 공유합니다 카카오스토리 / 네이버밴드 / 페이스북 / 트위터</div>
<article>
<h1>[단독] SKT, 글로벌 텔코 AI 동맹 합작법인 본계약</h1>
<figure><img src="/photo.jpg" alt="회의">
<figcaption>유영상 SK텔레콤 사장이 발언하고 있다. [사진=SK텔레콤]</figcaption></figure>
<p>[가상일보=홍길동 기자] {PARAGRAPHS_KO[0]}</p>
<p>{PARAGRAPHS_KO[1]}</p>
<p>&lt;이미지를 클릭하시면 크게 보실 수 있습니다&gt;</p>
<p>{PARAGRAPHS_KO[2]}</p>
<p>{PARAGRAPHS_KO[3]}</p>
<p>홍길동 기자 hong@example.co.kr</p>
<p>Copyright © 가상일보. 무단전재 및 재배포 금지.</p>
</article>
<aside><h3>많이 본 뉴스</h3><ul><li><a href="/a/1">KT, 클라우드 투자 확대</a></li>
<li><a href="/a/2">LG유플러스, 6G 시험</a></li></ul></aside>
</body>
</html>
"""

ENGLISH_PARAGRAPHS = [
    "SK Telecom, Deutsche Telekom, e&, Singtel and SoftBank signed the definitive agreement for "
    "their joint venture on Tuesday, the companies said in a statement issued in Copenhagen.",
    "The venture will build a large language model tuned for telecom operators, starting with "
    "Korean, English, Japanese, German and Arabic, and will offer it to other carriers.",
    "Executives said the partners would contribute engineers and data, and that the venture "
    "would be set up before the end of the year, pending regulatory approvals.",
]

ENGLISH_PAGE = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Telcos sign AI joint venture deal | Example Telecom News</title>
<meta property="og:url" content="https://news.example.com/2024/06/18/telco-ai-jv">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Example Telecom News"},
  {"@type": "NewsArticle", "headline": "Telcos sign AI joint venture deal",
   "datePublished": "2024-06-18T14:05:00+02:00", "dateModified": "2024-06-19T08:00:00+02:00",
   "author": [{"@type": "Person", "name": "Jane Doe"}]}
]}
</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/5g">5G</a></nav>
<main><article>
<h1>Telcos sign AI joint venture deal</h1>
<p>PARA0</p>
<p>PARA1</p>
<p>PARA2</p>
<p>Copyright 2024 Example Media. All rights reserved.</p>
</article></main>
</body>
</html>
""".replace("PARA0", ENGLISH_PARAGRAPHS[0])
    .replace("PARA1", ENGLISH_PARAGRAPHS[1])
    .replace("PARA2", ENGLISH_PARAGRAPHS[2])
)

# 똠 and 햏 are CP949-only syllables: a strict EUC-KR reading loses them.
EUCKR_PARAGRAPHS = [
    "KT는 을지로 사옥에서 인공지능 네트워크 얼라이언스 출범식을 열고 통신 3사와 장비 업체가 함께 "
    "참여하는 공동 연구를 시작한다고 밝혔다. 행사에는 똠양꿍 전문점 대표도 참석했다.",
    "얼라이언스는 기지국 운영에 인공지능을 적용하는 기술을 공동 개발하고 시험망을 구축한다. "
    "참석자들은 햏자라는 옛 인터넷 유행어를 언급하며 웃었다.",
    "KT는 올해 안에 첫 시험 결과를 공개하고 내년부터 상용망에 단계적으로 적용할 계획이다. "
    "정부도 관련 예산을 지원하기로 했다.",
]
EUCKR_PAGE = (
    "<html><head><title>KT, AI 네트워크 얼라이언스 출범</title></head><body>"
    "<div id='menu'><a href='/'>처음</a></div><div id='article'>"
    + "".join(f"<p>{p}</p>" for p in EUCKR_PARAGRAPHS)
    + "</div></body></html>"
)

FEED = {
    "feed_title": "[속보] 피드 제목: SKT 합작법인 본계약",
    "feed_published": datetime(2024, 6, 19, 0, 45, tzinfo=UTC),
    "feed_summary": "<p>피드 요약 <b>문장</b>입니다.</p>",
}


def test_korean_utf8_news_page() -> None:
    page = extract_page(
        KOREAN_PAGE.encode("utf-8"),
        "https://www.example.co.kr/news/articleView.html?idxno=1001&utm_source=feed",
        content_type="text/html; charset=utf-8",
    )
    assert page.title == "SKT, 글로벌 텔코 AI 동맹 합작법인 본계약"
    assert page.title_flags == ("단독",)
    assert page.canonical_url == "https://www.example.co.kr/news/articleView.html?idxno=1001"
    assert page.body == "\n".join(PARAGRAPHS_KO)
    assert page.lead == PARAGRAPHS_KO[0]
    assert page.lang == "ko"
    assert page.quality == "ok"
    assert page.site_name == "가상일보"
    assert page.author == "홍길동"
    # A zone-less time on a Korean page is KST: 09:30 KST is 00:30 UTC.
    assert page.published_at == datetime(2024, 6, 19, 0, 30, tzinfo=UTC)
    assert page.date_source == "meta"


@pytest.mark.parametrize(
    ("content_type", "encoded"),
    [
        pytest.param(None, EUCKR_PAGE.encode("cp949"), id="no-header-no-meta"),
        pytest.param("text/html", EUCKR_PAGE.encode("cp949"), id="header-without-charset"),
        pytest.param(
            "text/html",
            EUCKR_PAGE.replace("<head>", '<head><meta charset="euc-kr">').encode("cp949"),
            id="meta-euc-kr",
        ),
        pytest.param(
            "text/html; charset=euc-kr",
            EUCKR_PAGE.replace("<head>", '<head><meta charset="euc-kr">').encode("utf-8"),
            id="declared-euc-kr-but-utf8",
        ),
    ],
)
def test_euc_kr_page(content_type: str | None, encoded: bytes) -> None:
    page = extract_page(
        encoded, "http://www.example.co.kr/news/view.asp?no=7", content_type=content_type
    )
    assert page.title == "KT, AI 네트워크 얼라이언스 출범"
    assert page.body == "\n".join(EUCKR_PARAGRAPHS)
    assert "똠양꿍" in page.body and "햏자" in page.body
    assert page.lang == "ko"
    assert page.quality == "ok"


def test_gzipped_page_is_read() -> None:
    page = extract_page(gzip.compress(EUCKR_PAGE.encode("cp949")), "http://www.example.co.kr/a/1")
    assert page.body == "\n".join(EUCKR_PARAGRAPHS)


def test_english_page_with_jsonld_date() -> None:
    page = extract_page(
        ENGLISH_PAGE.encode("utf-8"), "https://news.example.com/2024/06/18/telco-ai-jv?ref=rss"
    )
    assert page.title == "Telcos sign AI joint venture deal"
    assert page.title_flags == ()
    assert page.canonical_url == "https://news.example.com/2024/06/18/telco-ai-jv"
    assert page.body == "\n".join(ENGLISH_PARAGRAPHS)
    assert page.lang == "en"
    assert page.quality == "ok"
    assert page.author == "Jane Doe"
    assert page.published_at == datetime(2024, 6, 18, 12, 5, tzinfo=UTC)
    assert page.date_source == "jsonld"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(b"", None, id="empty"),
        pytest.param(b"   \n\t ", "text/html", id="whitespace"),
        pytest.param(bytes(range(256)) * 8, None, id="garbage-bytes"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", id="pdf"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", id="png"),
        pytest.param("그냥 텍스트 파일입니다.".encode(), "text/plain", id="plain-text"),
        pytest.param(
            b"<html><head><title>x</title></head><body></body></html>", None, id="empty-html"
        ),
        pytest.param(b"<html><body><p>\xff\xfe<<<>>>&&&;;", None, id="malformed-html"),
        pytest.param(b"\x1f\x8b\x08\x00\x00\x00\x00\x00broken", None, id="broken-gzip"),
        pytest.param(b'{"not": "html"}', "application/json", id="json"),
    ],
)
def test_unreadable_input_falls_back_to_feed(content: bytes, content_type: str | None) -> None:
    page = extract_page(
        content,
        "https://www.example.co.kr/news/1",
        content_type=content_type,
        lang_hint="ko",
        **FEED,  # type: ignore[arg-type]
    )
    assert page.quality == "no_body"
    assert page.title == "피드 제목: SKT 합작법인 본계약"
    assert page.title_flags == ("속보",)
    assert page.body == "피드 요약 문장입니다."
    assert page.lead == "피드 요약 문장입니다."
    assert page.published_at == FEED["feed_published"]
    assert page.date_source == "feed"
    assert page.lang == "ko"


def test_unreadable_input_without_feed_data() -> None:
    page = extract_page(b"", "https://example.com/x")
    assert (page.quality, page.title, page.body, page.lead, page.published_at) == (
        "no_body",
        None,
        "",
        None,
        None,
    )


def test_listing_page_is_not_article() -> None:
    items = "".join(
        f'<li><a href="/news/{i}">통신사 인공지능 협력 소식 제{i}호가 나왔다는 헤드라인</a>'
        f"<span>2024-06-{10 + i % 9:02d}</span></li>"
        for i in range(30)
    )
    html = (
        "<html lang='ko'><head><title>IT 뉴스 목록 - 가상일보</title></head><body>"
        f"<div class='list'><h2>IT 뉴스</h2><ul>{items}</ul></div></body></html>"
    )
    page = extract_page(html.encode(), "https://www.example.co.kr/news/list?sc=it")
    assert page.quality == "not_article"


def test_short_page_is_too_short() -> None:
    html = (
        "<html lang='ko'><head><title>짧은 소식</title></head><body><article>"
        "<p>SK텔레콤은 19일 합작법인 본계약을 체결했다고 밝혔다. 자세한 내용은 추후 공개한다.</p>"
        "</article></body></html>"
    )
    page = extract_page(html.encode(), "https://www.example.co.kr/news/2")
    assert page.quality == "too_short"
    assert page.body.startswith("SK텔레콤은 19일")


def _article(head: str, paragraphs: list[str] = PARAGRAPHS_KO) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='ko'><head><title>합작법인 본계약</title>{head}</head>"
        f"<body><article>{body}</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("head", "url", "feed_published", "expected", "source"),
    [
        pytest.param(
            '<meta property="article:published_time" content="2024-06-19T09:30:00+09:00">',
            "https://www.example.co.kr/news/3",
            None,
            datetime(2024, 6, 19, 0, 30, tzinfo=UTC),
            "meta",
            id="meta-with-zone",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2024-06-19 09:30:00"}</script>'
            '<meta property="article:published_time" content="2024-06-20T09:30:00+09:00">',
            "https://www.example.co.kr/news/3",
            None,
            datetime(2024, 6, 19, 0, 30, tzinfo=UTC),
            "jsonld",
            id="jsonld-before-meta-kst-default",
        ),
        pytest.param(
            "",
            "https://n.news.naver.com/mnews/article/001/0014123951",
            None,
            datetime(2024, 6, 19, 2, 41, 7, tzinfo=UTC),
            "meta",
            id="naver-data-date-time",
        ),
        pytest.param(
            "",
            "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&oid=001&aid=0014123951",
            None,
            datetime(2024, 6, 19, 6, 48, tzinfo=UTC),
            "meta",
            id="naver-old-layout",
        ),
        pytest.param(
            "",
            "https://v.daum.net/v/20240619093000954",
            None,
            datetime(2024, 6, 19, 0, 30, tzinfo=UTC),
            "url",
            id="daum-id-carries-time",
        ),
        pytest.param(
            '<meta name="pubdate" content="2024.06.19 오후 3:48">',
            "https://www.example.co.kr/news/3",
            None,
            datetime(2024, 6, 19, 6, 48, tzinfo=UTC),
            "meta",
            id="korean-pm-format",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2024-06-19">',
            "https://www.example.co.kr/news/3",
            datetime(2024, 6, 19, 1, 15, tzinfo=UTC),
            datetime(2024, 6, 19, 1, 15, tzinfo=UTC),
            "feed",
            id="day-only-refined-by-feed",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2024-06-19">',
            "https://www.example.co.kr/news/3",
            datetime(2024, 5, 1, 1, 15, tzinfo=UTC),
            datetime(2024, 6, 18, 15, 0, tzinfo=UTC),
            "meta",
            id="day-only-feed-other-day",
        ),
        pytest.param(
            "",
            "https://www.example.co.kr/news/3",
            datetime(2024, 6, 19, 1, 15, tzinfo=UTC),
            datetime(2024, 6, 19, 1, 15, tzinfo=UTC),
            "feed",
            id="no-page-date-uses-feed",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2999-01-01T00:00:00+09:00">',
            "https://www.example.co.kr/news/3",
            datetime(2024, 6, 19, 1, 15, tzinfo=UTC),
            datetime(2024, 6, 19, 1, 15, tzinfo=UTC),
            "feed",
            id="future-date-rejected",
        ),
    ],
)
def test_publication_date(
    head: str, url: str, feed_published: datetime | None, expected: datetime, source: str
) -> None:
    paragraphs = PARAGRAPHS_KO
    if "n.news.naver" in url:
        paragraphs = [
            '<span class="media_end_head_info_datestamp_time _ARTICLE_DATE_TIME" '
            'data-date-time="2024-06-19 11:41:07">2024.06.19. 오전 11:41</span>',
            *PARAGRAPHS_KO,
        ]
    elif "news.naver" in url:
        paragraphs = [
            '<div class="sponsor">기사입력 <span class="t11">2024.06.19. 오후 3:48</span> '
            '최종수정 <span class="t11">2024.06.20. 오전 9:00</span></div>',
            *PARAGRAPHS_KO,
        ]
    page = extract_page(_article(head, paragraphs), url, feed_published=feed_published)
    assert page.published_at == expected
    assert page.published_at is not None and page.published_at.tzinfo == UTC
    assert page.date_source == source


def test_canonical_pointing_at_home_page_is_ignored() -> None:
    page = extract_page(
        _article('<link rel="canonical" href="https://www.example.co.kr/">'),
        "https://www.example.co.kr/news/articleView.html?idxno=5",
    )
    assert page.canonical_url is None


@pytest.mark.parametrize(
    ("head", "h1", "expected", "flags"),
    [
        pytest.param(
            "<title>SKT, AI 동맹 본계약 - 가상일보</title>",
            "",
            "SKT, AI 동맹 본계약",
            (),
            id="suffix",
        ),
        pytest.param(
            "<title>가상일보 :: SKT, AI 동맹 본계약</title>",
            "",
            "SKT, AI 동맹 본계약",
            (),
            id="prefix",
        ),
        pytest.param(
            "<title>SKT, AI 동맹 본계약 < 통신 < 기사본문 - 가상투데이</title>",
            "",
            "SKT, AI 동맹 본계약",
            (),
            id="cms-breadcrumb",
        ),
        pytest.param(
            "<title>SKT, AI 동맹 본계약 : 네이버 뉴스</title>",
            "",
            "SKT, AI 동맹 본계약",
            (),
            id="naver",
        ),
        pytest.param(
            "<title>[속보] SKT - KT 협력</title>",
            "",
            "SKT - KT 협력",
            ("속보",),
            id="dash-in-headline",
        ),
        pytest.param(
            '<title>가상일보</title><meta property="og:site_name" content="가상일보">'
            '<meta property="og:title" content="가상일보">',
            "<h1>[단독] 헤드라인은 여기에</h1>",
            "헤드라인은 여기에",
            ("단독",),
            id="og-title-is-site-name",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"headline": "JSON-LD 헤드라인"}</script><title>가상일보</title>',
            "",
            "JSON-LD 헤드라인",
            (),
            id="jsonld-headline",
        ),
    ],
)
def test_title(head: str, h1: str, expected: str, flags: tuple[str, ...]) -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_KO)
    html = f"<html><head>{head}</head><body>{h1}<article>{body}</article></body></html>"
    page = extract_page(html.encode(), "https://www.example.co.kr/news/10")
    assert (page.title, page.title_flags) == (expected, flags)
    assert page.body == "\n".join(PARAGRAPHS_KO)


def test_feed_title_used_when_page_has_none() -> None:
    html = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_KO)
    page = extract_page(
        (html + "</article></body></html>").encode(),
        "https://www.example.co.kr/news/9",
        feed_title="[단독] 피드에서 온 제목",
    )
    assert (page.title, page.title_flags, page.quality) == ("피드에서 온 제목", ("단독",), "ok")


@pytest.mark.parametrize(
    ("text", "declared", "hint", "expected"),
    [
        ("SK텔레콤은 글로벌 텔코 AI 얼라이언스 회의를 열었다고 밝혔다.", None, None, "ko"),
        ("SK Telecom said on Tuesday that the alliance signed the agreement.", "ko", None, "en"),
        ("A Telefónica assinou o acordo com a operadora ontem à tarde.", "pt-BR", None, "pt"),
        (
            "SK텔레콤과 KT, LG유플러스 등 통신 3사는 Deutsche Telekom, Singtel과 협력을 확대한다고 "
            "밝혔다.",
            "en",
            None,
            "ko",
        ),
        ("짧다", "ko-KR", "en", "ko"),
        ("short", None, "en", "en"),
        ("", None, None, None),
        ("Совместное предприятие операторов связи было создано в Копенгагене.", "ru", None, "ru"),
    ],
)
def test_detect_lang(
    text: str, declared: str | None, hint: str | None, expected: str | None
) -> None:
    assert detect_lang(text, declared, hint) == expected


def test_kst_is_plus_nine() -> None:
    assert datetime(2024, 6, 19, 9, 0, tzinfo=KST).astimezone(UTC).hour == 0


# Walls and layouts: paywalls, bot walls, a portal copy, English trade press, a full outlet page.

TEASER_EN = [
    "Deutsche Telekom and SK Telecom will test AI-native radio access networks in Munich and Seoul "
    "next year, the operators said, in the first joint field trial of the AI-RAN Alliance.",
    "The trial will run inference for customer services on the same GPU servers that process the "
    "radio signal, a design both companies say could cut the cost of edge AI by a third.",
]
SUBSCRIBE_BOX = (
    "<div class='paywall'><h3>Subscribe to continue reading</h3>"
    "<p>This article is available to subscribers only. Already a subscriber? "
    "<a href='/login'>Log in</a></p></div>"
)


def _english_page(jsonld_extra: str, paragraphs: list[str], after: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html lang='en'><head><title>DT and SKT to trial AI-RAN | Telco Ledger</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "DT and SKT to trial AI-RAN", "datePublished": "2026-11-20T08:00:00Z"'
        f"{jsonld_extra}}}</script></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>DT and SKT to trial AI-RAN</h1>{body}{after}</article></body></html>"
    ).encode()


def test_paywall_marked_in_jsonld_keeps_the_teaser() -> None:
    html = _english_page(', "isAccessibleForFree": false', TEASER_EN, SUBSCRIBE_BOX)
    page = extract_page(html, "https://ledger.example.com/news/dt-skt-airan", **FEED)
    assert page.quality == "paywalled"
    assert page.title == "DT and SKT to trial AI-RAN"
    assert page.body.startswith("Deutsche Telekom and SK Telecom will test")
    assert "subscriber" not in page.body.lower()
    assert page.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_paywall_found_by_its_korean_phrase() -> None:
    html = (
        "<html lang='ko'><head><title>SKT, AI 데이터센터 증설 - 가상경제</title></head><body>"
        f"<article><h1>SKT, AI 데이터센터 증설</h1><p>{PARAGRAPHS_KO[0]}</p>"
        "<div class='lock'>이 기사는 유료회원 전용 기사입니다. 로그인 후 전체 기사를 보실 수 "
        "있습니다.</div></article></body></html>"
    ).encode()
    page = extract_page(html, "https://www.example.co.kr/news/77", **FEED)
    assert page.quality == "paywalled"
    assert page.body.startswith("SK텔레콤은 18일")


def test_metered_page_served_in_full_is_an_article() -> None:
    html = _english_page(', "isAccessibleForFree": "False"', ENGLISH_PARAGRAPHS + TEASER_EN)
    page = extract_page(html, "https://ledger.example.com/news/full")
    assert page.quality == "ok"


def test_premium_menu_link_does_not_make_a_short_article_paywalled() -> None:
    html = (
        "<html lang='ko'><head><title>짧은 소식</title></head><body>"
        "<nav><a href='/premium'>프리미엄 회원 전용 콘텐츠</a></nav>"
        "<article><p>SK텔레콤은 19일 합작법인 본계약을 체결했다고 밝혔다. 자세한 내용은 추후 "
        "공개한다.</p></article></body></html>"
    ).encode()
    assert extract_page(html, "https://www.example.co.kr/news/3").quality == "too_short"


CLOUDFLARE_WALL = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta name="robots" content="noindex,nofollow"></head><body>
<div class="main-wrapper"><h1>www.example.co.kr</h1>
<h2>Checking if the site connection is secure</h2>
<form id="challenge-form" action="/news/1?__cf_chl_f_tk=x" method="POST"></form>
<noscript>Enable JavaScript and cookies to continue</noscript></div></body></html>"""

KOREAN_WALL = """<html lang="ko"><head><title>가상일보</title></head><body>
<div class="block"><p>비정상적인 접근이 감지되었습니다.</p>
<p>아래 자동입력 방지 문자를 입력해 주세요.</p><div class="g-recaptcha" data-sitekey="x"></div>
</div></body></html>""".encode()


@pytest.mark.parametrize("html", [CLOUDFLARE_WALL, KOREAN_WALL], ids=["cloudflare", "korean"])
def test_bot_wall_is_blocked_and_keeps_the_feed_item(html: bytes) -> None:
    page = extract_page(html, "https://www.example.co.kr/news/1", lang_hint="ko", **FEED)
    assert page.quality == "blocked"
    assert page.title == "피드 제목: SKT 합작법인 본계약"
    assert page.title_flags == ("속보",)
    assert page.body == "피드 요약 문장입니다."
    assert page.published_at == FEED["feed_published"]
    assert page.date_source == "feed"


def test_captcha_in_a_comment_form_does_not_block_an_article() -> None:
    comment_form = (
        "<section id='comments'><h3>댓글</h3><form><textarea></textarea>"
        "<div class='g-recaptcha' data-sitekey='x'></div></form></section>"
    )
    html = KOREAN_PAGE.replace("</article>", f"</article>{comment_form}").encode()
    page = extract_page(html, "https://www.example.co.kr/news/articleView.html?idxno=1001")
    assert page.quality == "ok"
    assert page.body.startswith(PARAGRAPHS_KO[0])


PORTAL_COPY = f"""<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>SKT, 글로벌 텔코 AI 합작법인 본계약 : 네이버 뉴스</title>
<meta property="og:title" content="SKT, 글로벌 텔코 AI 합작법인 본계약">
<meta property="og:article:author" content="가상일보 | 네이버">
</head><body>
<div id="gnb"><a href="/">네이버</a> <a href="/news">뉴스</a> <a href="/sports">스포츠</a></div>
<div class="media_end_head">
<h2 id="title_area"><span>SKT, 글로벌 텔코 AI 합작법인 본계약</span></h2>
<span class="media_end_head_info_datestamp_time _ARTICLE_DATE_TIME"
 data-date-time="2026-11-19 09:30:11">2026.11.19. 오전 9:30</span>
<div>본문 요약봇</div><div>음성재생 설정</div>
</div>
<div id="newsct_article"><article id="dic_area">
[가상일보 홍길동 기자] {PARAGRAPHS_KO[0]}<br><br>{PARAGRAPHS_KO[1]}<br><br>
{PARAGRAPHS_KO[2]}<br><br>{PARAGRAPHS_KO[3]}<br><br>
홍길동 기자 hong@example.co.kr<br>
Copyright ⓒ 가상일보. All rights reserved. 무단 전재 및 재배포 금지.
</article></div>
<p>기사의 섹션 정보는 해당 언론사의 분류를 따릅니다.
언론사는 개별 기사를 2개 이상 섹션으로 중복 분류할 수 있습니다.</p>
<div class="related"><h4>가상일보 주요 뉴스</h4><ul><li><a href="/r/1">KT, 위성 통신 시험</a></li>
<li><a href="/r/2">LG유플러스 요금제 개편</a></li></ul></div>
<footer>네이버 뉴스 ⓒ NAVER Corp.</footer></body></html>"""


def test_portal_copy() -> None:
    page = extract_page(
        PORTAL_COPY.encode(), "https://n.news.naver.com/mnews/article/999/0000012345"
    )
    assert page.quality == "ok"
    assert page.title == "SKT, 글로벌 텔코 AI 합작법인 본계약"
    assert page.body.split("\n") == PARAGRAPHS_KO
    assert page.published_at == datetime(2026, 11, 19, 0, 30, 11, tzinfo=UTC)  # 09:30:11 KST
    assert page.date_source == "meta"
    assert page.lang == "ko"


TRADE_PRESS = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Singtel and e& link AI data centres | Telco Ledger</title>
<meta property="og:site_name" content="Telco Ledger">
<meta property="og:type" content="article">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2026-11-18T07:15:00+00:00">
</head><body>
<header><a href="/">Telco Ledger</a><nav><a href="/5g">5G</a> <a href="/ai">AI</a>
<a href="/events">Events</a> <a href="/newsletter">Newsletter</a></nav></header>
<div class="layout"><main><article>
<h1>Singtel and e& link AI data centres</h1>
<p class="byline">By Jane Doe | November 18, 2026</p>
<p>{ENGLISH_PARAGRAPHS[0]}</p><p>{ENGLISH_PARAGRAPHS[1]}</p>
<figure><img src="/img/dc.jpg"><figcaption>Photo: Example Media</figcaption></figure>
<p>{ENGLISH_PARAGRAPHS[2]}</p>
<div class="share">Share this article <a href="#">Share on LinkedIn</a></div>
</article></main>
<aside class="sidebar"><h3>Most Read</h3><ul>
<li><a href="/a/1">Vodafone picks new core vendor for Europe</a></li>
<li><a href="/a/2">Spectrum auction raises record sum in Germany</a></li></ul>
<div class="newsletter">Sign up for our daily briefing on telecom strategy</div></aside></div>
<footer><p>About us · Contact · Advertise</p><p>(c) 2026 Telco Ledger Ltd.</p></footer>
</body></html>"""


def test_english_trade_press_page() -> None:
    page = extract_page(TRADE_PRESS.encode(), "https://ledger.example.com/ai/singtel-e-and")
    assert page.quality == "ok"
    assert page.title == "Singtel and e& link AI data centres"
    assert page.author == "Jane Doe"
    assert page.site_name == "Telco Ledger"
    assert page.lang == "en"
    assert page.published_at == datetime(2026, 11, 18, 7, 15, tzinfo=UTC)
    for junk in ("Vodafone", "Sign up", "Share", "Photo:", "About us", "Telco Ledger Ltd"):
        assert junk not in page.body
    assert page.body.endswith(ENGLISH_PARAGRAPHS[2])


OUTLET_PAGE = f"""<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>KT, AI-RAN 얼라이언스 합류 - 가상전자신문</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="가상전자신문">
<meta property="article:published_time" content="2026-11-17T14:20:00+09:00">
</head><body>
<div id="top"><a href="/">가상전자신문</a> <a href="/login">로그인</a>
<a href="/join">회원가입</a></div>
<nav id="gnb"><ul><li><a href="/it">IT·통신</a></li><li><a href="/sw">SW</a></li>
<li><a href="/bio">바이오</a></li><li><a href="/people">오피니언</a></li></ul></nav>
<div id="container"><div id="article-view">
<h1 class="headline">KT, AI-RAN 얼라이언스 합류</h1>
<div class="info"><span>입력 2026.11.17 14:20</span><span>김철수 기자</span></div>
<div id="article-view-content">
<p>(서울=가상전자신문) 김철수 기자 = {EUCKR_PARAGRAPHS[0]}</p>
<p>{EUCKR_PARAGRAPHS[1]}</p><p>▲ KT 연구원들이 시험망을 점검하고 있다. (사진=KT 제공)</p>
<p>{EUCKR_PARAGRAPHS[2]}</p>
<p>김철수 기자 kim@example.co.kr</p>
</div>
<div class="related"><strong>관련기사</strong><ul><li><a href="/n/1">SKT, 6G 백서 발간</a></li>
<li><a href="/n/2">LG유플러스, 양자암호 확대</a></li></ul></div>
</div>
<div id="sidebar"><h3>많이 본 기사</h3><ol><li><a href="/p/1">반도체 수출 석 달째 증가</a></li>
<li><a href="/p/2">통신요금 인하 논의 본격화</a></li></ol>
<div class="ad">광고</div></div></div>
<footer id="footer"><p>서울특별시 가상구 가상로 1 | 발행인 홍길동 | 청소년보호책임자 이영희</p>
<p>Copyright © 가상전자신문. All rights reserved. 무단전재 및 재배포 금지</p></footer>
</body></html>"""


def test_outlet_page_with_nav_sidebar_and_footer() -> None:
    page = extract_page(
        OUTLET_PAGE.encode(), "https://www.example.co.kr/news/articleView.html?idxno=7"
    )
    assert page.quality == "ok"
    assert page.title == "KT, AI-RAN 얼라이언스 합류"
    assert page.site_name == "가상전자신문"
    assert page.body.split("\n") == EUCKR_PARAGRAPHS
    assert page.lead == EUCKR_PARAGRAPHS[0]
    assert page.published_at == datetime(2026, 11, 17, 5, 20, tzinfo=UTC)
    assert page.author == "김철수"


def _english_article(body: str, head: str = "") -> bytes:
    return (
        "<html lang='en'><head><title>Telcos sign AI joint venture deal</title>"
        '<meta property="og:title" content="Telcos sign AI joint venture deal">'
        f"{head}</head><body><main>{body}</main></body></html>"
    ).encode()


TEASERS = [
    "An unrelated post about choosing a home router, with a teaser long enough to read as prose.",
    "Another unrelated post about phone cases and screen protectors that reads as a paragraph.",
]


@pytest.mark.parametrize(
    ("body", "expected", "absent"),
    [
        pytest.param(
            f'<div class="wrap"><div class="article-body"><p>{ENGLISH_PARAGRAPHS[0]}</p></div>'
            '<div class="ad-slot">Advertisement</div>'
            f'<div class="article-body"><p>{ENGLISH_PARAGRAPHS[1]}</p>'
            f"<p>{ENGLISH_PARAGRAPHS[2]}</p></div></div>",
            ENGLISH_PARAGRAPHS,
            "Advertisement",
            id="split-body-chunks-merged",
        ),
        pytest.param(
            f'<article class="post"><p>{ENGLISH_PARAGRAPHS[0]}</p><p>{ENGLISH_PARAGRAPHS[1]}</p>'
            f"<p>{ENGLISH_PARAGRAPHS[2]}</p></article>"
            '<article class="post"><h3>You may also like...</h3>'
            f'<article class="post"><p>{TEASERS[0]}</p></article>'
            f'<article class="post"><p>{TEASERS[1]}</p></article></article>',
            ENGLISH_PARAGRAPHS,
            "unrelated post",
            id="related-block-headed-by-its-title",
        ),
        pytest.param(
            f'<div class="story"><p>{ENGLISH_PARAGRAPHS[0]}</p><h4>Read more</h4>'
            f'<ul><li><a href="/x">{TEASERS[0]}</a></li><li><a href="/y">{TEASERS[1]}</a></li>'
            f"</ul><p>{ENGLISH_PARAGRAPHS[1]}</p><p>{ENGLISH_PARAGRAPHS[2]}</p></div>",
            ENGLISH_PARAGRAPHS,
            "unrelated post",
            id="related-heading-and-its-list-inside-the-article",
        ),
        pytest.param(
            '<div class="story"><p>SK Telecom chief <span class="card"><a href="/p/ceo">Ryu Young'
            '</a><span class="box"><a href="/a/1">Ryu Young opens AI data centre in Ulsan</a> '
            '<a href="/a/2">Ryu Young visits Copenhagen partners</a> <a href="/more">MORE</a>'
            "</span></span> said the partners would share engineers and data, and that the "
            f"venture would be set up this year.</p><p>{ENGLISH_PARAGRAPHS[1]}</p>"
            f"<p>{ENGLISH_PARAGRAPHS[2]}</p></div>",
            [
                "SK Telecom chief Ryu Young said the partners would share engineers and data, "
                "and that the venture would be set up this year.",
                *ENGLISH_PARAGRAPHS[1:],
            ],
            "Copenhagen partners",
            id="hover-card-link-list-inside-a-sentence",
        ),
    ],
)
def test_page_layout_repairs(body: str, expected: list[str], absent: str) -> None:
    page = extract_page(_english_article(body), "https://news.example.com/2024/06/18/jv")
    assert page.body.split("\n") == expected
    assert absent not in page.body


def test_related_box_holding_the_article_itself_is_kept() -> None:
    """Broken markup can nest the article in a "top news" box; the headline inside keeps it."""
    body = (
        '<div class="top-news"><h4>Example News 주요뉴스</h4><ul><li><a href="/a">다른 기사</a>'
        "</li></ul><h2>Telcos sign AI joint venture deal</h2>"
        + "".join(f"<p>{p}</p>" for p in ENGLISH_PARAGRAPHS)
        + "</div>"
    )
    page = extract_page(_english_article(body), "https://news.example.com/2024/06/18/jv")
    assert page.body.split("\n")[-3:] == ENGLISH_PARAGRAPHS


@pytest.mark.parametrize(
    ("header", "url", "expected"),
    [
        pytest.param(
            "<div class='info'>입력 2024.06.19(수) 09:30 | 수정 2024.06.21 10:00</div>",
            "https://www.example.co.kr/news/3",
            datetime(2024, 6, 19, 0, 30, tzinfo=UTC),
            id="korean-input-before-modified",
        ),
        pytest.param(
            "<div class='info'>기사입력 :[ 2024-06-19 15:24 ]</div>",
            "https://www.example.co.kr/news/3",
            datetime(2024, 6, 19, 6, 24, tzinfo=UTC),
            id="korean-bracketed-kst",
        ),
        pytest.param(
            "<p class='meta'>Published: 2024-06-19 14:05</p>",
            "https://news.example.com/story/3",
            datetime(2024, 6, 19, 14, 5, tzinfo=UTC),
            id="english-published-label-utc",
        ),
    ],
)
def test_publication_date_labelled_in_the_text(header: str, url: str, expected: datetime) -> None:
    if url.endswith(".kr/news/3"):
        content = _article("", [header, *PARAGRAPHS_KO])
    else:  # an English page: a time without a zone is UTC
        content = _english_article(header + "".join(f"<p>{p}</p>" for p in ENGLISH_PARAGRAPHS))
    page = extract_page(content, url)
    assert (page.published_at, page.date_source) == (expected, "text")


def _demo_pages() -> list[tuple[str, bytes]]:
    from demo.manifest import load_manifest, read_content

    return [
        (str(page.file), read_content(page.file))
        for page in load_manifest().pages
        if page.header_content_type.startswith("text/html")
    ]


@pytest.mark.parametrize(("name", "content"), _demo_pages(), ids=lambda v: str(v)[:40])
def test_metadata_matches_trafilatura_extract_metadata(name: str, content: bytes) -> None:
    """``_metadata`` replays ``trafilatura.extract_metadata`` minus categories, tags, licence and
    date; the fields newsmon reads must stay what trafilatura's own function gives (this fails
    when a trafilatura upgrade changes its steps), and the date is the one htmldate gives with
    newsmon's parameters when asked."""
    from trafilatura import extract_metadata
    from trafilatura.utils import load_html

    from tasks.charset import decode_html
    from tasks.extraction import _htmldate, _htmldate_params, _metadata

    url = f"https://news.example.com/{name}"
    tree = load_html(decode_html(content, None)[0])
    assert tree is not None
    ours = _metadata(tree, url)
    theirs = extract_metadata(tree, url, _htmldate_params())
    fields = ("title", "author", "url", "sitename")
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert _htmldate(tree, ours.url)() == theirs.date
