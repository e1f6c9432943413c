"""Removal of Korean (and some English) press and portal boilerplate from extracted article text.

trafilatura finds the article block, but Korean outlets put their boilerplate *inside* it:
reporter bylines at the start (``[가상일보=홍길동 기자]``, ``(서울=연합뉴스) 홍길동 기자 =``),
e-mails and ``(끝)`` at the end, copyright lines, photo captions and credits (often printed
twice), related-article lists, share widgets, and the notices that Naver, Daum and ZUM inject
into their copies. Left in, they create false entity mentions ("네이버밴드", "카카오스토리"),
break near-duplicate detection between syndicated copies and pad the lead. The patterns come
from telecom-facts.md §5–6.

The constraint that shapes every rule: a real article sentence is never removed. Rules therefore
match whole lines whose *shape* is boilerplate (short, a credit, a byline, a UI token list), or
anchored prefixes/suffixes of a line; a sentence that merely contains "제공" or "기자" stays.

English (and trade-press) pages get the same treatment for their own furniture: newsletter and
"follow us" prompts, reporter contact lines, reprint notices, blog meta lines, "Related:" and
"Don't miss" lists, and the company profile that closes a press release ("X is a global provider
…, headquartered in …"), which would otherwise add the partner's name to every mention count.

``clean_body`` and ``split_title_prefix`` are pure functions over text.
"""

from __future__ import annotations

import html
import re

__all__ = ["RELATED_HEADING", "clean_body", "split_title_prefix"]

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")

_NAME = r"[가-힣]{2,4}"
_NAMES = rf"{_NAME}(?:[\s·,]+{_NAME}){{0,3}}"
_ROLE = (
    r"(?:선임|수석|객원|인턴|전문|편집|취재)?"
    r"(?:기자|특파원|통신원|앵커|리포터|논설위원|에디터|칼럼니스트|기자단)"
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_HIDDEN_EMAIL = r"\[\s*email\s*(?:&#160;|\s)*protected\s*\]"
_ANY_EMAIL = rf"(?:{_EMAIL}|{_HIDDEN_EMAIL})"
_PRESS_PREFIX = r"(?:[^\s=/<>\[\].]{1,20}\s?=\s?)"  # "디일렉=" / "바르셀로나=" before a name

# A line that is only a byline: "홍길동 기자", "/양철민기자 chopin@sedaily.com",
# "<김규태기자 x@y.kr>", "디일렉=윤상호 기자 [email protected]", optionally followed by "(끝)".
_BYLINE_LINE = re.compile(
    rf"^[/<\[(]?\s*{_PRESS_PREFIX}?{_NAMES}\s?{_ROLE}"
    rf"(?:\s*[/|,]?\s*{_ANY_EMAIL})*\s*[>\])]?\s*(?:\(끝\))?$"
)
_ROLE_FIRST_LINE = re.compile(rf"^{_ROLE}\s?{_NAME}(?:\s*{_ANY_EMAIL})?$")
_EMAIL_LINE = re.compile(rf"^[<(\[]?\s*{_ANY_EMAIL}\s*[>)\]]?\s*(?:\(끝\))?$")
# The same byline glued to the end of the last paragraph; an e-mail is required there.
_BYLINE_TAIL = re.compile(
    rf"\s*[/<\[(]?\s*{_PRESS_PREFIX}?{_NAMES}\s?{_ROLE}\s*{_ANY_EMAIL}\s*[>\])]?\s*(?:\(끝\))?\s*$"
)
_EMAIL_TAIL = re.compile(rf"\s+[<(\[]?{_ANY_EMAIL}[>)\]]?\s*$")
_END_TAIL = re.compile(r"\s*\((?:끝|END)\)\s*$")
_SLASH_CREDIT_LINE = re.compile(r"^/\s*[\w가-힣.&]{2,12}$")

# Lead bylines are removed from the start of the first lines only.
_LEAD_SQUARE = re.compile(r"^\s*[\[【](?P<inner>[^\[\]【】\n]{1,50}?)[\]】]\s*")
_LEAD_PAREN = re.compile(r"^\s*\((?P<inner>[^()\n]{1,40})\)\s*")
_LEAD_NAMES = re.compile(
    rf"^{_PRESS_PREFIX}?{_NAMES}\s?{_ROLE}(?![가-힣])\s*(?:{_ANY_EMAIL}\s*)?[=|]\s*"
)
_LEAD_PLAIN = re.compile(rf"^(?:[^\s|=\[\]{{}}]{{1,15}}\s)?{_NAMES}\s?{_ROLE}\s*[=|]\s*")
_ROLE_AT_END = re.compile(rf"{_ROLE}\s*$")
_CREDIT_WORD = re.compile(r"^\s*(?:사진|그래픽|자료|이미지|영상|출처|일러스트|제공)")

# Copyright lines (§6a) and the standalone "no reproduction" notices.
_COPYRIGHT = re.compile(
    r"(?:[<\[(【]\s*)?(?:Copyright\b|COPYRIGHT\b|저작권자|ⓒ|©|\([cC]\))\s*(?:ⓒ|©|\([cC]\))?"
    r"[^\n]{0,80}?(?:무단\s?전재|무단\s?복제|무단\s?배포|재배포\s?금지|All\s+rights\s+reserved)[^\n]*",
    re.IGNORECASE,
)
_COPYRIGHT_MARK = re.compile(r"[ⓒ©]|copyright|저작권자|\(c\)", re.IGNORECASE)
"""A cheap test that a line can hold a copyright notice, before ``_COPYRIGHT``'s slow scan."""
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_RIGHTS_LINE = re.compile(
    r"^[<\[(【]?[^\n]{0,40}?(?:무단\s?전재|무단\s?복제|무단\s?배포|재배포|재판매\s?및\s?DB)"
    r"[^\n]{0,40}금지[^\n]{0,40}$"
)
_NEWSIS = re.compile(r"◎\s*공감언론\s*뉴시스")
# A bare notice such as "(c) 2026 Asia Telco Wire" or "© 가상일보": a mark, a year, a short name.
_BARE_COPYRIGHT = re.compile(
    r"^(?:\([cC]\)|©|ⓒ|Copyright\b)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?[^\n.!?。]{0,50}\.?$"
)

# Photo captions and credits (§6c).
_CREDIT_KEY = r"(?:사진|그래픽|자료|이미지|출처|일러스트|사진\s?제공|자료\s?제공|사진\s?출처)"
_BRACKET_CREDIT = re.compile(
    rf"[\[(<]\s*{_CREDIT_KEY}\s*(?:제공)?\s*[=:/]?\s*[^\[\]()<>\n]{{1,30}}?\s*[\])>]"
    r"|[\[(]\s*[^\[\]()\n]{1,25}?\s?제공(?:\s*[.,]?\s*재판매\s?및\s?DB\s?금지)?\s*[\])]"
)
_LINE_END_CREDIT = re.compile(
    rf"(?:^|[\s./])\s*{_CREDIT_KEY}\s*(?:제공)?\s*[=/:]\s*[^\n=]{{1,30}}$"
    r"|(?:[.)]\s+|/\s*)[^\s./][^\n./]{0,25}\s?제공[\])]?$"
)
_ORG_CREDIT_LINE = re.compile(r"^[/\[(<]?\s*(?P<org>\S{1,20}(?:\s\S{1,20})?)\s?제공[\])>]?$")
_NOT_AN_ORG = frozenset(
    {
        *("무료", "무상", "정보", "서비스", "혜택", "기능", "추가", "추가로"),
        *("함께", "동시", "우선", "별도", "직접", "실시간", "데이터", "콘텐츠"),
    }
)
_CREDIT_ONLY = re.compile(
    rf"^[\[(<]\s*{_CREDIT_KEY}\s*(?:제공)?\s*[=:/]?\s*[^\[\]()<>\n]{{1,30}}\s*[\])>]$"
    rf"|^{_CREDIT_KEY}\s*(?:제공)?\s*[=:/]\s*[^\n]{{1,30}}$"
    r"|^[ⓒ©@]\s*\S[^\n]{0,29}$|^<\s*[^<>\n]{1,30}\s*>$"
)
_CAPTION_MARKS = re.compile(r"ⓒ|©|사진|제공|촬영|\(왼쪽|왼쪽부터|오른쪽부터|\(오른쪽")
_CAPTION_END = re.compile(r"(?:있다|모습|있는 모습|기념촬영|포즈를 취했다)\.?\s*$")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp)\s*\]?$", re.IGNORECASE)
_ENGLISH_CREDIT = re.compile(
    r"\((?:Source|Courtesy of|Graphics? by|Photo(?: by)?|Image(?: credit)?|Credit)s?"
    r"\s*:?\s*[^()\n]{1,60}\)\s*$",
    re.IGNORECASE,
)
_ENGLISH_CREDIT_LINE = re.compile(
    r"^(?:Photo|Image|Credit|Photograph|Illustration)(?: credit| by)?\s*:\s*[^\n]{1,60}$",
    re.IGNORECASE,
)

# Portal notices (§5a–c) and other phrases removed wherever they appear in a line.
_PORTAL_PHRASES = re.compile(
    "|".join(
        (
            r"언론사\s?페이지\(아웃링크\)로 이동해 볼 수 있습니다\.?",
            r"(?:이\s?)?(?:개별\s?)?기사의?\s?(?:카테고리|섹션\s?정보)[^.\n]{0,30}?분류를\s?따(?:릅니다|르고\s?있습니다)\.?",
            r"언론사는 개별 기사를 \d+개 이상 섹션으로 중복 분류할 수 있습니다\.?",
            r"오분류\s?제보하기",
            r"AI 자동 인식으로 제공되는[^.\n]{0,80}\.?",
            r"기술 기반의 자동 분류 시스템[^.\n]{0,80}\.?",
            r"(?:네이버|Naver) 메인에서 보고 싶은 언론사를 구독하세요\.?",
            r"자동 추출 기술로 요약된 내용입니다\.?(?:[^.\n]{0,80}\.)?",
            r"본문 요약봇",
            r"자동요약\s*기사 제목과 주요 문장을 기반으로 자동요약한 결과입니다\.?",
            r"전체 맥락을 이해하기 위해서는 본문 보기를 권장합니다\.?",
            r"음성재생\s?설정",
            r"번역\s?beta\s*Translated by kaka i",
            r"Translated by kaka i",
            r"글자크기\s?설정\s*파란원을 좌우로 움직이시면 글자크기가 변경\s?됩니다\.?",
            r"이 글자크기로 변경됩니다\.?",
            r"\(예시\)\s*가장 빠른 뉴스가 있고 다양한 정보, 쌍방향 소통이 숨쉬는 "
            r"다음뉴스를 만나보세요\.?[^\n]*",
            r"<?\s*이미지를 클릭하시면 크게 보실 수 있습니다\.?\s*>?",
            r"컨텐츠 바로가기",
            r"댓글\s*첫 댓글을 작성해보세요\.?",
            r"주소복사가 완료되었습니다\.?",
            r"후속기사가 이어집니다\.?",
            r"◎\s*공감언론\s*뉴시스",
        )
    )
)
_END_MARKERS = re.compile(r"이 기사에 대해 어떻게 생각하시나요|해당 언론사로 이동합니다")

# Share widgets, UI labels and page furniture (§6d): a line made only of these goes.
_UI_PHRASES = frozenset(
    s.casefold()
    for s in (
        "이 기사를 공유합니다",
        "본문 글씨 키우기",
        "본문 글씨 줄이기",
        "글자 크기",
        "글자크기",
        "글씨크기",
        "글자크게",
        "글자작게",
        "작게보기",
        "기본크기",
        "크게보기",
        "광고 로드중",
        "SNS 기사보내기",
        "기사보내기",
        "기사공유",
        "기사 공유",
        "URL 복사",
        "URL복사",
        "링크 복사",
        "링크복사",
        "주소 복사",
        "기사 듣기",
        "음성으로 듣기",
        "요약봇",
        "구독하기",
        "구독해지",
        "구독중",
        "로그인이 필요합니다",
        "Share this article",
        "Share on Facebook",
        "Share on Twitter",
        "Share on LinkedIn",
        "Copy link",
        "Read more",
        "Continue reading",
        "Sign up",
        "Order Reprints",
        "Print Article",
        "Thank you",
        "This article has been sent to",
        "An error has occurred, please try again later.",
        "Tell us what you think",
        "Tell us what you think...",
        "Leave a comment",
        "Leave a reply",
    )
)
_UI_WORDS = frozenset(
    s.casefold()
    for s in (
        "카카오스토리",
        "카카오톡",
        "카카오",
        "네이버밴드",
        "밴드",
        "페이스북",
        "트위터",
        "엑스",
        "X",
        "라인",
        "링크드인",
        "텔레그램",
        "인쇄",
        "인쇄하기",
        "프린트",
        "스크랩",
        "공유",
        "공유하기",
        "좋아요",
        "싫어요",
        "추천",
        "닫기",
        "광고",
        "메일",
        "이메일",
        "지면보기",
        "구독",
        "댓글",
        "바로가기",
        "가",
        "가+",
        "가-",
        "+",
        "-",
        "print",
        "share",
        "tweet",
        "email",
        "facebook",
        "twitter",
        "linkedin",
        "whatsapp",
        "reddit",
        "advertisement",
        "ad",
        "image",
        "photo",
        "close",
        "comments",
        "comment",
    )
)
_UI_SPLIT = re.compile(r"\s*[/|·•]\s*")
_UI_LINE = re.compile(
    r"^(?:댓글\s*\d*|[가-힣A-Za-z]{1,6}\s?\d{1,2}면|\d+\s+min(?:ute)?s?\s+read|@?게티이미지뱅크"
    r"|Photo Image|AD 원본보기 아이콘|원본보기 아이콘|\((?:끝|END)\)|Copyrights?"
    r"|\d{1,2}\.\d{1,2}\s*\([월화수목금토일]\))$",
    re.IGNORECASE,
)
_WEATHER = re.compile(r"℃.*(?:기상청\s?제공|맑음|흐림|구름)|(?:맑음|흐림|구름많음).*℃")
_PROMO = re.compile(
    r"제보는\s?카(?:카오)?톡|okjebo|구독\s?하기|(?:네이버|다음)에서 .{0,20}구독"
    r"|▶\s*(?:네이버|다음|유튜브)"
)
_META_LINE = re.compile(
    r"^(?:(?:입력|수정|승인|기사승인|등록|발행|업데이트|최종수정|최종편집|기사입력|송고시간|게재|작성)"
    r"\s*[:：]?\s*[\[(]?\s*\d{2,4}\s*[-./년]|기자명\s|(?:Published|Updated|Posted)(?:\s+(?:at|on))?\s*:?\s*\d)"
    rf"|^{_NAME}\s?{_ROLE}\s+\d{{4}}\s?[-.]\s?\d{{1,2}}\s?[-.]\s?\d{{1,2}}"
)
# English promotion and contact lines: a sentence that starts with an imperative sign-up or
# follow, or a contact line with an address; only in lines short enough to be a box, not prose.
_PROMO_SENTENCE = re.compile(
    r"(?:^|[.!?]\s+)(?:sign up (?:for|to|now|today|here)|subscribe (?:to|now|today|here)"
    r"|download (?:our|the) \S+ app"
    r"|follow (?:us|him|her|them|me) (?:on|at) (?:twitter|facebook|instagram|linkedin|x\b)"
    r"|get (?:access to|\S+(?:\s\S+){0,6} (?:delivered|right in your inbox|in your inbox)))",
    re.IGNORECASE,
)
_CONTACT_LINE = re.compile(
    rf"^(?:write to|contact|e-?mail|reach)\s[^\n]{{0,60}}\b{_EMAIL}\.?$"
    rf"|^have a (?:news )?tip\?[^\n]{{0,80}}(?:reached at|contact|e-?mail)[^\n]{{0,40}}{_EMAIL}",
    re.IGNORECASE,
)
_PROMO_MAX_CHARS = 300
# Page furniture with a leading list dash ("- Print Article"); a line that is only a site's
# address (what is left of a copyright line split around its link). A URL with a path stays:
# deal and link-roundup posts list them as content.
_DASH_ITEM = re.compile(r"^[-–•]\s+")
_HOST_LINE = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?$", re.IGNORECASE)
_REPRINT_NOTICE = re.compile(
    r"^this copy is for your personal,? non-?commercial use only", re.IGNORECASE
)
# A blog post's meta line: "05/10/2018 - Posted by: X - Category: Y - Tags: z" (two labels or more).
_POST_META_LABEL = re.compile(
    r"(?:publicado por|posted by|published by|written by|categor(?:ia|y|ies|ía)|tags?|etiquetas"
    r"|filed under)\s*:",
    re.IGNORECASE,
)
_POST_META_MAX_CHARS = 200
# A company profile at the end of a press release ("X is a global provider … headquartered in …").
_PROFILE_MARKER = re.compile(
    r"\bis (?:a|an|the) (?:global|leading|world[- ]?leading|worldwide|premier|pioneering"
    r"|multinational|international)\b|\bheadquartered in\b"
    r"|\bemploys (?:around |about |over |more than )?[\d,.]+|\b(?:is|are) listed on\b"
    r"|\bsubsidiaries in\b|\bfounded in \d{4}\b"
    r"|\bfor more information,? (?:please )?visit\b",
    re.IGNORECASE,
)
_PROFILE_MIN_MARKERS = 2
_PROFILE_MAX_LINE = 700
# A paywall's prompt printed inside the article block (the teaser stays, the prompt goes).
_PAYWALL_PROMPT = re.compile(
    r"^(?:subscribe (?:now )?to (?:continue|keep) reading|to (?:continue|keep) reading,? "
    r"|this (?:article|story|content) is (?:only )?(?:available|reserved|exclusive) "
    r"|already a subscriber|unlock (?:this|the full) (?:article|story)"
    r"|(?:이 )?기사는 유료|유료\s?회원\s?전용|구독자\s?전용|로그인\s?후\s?(?:기사|전체|본문))",
    re.IGNORECASE,
)
_HEADLINE_LIST_LINE = re.compile(r"^-\s.{4,}\s-\s[^\s-][^-]{0,14}$")  # "- {headline} - 매일경제"
RELATED_HEADING = re.compile(
    r"^[▶▷■□◆◇●○★☆\-\W_\s]*(?:관련\s?기사|관련\s?뉴스|연관\s?기사"
    r"|함께\s?(?:보면|읽으면)\s?좋은\s?(?:기사|뉴스)|(?:\S{1,15}\s)?주요\s?뉴스"
    r"|이 시각\s?(?:주요|인기)\s?뉴스|많이\s?본\s?(?:뉴스|기사)|인기\s?기사|추천\s?기사"
    r"|브랜드 뉴스룸"
    r"|related(?:\s+(?:articles?|stories|news|content|posts|reading|coverage))?"
    r"|(?:you|we think you)\s+(?:may|might|will)\s+(?:also\s+)?(?:like|enjoy|be interested in)"
    r"|recommended(?:\s+(?:for you|stories|articles|reading))?|more\s+(?:stories|news|articles)"
    r"|read\s+(?:more|next|also)|see\s+also|also\s+read|don['’]?t\s+miss|most\s+(?:read|popular)"
    r"|(?:leia|veja)\s+(?:também|mais)|voc[êe]\s+(?:pode|também pode)\s+gostar"
    r"|(?:not[íi]cias|artigos|posts|art[íi]culos|noticias)\s+relacionad[oa]s"
    r"|te\s+puede\s+interesar|lea\s+también|(?:[àa]\s+)?lire\s+aussi"
    r"|leggi\s+anche|baca\s+juga|berita\s+terkait|читайте\s+также|ähnliche\s+artikel)"
    r"(?:\s*\d+면)?[\W_]*$",
    re.IGNORECASE,
)
"""A heading that opens a list of other articles ("관련기사", "You may also like", "Leia também");
tasks.page_tree uses it on page headings, ``clean_body`` on text lines."""
# "Related: {headline}" / "Read more: {headline}": the header and its first entry on one line.
_RELATED_INLINE = re.compile(
    r"^(?:related|read (?:more|next|also)|see also|also read|(?:leia|veja) também|관련\s?기사)"
    r"\s*[:：]\s*\S",
    re.IGNORECASE,
)
_LIST_BULLET = re.compile(r"^[▶▷☞·•\-◆◇■□○●→※]")
_SENTENCE_END = re.compile(r"[.?!。…\"'”’]\s*$|다\s*$")

_REPEAT_WINDOW = 3
_LONG_PROSE = 150
_PROSE_END = re.compile(r"(?:[.。]|다)[\"'”’)]?\s*$")

_LEADING_GLYPHS = re.compile(r"^[△▲■□◆◇━─]+\s*")
_TRAILING_GLYPHS = re.compile(r"\s*[━─]+$")

_TITLE_LABEL = re.compile(r"^\s*[\[【〔]\s*(?P<flag>[^\]】〕\n]{1,20}?)\s*[\]】〕]\s*")
_KNOWN_LABELS = (
    r"속보|단독|종합\d?보?|\d보|긴급|포토|사진|영상|인터뷰|기고|사설|칼럼|인사|부고|알림|게시판"
    r"|LEAD|URGENT|\d+(?:st|nd|rd|th) LD|News Focus|Yonhap Interview|Yonhap Feature"
    r"|AMENDED|CORRECTED|UPDATE\s?\d*"
)
_TITLE_PAREN_LABEL = re.compile(
    rf"^\s*[(<〈]\s*(?P<flag>{_KNOWN_LABELS})\s*[)>〉]\s*", re.IGNORECASE
)
_TITLE_SUFFIX = re.compile(
    r"\s*[\[(]\s*(?P<flag>종합\d?보?|\d보|속보|상보|LEAD|UPDATE\s?\d*)\s*[\])]\s*$"
)


def split_title_prefix(title: str) -> tuple[str, tuple[str, ...]]:
    """Strip leading section labels (``[속보]``, ``[단독]``, ``[MWC 2024]``, ``(LEAD)``) and a
    trailing ``(종합)``-style update mark from a headline; return the bare headline and the labels.

    Labels are kept as flags so that alerts can say "breaking" and dedupe can match ``[속보] X``
    with ``X``. A title that would become empty is returned unchanged, without flags.
    """
    rest = _SPACES.sub(" ", title).strip()
    flags: list[str] = []
    while True:
        match = _TITLE_LABEL.match(rest) or _TITLE_PAREN_LABEL.match(rest)
        if not match or not rest[match.end() :].strip():
            break
        flags.append(match.group("flag").strip())
        rest = rest[match.end() :]
    suffix = _TITLE_SUFFIX.search(rest)
    if suffix and rest[: suffix.start()].strip():
        flags.append(suffix.group("flag").strip())
        rest = rest[: suffix.start()]
    rest = rest.strip()
    if not rest:
        return title.strip(), ()
    return rest, tuple(flags)


def unescape_entities(text: str) -> str:
    """Undo HTML escaping that survived parsing (publishers double-escape: ``e&amp;amp;``).

    Applied up to three times, so text that only mentions an entity in words is left alone after
    the markup layers are gone.
    """
    for _ in range(3):
        if "&" not in text:
            break
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return text


def clean_body(text: str) -> str:
    """Remove press and portal boilerplate from extracted article text; keep the article's lines.

    Lines stay lines (one paragraph per line, as trafilatura writes them); whitespace inside a line
    is collapsed; a repeated line (a duplicated caption, a repeated notice) is dropped, see
    ``_drop_repeats`` for which repeats count.
    """
    lines = _normalize_lines(text)
    kept: list[str] = []
    in_related = False
    for raw in lines:
        if _END_MARKERS.search(raw):
            break
        line = _strip_inline(raw)
        if not line:
            continue
        if RELATED_HEADING.match(line) or (len(line) <= 200 and _RELATED_INLINE.match(line)):
            in_related = True
            continue
        if in_related:
            if _looks_like_list_item(line):
                continue
            in_related = False
        if _is_boilerplate_line(line):
            continue
        line = _strip_credits(line)
        if line:
            kept.append(line)
    kept = _strip_lead_byline(kept)
    kept = _strip_tail(_drop_company_profile(kept))
    return "\n".join(_drop_repeats(kept))


def _normalize_lines(text: str) -> list[str]:
    text = unescape_entities(text)
    text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def _strip_inline(line: str) -> str:
    """Remove portal phrases and a copyright tail glued to a line; tidy structural glyphs."""
    if _HANGUL.search(line) or "Translated by" in line:  # every portal phrase has Hangul or that
        line = _PORTAL_PHRASES.sub(" ", line)
    copyright_match = _COPYRIGHT.search(line) if _COPYRIGHT_MARK.search(line) else None
    if copyright_match:
        line = line[: copyright_match.start()]
    line = _LEADING_GLYPHS.sub("", line) if not line.startswith("▲") else line
    line = _TRAILING_GLYPHS.sub("", line)
    line = _SPACES.sub(" ", line).strip(" |")
    return line.strip()


def _is_boilerplate_line(line: str) -> bool:
    if _BARE_COPYRIGHT.match(line):
        return True
    if _RIGHTS_LINE.match(line) and len(line) <= 120 and not line.rstrip(". ").endswith("다"):
        return True
    if _BYLINE_LINE.match(line) or _ROLE_FIRST_LINE.match(line) or _EMAIL_LINE.match(line):
        return True
    if _SLASH_CREDIT_LINE.match(line):
        return True
    if _META_LINE.match(line) and len(line) <= 100:
        return True
    if _UI_LINE.match(line) or _is_ui_line(_DASH_ITEM.sub("", line)):
        return True
    if _HOST_LINE.match(line) or _REPRINT_NOTICE.match(line) or _CONTACT_LINE.match(line):
        return True
    if len(line) <= _PROMO_MAX_CHARS and _PROMO_SENTENCE.search(line):
        return True
    if len(line) <= _POST_META_MAX_CHARS and len(_POST_META_LABEL.findall(line)) >= 2:
        return True
    if _HEADLINE_LIST_LINE.match(line):
        return True
    if len(line) <= 200 and _PAYWALL_PROMPT.match(line):
        return True
    if len(line) <= 80 and (_WEATHER.search(line) or _PROMO.search(line)):
        return True
    return _is_caption(line)


def _is_ui_line(line: str) -> bool:
    """A line made only of share buttons and UI labels, however they are separated."""
    for chunk in _UI_SPLIT.split(line.casefold()):
        if not chunk or chunk in _UI_PHRASES or _UI_LINE.match(chunk):
            continue
        if not all(word in _UI_WORDS or word in _UI_PHRASES for word in chunk.split()):
            return False
    return True


def _is_caption(line: str) -> bool:
    """Photo captions and credits, in the shapes of §6c; long paragraphs never qualify."""
    if _CREDIT_ONLY.match(line) or _ENGLISH_CREDIT_LINE.match(line):
        return True
    if len(line) <= 200 and _IMAGE_FILE.search(line):
        return True
    org_credit = _ORG_CREDIT_LINE.match(line)
    if org_credit and org_credit.group("org").split()[-1] not in _NOT_AN_ORG:
        return True
    if line.startswith("▲"):
        # A caption credits or describes a photo; "▲AI 데이터센터" is a list item, kept.
        return bool(_CAPTION_MARKS.search(line) or _CAPTION_END.search(line))
    if len(line) > 200:
        return False
    trailing_bracket = _BRACKET_CREDIT.search(line)
    if trailing_bracket and trailing_bracket.end() == len(line):
        return True
    return bool(_LINE_END_CREDIT.search(line) or _ENGLISH_CREDIT.search(line))


def _strip_credits(line: str) -> str:
    """Remove a credit at the start or end of a long line that is not itself a caption."""
    line = line.lstrip("▲ ").strip() if line.startswith("▲") else line
    match = _BRACKET_CREDIT.match(line)
    if match:
        line = line[match.end() :].strip()
    match = _BRACKET_CREDIT.search(line)
    if match and match.end() == len(line):
        line = line[: match.start()].strip()
    return line


def _strip_lead_byline(lines: list[str]) -> list[str]:
    """Remove a reporter byline from the start of the first lines (it may follow a subtitle)."""
    out = list(lines)
    for index in range(min(3, len(out))):
        stripped = _strip_byline_prefix(out[index])
        if stripped != out[index]:
            out[index] = stripped
            break
    return [line for line in out if line]


def _strip_byline_prefix(line: str) -> str:
    for pattern in (_LEAD_SQUARE, _LEAD_PAREN):
        match = pattern.match(line)
        if not match:
            continue
        inner = match.group("inner").strip()
        rest = line[match.end() :]
        names = _LEAD_NAMES.match(rest)
        is_byline = (
            ("=" in inner and not _CREDIT_WORD.match(inner))
            or bool(_ROLE_AT_END.search(inner))
            or names is not None
        )
        if not is_byline:
            return line
        if names:
            rest = rest[names.end() :]
        return rest.lstrip(" =|:").strip()
    plain = _LEAD_PLAIN.match(line)
    if plain:
        return line[plain.end() :].strip()
    return line


def _strip_tail(lines: list[str]) -> list[str]:
    """Remove the reporter e-mail, byline and ``(끝)`` glued to the end of the last lines."""
    out = list(lines)
    while out:
        last = out[-1]
        cleaned = _END_TAIL.sub("", last)
        cleaned = _BYLINE_TAIL.sub("", cleaned)
        cleaned = _EMAIL_TAIL.sub("", cleaned).strip()
        if cleaned:
            out[-1] = cleaned
            break
        out.pop()
    return out


def _drop_company_profile(lines: list[str]) -> list[str]:
    """Drop the press-release company profile that ends a page ("X is a global provider of …,
    headquartered in …, employs …"): the trailing run of lines that each carry a profile marker,
    when the run has ``_PROFILE_MIN_MARKERS`` markers and leaves at least as many lines as it
    takes. Such profiles name partner companies and would otherwise count as mentions."""
    markers = 0
    start = len(lines)
    while start > 0:
        line = lines[start - 1]
        found = len(_PROFILE_MARKER.findall(line)) if len(line) <= _PROFILE_MAX_LINE else 0
        if not found:
            break
        markers += found
        start -= 1
    if markers < _PROFILE_MIN_MARKERS or start < len(lines) - start:
        return lines
    return lines[:start]


def _looks_like_list_item(line: str) -> bool:
    """A related-article entry: a bullet, or a short headline that does not end like a sentence."""
    if _LIST_BULLET.match(line):
        return True
    return len(line) <= 100 and not _SENTENCE_END.search(line)


def _drop_repeats(lines: list[str]) -> list[str]:
    """Drop a line identical to one of the few lines before it, or a repeated prose paragraph.

    Boilerplate repeats sit close together (a caption printed under the photo and again from its
    alt text, a credit line doubled); a page that prints its whole article twice repeats long
    prose paragraphs. Structured pages repeat other lines far apart on purpose: a recipe's
    "Pre-Workout Meal" and ingredient list for each day, an interview's question for each person.
    Dropping every repeat cost 0.39 and 0.05 F1 on two such benchmark pages; keeping far repeats
    of prose cost 0.47 on a page that printed its article twice.
    """
    out: list[str] = []
    recent: list[str] = []
    prose_seen: set[str] = set()
    for line in lines:
        key = line.casefold()
        if key in recent or key in prose_seen:
            continue
        if len(key) >= _LONG_PROSE and _PROSE_END.search(key):
            prose_seen.add(key)
        recent = [*recent[-(_REPEAT_WINDOW - 1) :], key]
        out.append(line)
    return out
