"""Extraction: one fetched page (bytes) becomes an ``ExtractedPage``: title, body, lead, date.

Decisions, each checked on real pages (see bench/extraction_eval.py):

- **Decode first, with ``tasks.charset``**, then hand trafilatura the text. trafilatura's own
  detection (charset_normalizer on the first and last 5 KB) is right on typical EUC-KR pages but
  reads short or sparse Korean as Big5, ignores ``<meta charset>`` entirely, and cannot follow a
  page whose declaration lies; ``decode_html`` handles all of these and reads EUC-KR as CP949
  (똠, 햏).
- **Repair the layouts trafilatura misreads** before it runs (``tasks.page_tree``): an article
  body split into sibling chunks, related-article blocks named like the article, hover-card link
  lists inside sentences.
- **Parse once**: the lxml tree from ``trafilatura.utils.load_html`` serves our own metadata reads
  (canonical link, JSON-LD, meta dates, ``<html lang>``, links) and is passed to
  ``bare_extraction``, which works on a copy.
- **trafilatura's prune rules in Python** (``tasks.prune_rules``): identical, 3x faster stand-ins
  for its EXSLT-regex XPath discard rules, installed on import; a quarter less extraction CPU,
  the same output on every test and corpus page.
- **Dates with a time and a zone**: JSON-LD ``datePublished`` first, then meta tags
  (``article:published_time`` and friends, Naver's ``data-date-time``), then a date the visible
  text labels as the publication ("입력 2024.06.20 09:30", "Published: …"), then htmldate (run
  inside trafilatura's metadata pass with a time-and-zone output format, the URL deferred so that
  a day-only URL date does not hide a timestamped meta tag), then a date in the URL, then the
  feed. A value without a zone is Korean time (KST, +09:00) on Korean pages, UTC
  otherwise; the result is always an aware UTC datetime. htmldate's ``max_date`` is set to tomorrow
  (UTC): its default, "today" on the local clock, rejects a Korean article published after
  midnight KST while it is still yesterday in UTC.
- **Walls are states, not articles**: a bot wall (captcha, "checking your browser") is ``blocked``
  and keeps only the feed's title and summary; a subscriber-only page is ``paywalled`` and keeps
  its teaser (or the feed's summary). A wall needs evidence in the markup or a wall phrase *and* a
  short body: article pages carry captcha widgets in comment forms and "subscribe" buttons in
  their chrome, and a metered paywall often serves the full text, which is an ordinary article.
- **Never raises**: empty, garbage or non-HTML input gives quality ``no_body`` with the feed's title
  and summary as fallbacks, so one bad page cannot fail a chunk of articles.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement, fromstring
from trafilatura import bare_extraction
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import Document
from trafilatura.utils import line_processing, load_html

from tasks.charset import decode_html
from tasks.cleaning import clean_body, split_title_prefix, unescape_entities
from tasks.models import ExtractedPage, Quality
from tasks.page_tree import repair
from tasks.prune_rules import install as install_prune_rules

__all__ = ["KST", "MIN_BODY_CHARS", "detect_lang", "extract_page"]

LOGGER = logging.getLogger(__name__)

install_prune_rules()

KST = timezone(timedelta(hours=9), "KST")
MIN_BODY_CHARS = 200
"""Below this many characters of cleaned body a page is ``too_short`` (a stub, a paywall teaser)."""

PAYWALL_TEASER_CHARS = 1500
"""With a paywall phrase on the page, a body shorter than this is a teaser; a longer one is the
full article that a metered paywall serves anyway."""
PAYWALL_MARKUP_MAX_CHARS = 600
"""With only the markup's word for it (``isAccessibleForFree: false``), the body must be shorter
than this: sites that mark pages so serve crawlers the full text, which is then an article."""
BLOCKED_MAX_BODY_CHARS = 600
"""A bot wall's own text is short; a page with more body than this is an article that merely
carries a captcha widget (a comment form) or mentions captchas."""

_MAX_DECOMPRESSED = 20_000_000
_PRECISION_MIN_CHARS = 500
_MIN_LEAD_CHARS = 40
_MIN_BODY_LETTERS = 10
_LANG_SAMPLE_CHARS = 3000
_MIN_TITLE_CHARS = 15
_HTMLISH = re.compile(r"<(?:!doctype|html|head|body|div|p|article|meta|title|span|table)\b", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

_ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "techarticle",
        "report",
    }
)
_LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})
_META_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "date_published",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "date",
)
_AUTHOR_AFFIXES = re.compile(r"^[^=]{1,20}=\s*|\s*(?:기자|특파원|객원기자|칼럼니스트)$")
_PORTAL_AUTHORS = frozenset({"네이버", "naver", "다음", "daum", "카카오", "kakao", "zum", "줌"})
_PORTAL_TITLE_SUFFIX = re.compile(
    r"\s*(?:[:|\-–—]|::)\s*"
    r"(?:네이버\s?뉴스|Naver News|다음\s?뉴스|Daum\s?뉴스|v\.daum\.net|ZUM\s?뉴스|줌\s?뉴스)\s*$",
    re.I,
)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|｜:\-–—<>]|::|«|»)\s+")
_OUTLET_WORD = re.compile(
    r"(?:뉴스|일보|신문|경제|데일리|닷컴|타임즈|타임스|투데이|미디어|방송|저널|매거진|뉴시스|뉴스1"
    r"|News|Times|Herald|Daily|Post|Journal|Reuters|Wire|Online|Media|\.com|\.co\.kr|\.kr)$",
    re.I,
)
_DATE_TEXT = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})(?:\s*일)?\.?"
    r"(?:[T\s,]+(?P<ampm>오전|오후|AM|PM)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\.\d+)?\s*(?P<ampm2>AM|PM)?)?\s*(?P<tz>Z|UTC|GMT|KST|[+-]\d{2}:?\d{2})?",
    re.I,
)
_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<sep>[/_-]?)(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?=$|[^\d]|\d{3,})"
)
_DAUM_ID = re.compile(r"(?:^|\.)daum\.net/v/(?P<ts>(?:19|20)\d{12})\d{3}")
_MARKUP_DATE = XPath(
    '//*[@itemprop="datePublished"]'
    '|//*[@data-date-time][contains(@class, "_ARTICLE_DATE_TIME")]'
    '|//div[@class="sponsor"]/span[@class="t11"][1]'
)
_HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_LABELLED_DATE = re.compile(
    r"(?:기사\s?입력|최초\s?입력|입력|등록|작성|발행|송고|게재|승인|Published(?:\s+on)?|Posted(?:\s+on)?"
    r"|First published(?:\s+on)?)\s*(?:일시|시간|일)?\s*[:：]?\s*[\[(]?\s*"
    r"(?P<date>(?:19|20)\d{2}\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}(?:\s*일)?\.?"
    r"(?:\s*(?:\([월화수목금토일]\))?\s*(?:오전|오후|AM|PM)?\s*\d{1,2}:\d{2}(?::\d{2})?)?)",
    re.IGNORECASE,
)
_LABELLED_DATE_WINDOW = 20_000
_WEEKDAY = re.compile(r"\s*\([월화수목금토일]\)\s*")
_CHALLENGE_MARKUP = XPath(
    '//*[@id="challenge-form" or @id="challenge-running" or @id="cf-challenge-running"'
    ' or @id="px-captcha" or @id="challenge-stage"]'
    '|//*[(self::script or self::iframe) and contains(@src, "captcha-delivery.com")]'
)
"""Markup that only a challenge page has (Cloudflare, PerimeterX, DataDome block pages)."""
_CAPTCHA_WIDGET = XPath(
    '//*[contains(@class, "g-recaptcha") or contains(@class, "h-captcha")'
    ' or contains(@class, "cf-turnstile")]'
    '|//*[(self::script or self::iframe) and (contains(@src, "captcha")'
    ' or contains(@src, "/cdn-cgi/challenge-platform/") or contains(@src, "_Incapsula_Resource"))]'
)
"""Markup that challenge pages have but so do ordinary pages (comment forms, CDN bot scripts)."""
_BOT_WALL_TEXT = re.compile(
    r"just a moment\.\.\.|checking (?:if the site connection is secure|your browser)"
    r"|attention required!?\s*\|\s*cloudflare|verify (?:that )?you are (?:a )?human"
    r"|are you a (?:human|robot)|(?:confirm|prove) you(?:'re| are) not a robot"
    r"|unusual traffic from your (?:computer|network)|enable javascript and cookies to continue"
    r"|access (?:to this page has been )?denied|request (?:was )?blocked|bot protection"
    r"|please complete the (?:security check|captcha)"
    r"|자동\s?입력\s?방지|보안\s?문자(?:를)?\s?입력|비정상적인\s?(?:접근|트래픽|요청)"
    r"|로봇이 아닙니다|접근이\s?(?:차단|제한)(?:되었습니다|됩니다)|차단된\s?(?:IP|접근)",
    re.I,
)
_PAYWALL_TEXT = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|(?:continue|keep) reading with a subscription"
    r"|to (?:continue|keep) reading,? (?:please )?(?:subscribe|log in|sign in|register)"
    r"|(?:this|the) (?:article|story|content|report) is (?:only )?(?:available|reserved|exclusive)"
    r" (?:only )?(?:to|for) (?:paid |premium |our )?(?:subscribers|members)"
    r"|for (?:paid |premium )?subscribers only|subscribers?[- ]only (?:content|article|story)"
    r"|already a subscriber\?|unlock (?:this|the full) (?:article|story)"
    r"|유료\s?(?:회원|구독자?)\s?전용|유료\s?기사(?:입니다|로)|구독자\s?전용\s?(?:기사|콘텐츠)"
    r"|프리미엄\s?(?:회원|구독자?)\s?전용|(?:이하|나머지|전체)\s?(?:내용|기사|본문)은\s?"
    r"(?:유료|구독|회원|로그인)|로그인\s?후\s?(?:기사|전체|본문)[^.\n]{0,10}(?:보실|확인|열람|이용)",
    re.I,
)
_CONTENT_TIER_LOCKED = frozenset({"locked", "premium", "subscriber", "subscribers"})
_LETTER = re.compile(r"[^\W\d_]")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_BYLINE_NAME = re.compile(
    r"(?:=\s*|^|\[|\()(?P<name>[가-힣]{2,4})\s?(?:기자|특파원)(?:\s*(?:[=|\]]|[\w.+-]+@)|\s*$)",
    re.M,
)


@dataclass(slots=True)
class _PageFacts:
    """What we read from the parsed page ourselves, before trafilatura sees it."""

    html_lang: str | None = None
    canonical: str | None = None
    og_url: str | None = None
    og_type: str | None = None
    og_title: str | None = None
    html_title: str | None = None
    h1: str | None = None
    jsonld_headline: str | None = None
    jsonld_types: set[str] = field(default_factory=set)
    jsonld_date: str | None = None
    jsonld_date_is_article: bool = False
    jsonld_author: str | None = None
    meta_date: str | None = None
    text_date: str | None = None
    """A date the page's text labels as the publication ("입력 2024.06.20 09:30", "Published:
    June 20, 2024"), read only when neither JSON-LD nor a meta tag gives one."""
    anchors: list[str] = field(default_factory=list)
    not_free: bool = False
    """The page's markup says it is not free (JSON-LD ``isAccessibleForFree: false``, or an
    ``article:content_tier`` of locked/premium)."""


@dataclass(frozen=True, slots=True)
class _Stamp:
    """A publication time with its provenance; ``timed`` is False for a bare day."""

    at: datetime
    timed: bool
    source: str


def extract_page(
    content: bytes,
    url: str,
    *,
    content_type: str | None = None,
    feed_title: str | None = None,
    feed_published: datetime | None = None,
    feed_summary: str | None = None,
    lang_hint: str | None = None,
) -> ExtractedPage:
    """Extract the article in ``content`` (the fetched bytes of ``url``). Never raises.

    ``feed_*`` values are the feed item's own title, date and summary: fallbacks when the page
    does not give them, and the whole result (quality ``no_body``) when the page cannot be read.
    """
    fallback = _Fallback(url, feed_title, feed_published, feed_summary, lang_hint)
    try:
        return _extract(content, url, content_type, fallback)
    except Exception:  # the contract is "never raises": a bad page must not fail its chunk
        LOGGER.warning("extraction failed for %s", url, exc_info=True)
        return fallback.page()


@dataclass(frozen=True, slots=True)
class _Fallback:
    url: str
    feed_title: str | None
    feed_published: datetime | None
    feed_summary: str | None
    lang_hint: str | None

    def page(
        self,
        *,
        canonical_url: str | None = None,
        page_title: str | None = None,
        published: _Stamp | None = None,
        site_name: str | None = None,
        author: str | None = None,
        declared_lang: str | None = None,
        quality: Quality = "no_body",
    ) -> ExtractedPage:
        """The page gave no article (``no_body``, or a wall): the feed's title and summary stand in
        for the page's, so what the feed told us is stored with the state."""
        raw_title = _clean_text(self.feed_title) or page_title or ""
        title, flags = split_title_prefix(raw_title)
        body = clean_body(_plain_text(self.feed_summary or ""))
        stamp = published or _feed_stamp(self.feed_published)
        return ExtractedPage(
            url=self.url,
            canonical_url=canonical_url,
            title=title or None,
            body=body,
            lead=_lead(body),
            lang=detect_lang(f"{title}\n{body}", declared_lang, self.lang_hint),
            published_at=stamp.at if stamp else None,
            date_source=stamp.source if stamp else None,
            author=author,
            site_name=site_name,
            quality=quality,
            title_flags=flags,
        )


def _extract(
    content: bytes, url: str, content_type: str | None, fallback: _Fallback
) -> ExtractedPage:
    content = _maybe_gunzip(content)
    if not content.strip() or _not_html_type(content_type):
        return fallback.page()
    text, _charset = decode_html(content, content_type)
    if not _HTMLISH.search(text[:65536]):
        return fallback.page()
    tree = load_html(_XML_DECLARATION.sub("", text, count=1))
    if tree is None:
        return fallback.page()

    facts = _read_facts(tree, url)
    canonical = _canonical(facts, url)
    repair(tree, [facts.og_title, facts.jsonld_headline, facts.h1, _pick_title(facts, None, None)])
    doc = _trafilatura(tree, url)
    if doc is None:
        wall = _wall(tree, facts, "")
        if wall == "blocked":
            return fallback.page(quality="blocked")
        lang = detect_lang(fallback.feed_summary or "", facts.html_lang, fallback.lang_hint)
        stamp = _choose_date(
            facts,
            _htmldate(tree, canonical or url),
            canonical or url,
            lang,
            fallback.feed_published,
        )
        return fallback.page(
            canonical_url=canonical,
            page_title=_clean_text(_pick_title(facts, None, None)),
            published=stamp,
            declared_lang=facts.html_lang,
            quality=wall or "no_body",
        )

    meta = _metadata(tree, url)
    site_name = _site_name(meta.sitename, url)
    page_title = _clean_text(_pick_title(facts, _clean_text(meta.title), site_name))
    raw_text = _drop_title_lines(
        doc.text or "", [page_title, meta.title, facts.og_title, facts.jsonld_headline, facts.h1]
    )
    body = clean_body(raw_text)
    if len(_LETTER.findall(body, 0, _LANG_SAMPLE_CHARS)) < _MIN_BODY_LETTERS:
        body = ""  # a few stray characters from a broken page: nothing was extracted
    lang = detect_lang(f"{page_title or ''}\n{body}", facts.html_lang, fallback.lang_hint)
    stamp = _choose_date(
        facts, _htmldate(tree, meta.url), canonical or url, lang, fallback.feed_published
    )
    author = _author(meta.author, facts.jsonld_author, raw_text)
    wall = _wall(tree, facts, body)
    if wall == "blocked":
        return fallback.page(quality="blocked")  # the wall's title, date and text are not news
    if not body:
        return fallback.page(
            canonical_url=canonical,
            page_title=page_title,
            published=stamp,
            site_name=site_name,
            author=author,
            declared_lang=facts.html_lang,
            quality=wall or "no_body",
        )

    title, flags = split_title_prefix(page_title or "")
    if not title or (site_name and title.casefold() == site_name.casefold()):
        title, flags = split_title_prefix(_clean_text(fallback.feed_title) or title)
    return ExtractedPage(
        url=url,
        canonical_url=canonical,
        title=title or None,
        body=body,
        lead=_lead(body),
        lang=lang,
        published_at=stamp.at if stamp else None,
        date_source=stamp.source if stamp else None,
        author=author,
        site_name=site_name,
        quality=wall or _quality(body, facts),
        title_flags=flags,
    )


def _trafilatura(tree: HtmlElement, url: str) -> Document | None:
    """trafilatura in precision mode, and in its default mode where precision leaves little.

    ``favor_precision`` drops the teaser blocks, "read more" lists and newsletter boxes that news
    pages put inside the article container (+0.007 F1 over the default mode on the 104-page
    benchmark), but on a few layouts it keeps only a fragment of the article (one page fell
    from 0.89 to 0.04 F1). A body shorter than ``_PRECISION_MIN_CHARS`` is therefore re-extracted
    in the default mode (text only: the metadata of the first pass stands), and the longer of the
    two is kept when the precise one is under half its length. Together: 0.963 against 0.958 for
    the default mode alone; the second pass runs on few pages, so it costs little time.

    Only the text is taken from trafilatura here (its metadata: ``_metadata``; its date:
    ``_htmldate``): both passes copy the tree first, so the text does not depend on that split.
    """
    options: dict[str, Any] = {"url": url, "include_comments": False, "include_tables": True}
    result = bare_extraction(tree, favor_precision=True, **options)
    doc = result if isinstance(result, Document) else None
    if doc is not None and len(doc.text or "") >= _PRECISION_MIN_CHARS:
        return doc
    wider = bare_extraction(tree, **options)
    if not isinstance(wider, Document):
        return doc
    if doc is None:
        return wider
    if len(wider.text or "") * 0.5 > len(doc.text or ""):
        doc.text = wider.text
    return doc


def _metadata(tree: HtmlElement, url: str) -> Document:
    """trafilatura's title, author, URL and site name: ``trafilatura.extract_metadata`` step by
    step, minus what newsmon never reads.

    ``extract_metadata`` also collects categories, tags and a licence and runs htmldate; those
    cost about a quarter of trafilatura's time on a news page, and the date is needed only when
    the page's JSON-LD, meta tags and labelled text give none (``_htmldate``). The steps and
    their order are ``extract_metadata``'s (trafilatura 2.3); tests/tasks/test_extraction.py
    checks the four fields against ``extract_metadata`` itself, so an upgrade that changes it
    fails there rather than drifting. Reads the tree, never changes it.
    """
    document = trafilatura_metadata.examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None
    try:
        document = trafilatura_metadata.extract_meta_json(tree, document)
    except Exception:  # trafilatura's JSON-LD reader has bugs; its own caller ignores them too
        LOGGER.debug("trafilatura JSON-LD metadata failed for %s", url, exc_info=True)
    if not document.title:
        document.title = trafilatura_metadata.extract_title(tree)
    if not document.author:
        document.author = trafilatura_metadata.extract_author(tree)
    if not document.url:
        document.url = trafilatura_metadata.extract_url(tree, url)
    if not document.sitename:
        document.sitename = trafilatura_metadata.extract_sitename(tree)
    if document.sitename:
        document.sitename = document.sitename.lstrip("@")
        if (
            document.sitename
            and "." not in document.sitename
            and not document.sitename[0].isupper()
        ):
            document.sitename = document.sitename.title()
    elif document.url:
        host = trafilatura_metadata.META_URL.match(document.url)
        if host:
            document.sitename = host[1]
    document.clean_and_trim()
    return document


def _htmldate(tree: HtmlElement, url: str | None) -> Callable[[], str | None]:
    """htmldate's date for the page, computed only if asked for: ``_choose_date`` asks only when
    JSON-LD, meta tags and a labelled text date give none (htmldate would not be chosen over
    them), which on news pages is the exception."""

    def find() -> str | None:
        value = find_date(tree, **{**_htmldate_params(), "url": url})
        return line_processing(value) if value else None

    return find


def _htmldate_params() -> dict[str, Any]:
    """htmldate settings: its default date choice, with time and zone, and extensive search.

    htmldate is the fallback after JSON-LD, meta tags and a labelled date in the text, so it meets
    pages with no structured date. There ``original_date=True`` (the oldest date found) takes
    dates cited in the text, such as a photo caption's year-old shooting date; htmldate's default
    (the most recent plausible date, capped by ``max_date``) was right on one more page and wrong
    on none more (87/92 against 86/92 on htmldate's 89-page test set plus our 3 dated Korean
    pages, see bench/extraction_eval.py). A page that labels both dates ("입력 … 수정 …") is
    decided by the label before htmldate runs. ``extensive_search`` found 2 more correct days
    than without (84/92 without).
    """
    return {
        "original_date": False,
        "extensive_search": True,
        "outputformat": _HTMLDATE_FORMAT,
        "deferred_url_extractor": True,
        "max_date": (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d"),
    }


def _maybe_gunzip(content: bytes) -> bytes:
    """Undo a gzip layer the fetcher left on (a ``.gz`` page, a double-encoded response)."""
    if not content.startswith(b"\x1f\x8b\x08"):
        return content
    try:
        inflater = zlib.decompressobj(31)
        return inflater.decompress(content, _MAX_DECOMPRESSED)
    except zlib.error:
        return b""


def _not_html_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    mime = content_type.split(";", 1)[0].strip().lower()
    if not mime or mime in {"application/octet-stream", "text/plain"}:
        return False  # servers mislabel HTML with these; the content check decides
    return not ("html" in mime or "xml" in mime)


def _read_facts(tree: HtmlElement, url: str) -> _PageFacts:
    facts = _PageFacts()
    root = tree.getroottree().getroot()
    facts.html_lang = _primary_lang(
        root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    )
    title_element = tree.find(".//head//title")
    if title_element is not None:
        facts.html_title = _clean_text(title_element.text_content())
    h1s = tree.findall(".//h1")
    if len(h1s) == 1:
        facts.h1 = _clean_text(h1s[0].text_content())
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href") and facts.canonical is None:
            facts.canonical = link.get("href")
    meta_dates: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        value = (meta.get("content") or "").strip()
        if not key or not value:
            continue
        if key == "og:url":
            facts.og_url = facts.og_url or value
        elif key == "og:type":
            facts.og_type = facts.og_type or value.lower()
        elif key == "og:title":
            facts.og_title = facts.og_title or value
        elif key == "article:content_tier" and value.lower() in _CONTENT_TIER_LOCKED:
            facts.not_free = True
        elif key == "content-language" and not facts.html_lang:
            facts.html_lang = _primary_lang(value)
        elif key in _META_DATE_KEYS:
            meta_dates.setdefault(key, value)
    facts.meta_date = next((meta_dates[k] for k in _META_DATE_KEYS if k in meta_dates), None)
    if facts.meta_date is None:
        facts.meta_date = _markup_date(tree)
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            _read_jsonld(script.text, facts)
    facts.anchors = [
        " ".join(anchor.text_content().split()) for anchor in tree.iter("a") if anchor.get("href")
    ]
    if facts.jsonld_date is None and facts.meta_date is None:
        facts.text_date = _labelled_text_date(tree)
    return facts


def _labelled_text_date(tree: HtmlElement) -> str | None:
    """The first date in the page's visible text that a publication label introduces.

    Korean article headers print "입력 2024.06.20 09:30 | 수정 2024.06.21 10:00"; htmldate, asked
    for a page's most recent date, would take the 수정 (modified) one, and asked for the oldest it
    takes a date cited in the text. The label says which date is the publication.
    """
    visible = " ".join(" ".join(str(t) for t in _VISIBLE_TEXT(tree)).split())
    match = _LABELLED_DATE.search(visible[:_LABELLED_DATE_WINDOW])
    return _WEEKDAY.sub(" ", match["date"]) if match else None


def _markup_date(tree: HtmlElement) -> str | None:
    """A published date in the markup: ``itemprop=datePublished``, or Naver's article header
    (``data-date-time`` in the current layout, the first ``span.t11`` in the old one)."""
    for element in _MARKUP_DATE(tree):
        if element.get("data-date-time"):
            return str(element.get("data-date-time")).strip()
        value = element.get("content") or element.get("datetime") or element.text_content()
        if value and value.strip():
            return str(value).strip()
    return None


def _read_jsonld(payload: str, facts: _PageFacts) -> None:
    try:
        data = json.loads(payload, strict=False)
    except ValueError:
        return
    for node in _jsonld_nodes(data):
        types = node.get("@type")
        names = {
            t.lower()
            for t in ([types] if isinstance(types, str) else types or [])
            if isinstance(t, str)
        }
        facts.jsonld_types |= names
        is_article = bool(names & _ARTICLE_TYPES)
        if str(node.get("isAccessibleForFree", "")).strip().lower() in {"false", "no", "0"}:
            facts.not_free = True
        published = node.get("datePublished") or node.get("dateCreated")
        # An article node's date wins over a WebPage's or a publisher's.
        better = facts.jsonld_date is None or (is_article and not facts.jsonld_date_is_article)
        if isinstance(published, str) and published.strip() and better:
            facts.jsonld_date = published.strip()
            facts.jsonld_date_is_article = is_article
        if is_article and facts.jsonld_author is None:
            facts.jsonld_author = _jsonld_names(node.get("author"))
        headline = node.get("headline")
        if is_article and facts.jsonld_headline is None and isinstance(headline, str):
            facts.jsonld_headline = _clean_text(headline)


def _jsonld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD payload: lists, ``@graph`` and nested objects included."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(item)


def _jsonld_names(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(" ".join(name.split()))
    return "; ".join(dict.fromkeys(names)) or None


def _canonical(facts: _PageFacts, url: str) -> str | None:
    """``<link rel=canonical>`` (or ``og:url``) made absolute; a canonical that points a deep URL at
    the site's home page is a CMS default, not this page's identity, and is ignored."""
    for candidate in (facts.canonical, facts.og_url):
        if not candidate:
            continue
        absolute = urljoin(url, candidate.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            continue
        if parts.path in {"", "/"} and not parts.query and urlsplit(url).path not in {"", "/"}:
            continue
        return absolute
    return None


def _choose_date(
    facts: _PageFacts,
    htmldate_of_page: Callable[[], str | None],
    url: str,
    lang: str | None,
    feed_published: datetime | None,
) -> _Stamp | None:
    zone = KST if "ko" in (lang, facts.html_lang) else _zone_for_url(url)
    latest = datetime.now(UTC) + timedelta(days=1)
    candidates = [
        _parse_stamp(facts.jsonld_date, zone, "jsonld"),
        _parse_stamp(facts.meta_date, zone, "meta"),
        _parse_stamp(facts.text_date, zone, "text"),
    ]
    marked = next((c for c in candidates if c is not None and c.at <= latest), None)
    if marked is not None:  # htmldate and the URL's date come after these: no need to ask them
        feed = _feed_stamp(feed_published)
        if not marked.timed and feed and _same_day(feed.at, marked.at, zone):
            return feed  # the feed knows the time of day that the page only gives as a date
        return marked
    htmldate_value = htmldate_of_page()
    htmldate = _parse_stamp(htmldate_value, zone, "htmldate")
    if htmldate and htmldate_value and htmldate_value.endswith("T00:00:00"):
        htmldate = _Stamp(htmldate.at, False, htmldate.source)  # htmldate's form of a bare day
    url_stamp = _url_stamp(url)
    if htmldate and htmldate.timed:
        candidates.append(htmldate)
    candidates += [url_stamp, htmldate]
    chosen = next((c for c in candidates if c is not None and c.at <= latest), None)
    feed = _feed_stamp(feed_published)
    if chosen is None:
        return feed
    if chosen is htmldate and url_stamp and _same_day(url_stamp.at, htmldate.at, zone):
        chosen = url_stamp
    if not chosen.timed and feed and _same_day(feed.at, chosen.at, zone):
        return feed  # the feed knows the time of day that the page only gives as a date
    return chosen


def _parse_stamp(value: str | None, zone: timezone, source: str) -> _Stamp | None:
    parsed = _parse_datetime(value, zone) if value else None
    if parsed is None:
        return None
    at, timed = parsed
    return _Stamp(at, timed, source)


def _parse_datetime(value: str, zone: timezone) -> tuple[datetime, bool] | None:
    """Parse ISO 8601, RFC 2822 and Korean ``2024.06.20 오후 3:48`` forms to aware UTC."""
    value = value.strip()
    if not value:
        return None
    parsed: datetime | None = None
    timed = False
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if len(value) > 10 else value)
        timed = len(value) > 10
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
            timed = True
        except (TypeError, ValueError, IndexError):
            parsed, timed = _parse_loose(value)
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC), timed


def _parse_loose(value: str) -> tuple[datetime | None, bool]:
    match = _DATE_TEXT.search(value)
    if not match:
        return None, False
    hour = int(match["H"] or 0)
    ampm = (match["ampm"] or match["ampm2"] or "").upper()
    if ampm in {"오후", "PM"} and hour < 12:
        hour += 12
    elif ampm in {"오전", "AM"} and hour == 12:
        hour = 0
    tz_label = (match["tz"] or "").upper()
    tzinfo: timezone | None = None
    if tz_label in {"Z", "UTC", "GMT"}:
        tzinfo = UTC
    elif tz_label == "KST":
        tzinfo = KST
    elif tz_label:
        sign = 1 if tz_label[0] == "+" else -1
        digits = tz_label[1:].replace(":", "")
        tzinfo = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))
    try:
        parsed = datetime(
            int(match["y"]),
            int(match["m"]),
            int(match["d"]),
            hour,
            int(match["M"] or 0),
            int(match["S"] or 0),
            tzinfo=tzinfo,
        )
    except ValueError:
        return None, False
    return parsed, match["H"] is not None


def _url_stamp(url: str) -> _Stamp | None:
    """A date in the URL: Daum's 17-digit article id carries the minute; other paths the day."""
    daum = _DAUM_ID.search(url)
    if daum:
        ts = daum["ts"]
        try:
            at = datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=KST)
        except ValueError:
            at = None
        if at:
            return _Stamp(at.astimezone(UTC), True, "url")
    parts = urlsplit(url)
    match = _URL_DATE.search(f"{parts.path}?{parts.query}")
    if not match:
        return None
    try:
        day = datetime(int(match["y"]), int(match["m"]), int(match["d"]), tzinfo=_zone_for_url(url))
    except ValueError:
        return None
    return _Stamp(day.astimezone(UTC), False, "url")


def _feed_stamp(feed_published: datetime | None) -> _Stamp | None:
    if feed_published is None:
        return None
    at = feed_published if feed_published.tzinfo else feed_published.replace(tzinfo=UTC)
    return _Stamp(at.astimezone(UTC), True, "feed")


def _same_day(a: datetime, b: datetime, zone: timezone) -> bool:
    return a.astimezone(zone).date() == b.astimezone(zone).date()


def _zone_for_url(url: str) -> timezone:
    host = (urlsplit(url).hostname or "").lower()
    korean_hosts = (".kr", "naver.com", "daum.net", "zum.com", "nate.com")
    return KST if host.endswith(korean_hosts) else UTC


def _author(trafilatura_author: str | None, jsonld_author: str | None, raw_text: str) -> str | None:
    """The reporter: page metadata minus portal names, else the Korean byline in the text."""
    for candidate in (trafilatura_author, jsonld_author):
        if not candidate:
            continue
        names = [_AUTHOR_AFFIXES.sub("", n).strip() for n in re.split(r";|,", candidate)]
        names = [n for n in names if n and n.casefold() not in _PORTAL_AUTHORS]
        if names:
            return "; ".join(names)
    head_and_tail = f"{raw_text[:300]}\n{raw_text[-300:]}"
    match = _BYLINE_NAME.search(head_and_tail)
    return match["name"] if match else None


def _site_name(value: str | None, url: str) -> str | None:
    """trafilatura's site name, unless it is a URL (a publisher's social profile): then the host."""
    name = _clean_text(value)
    if name and not name.lower().startswith(("http://", "https://", "www.")):
        return name
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else name


def _pick_title(facts: _PageFacts, extracted: str | None, site_name: str | None) -> str | None:
    """The headline: ``og:title``, JSON-LD ``headline``, ``<title>``, a lone ``<h1>``, then
    trafilatura's guess.

    Site names are stripped from each. ``<title>`` comes before trafilatura's title because
    trafilatura keeps only the first part of a ``<title>`` split at " - " or " | ", which cuts
    headlines such as "SKT - KT 협력" in half, and with several ``<h1>`` it may pick a logo's.
    A ``<title>`` with nothing to strip is used only if it is long enough to be a headline (or
    contains trafilatura's guess); a short one is usually the bare site name.
    """
    site = (site_name or "").casefold()
    if extracted and extracted.casefold() == site:
        extracted = None
    for candidate in (facts.og_title, facts.jsonld_headline):
        stripped = _strip_site_affix(candidate, site_name) if candidate else ""
        if stripped and stripped.casefold() != site:
            return stripped
    if facts.html_title:
        stripped = _strip_site_affix(facts.html_title, site_name)
        useful = stripped != facts.html_title or len(stripped) >= _MIN_TITLE_CHARS
        if stripped and (useful or (extracted and extracted in facts.html_title)):
            return stripped
    fallback = facts.h1 or extracted
    return _strip_site_affix(fallback, site_name) if fallback else None


def _strip_site_affix(title: str, site_name: str | None) -> str:
    """Drop " - 가상일보" / "가상일보 :: " style site names and portal suffixes from a title."""
    title = _PORTAL_TITLE_SUFFIX.sub("", title)
    if " < 기사본문" in title:
        title = title.split(" < ", 1)[0]
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title.strip()
    site = (site_name or "").replace(" ", "").casefold()

    def is_site(part: str) -> bool:
        squashed = part.replace(" ", "").casefold()
        if site and len(squashed) >= 3 and (squashed.startswith(site) or site.startswith(squashed)):
            return True
        return len(part) <= 20 and bool(_OUTLET_WORD.search(part.strip()))

    while len(parts) >= 2:
        separators = _TITLE_SEPARATORS.findall(title)
        if is_site(parts[-1]):
            title = title[: title.rfind(separators[-1])]
        elif is_site(parts[0]):
            title = title[len(parts[0]) + len(separators[0]) :]
        else:
            break
        parts = _TITLE_SEPARATORS.split(title)
    return title.strip()


def _drop_title_lines(text: str, titles: list[str | None]) -> str:
    """trafilatura often repeats the headline as the first body line; the body should not."""
    keys = {" ".join(t.split()).casefold() for t in titles if t}
    lines = text.split("\n")
    while lines and (not lines[0].strip() or " ".join(lines[0].split()).casefold() in keys):
        lines.pop(0)
    return "\n".join(lines)


def _lead(body: str) -> str | None:
    """The first real paragraph: Korean articles open with short subheads, which are skipped."""
    lines = [line for line in body.split("\n") if line.strip()]
    if not lines:
        return None
    return next((line for line in lines if len(line) >= _MIN_LEAD_CHARS), lines[0])


_VISIBLE_TEXT = XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::nav or ancestor::header or ancestor::footer or ancestor::a)]"
)
_SMALL_PAGE_CHARS = 3000


def _wall(tree: HtmlElement, facts: _PageFacts, body: str) -> Quality | None:
    """``blocked`` for a bot wall, ``paywalled`` for a subscriber wall, else None.

    Both need a short body (see ``BLOCKED_MAX_BODY_CHARS``, ``PAYWALL_TEASER_CHARS``). A bot wall
    is recognised by its title, by markup only challenge pages have (Cloudflare, PerimeterX,
    DataDome), or, on a page that is small as a whole, by a wall phrase (or a captcha widget and
    no body at all: comment forms carry captchas too). A paywall by markup
    (``isAccessibleForFree: false``, ``PAYWALL_MARKUP_MAX_CHARS``) or by a paywall phrase in the
    page's own text; links, navigation, header and footer are not read, since menus advertise
    "premium".
    Only called once a body is known, and the page text is read only for short bodies, so
    ordinary articles pay nothing for it.
    """
    if len(body) >= PAYWALL_TEASER_CHARS:
        return None
    visible: str | None = None
    if len(body) < BLOCKED_MAX_BODY_CHARS:
        if _BOT_WALL_TEXT.search(f"{facts.html_title or ''}\n{facts.h1 or ''}"):
            return "blocked"
        if _CHALLENGE_MARKUP(tree):
            return "blocked"
        visible = " ".join(str(t) for t in _VISIBLE_TEXT(tree))
        if len(visible) <= _SMALL_PAGE_CHARS and (
            _BOT_WALL_TEXT.search(visible) or (not body and _CAPTCHA_WIDGET(tree))
        ):
            return "blocked"
    if facts.not_free and len(body) < PAYWALL_MARKUP_MAX_CHARS:
        return "paywalled"
    if visible is None:
        visible = " ".join(str(t) for t in _VISIBLE_TEXT(tree))
    return "paywalled" if _PAYWALL_TEXT.search(" ".join(visible.split())) else None


def _quality(body: str, facts: _PageFacts) -> Quality:
    if _is_listing(body, facts):
        return "not_article"
    if len(body) < MIN_BODY_CHARS:
        return "too_short"
    return "ok"


def _is_listing(body: str, facts: _PageFacts) -> bool:
    """An index page: its "body" is mostly link texts (headlines), or it says it is a collection.

    Article markup (JSON-LD article types, ``og:type=article``) raises the bar, since article pages
    carry long navigation and related-article link lists of their own.
    """
    has_article_markup = bool(facts.jsonld_types & _ARTICLE_TYPES) or facts.og_type == "article"
    if facts.jsonld_types & _LISTING_TYPES and not has_article_markup:
        return True
    lines = [line for line in body.split("\n") if len(line) >= 6]
    anchors = {a.casefold() for a in facts.anchors if len(a) >= 6}
    if len(lines) >= 5 and anchors:
        linked = [line for line in lines if _is_link_text(line.casefold(), anchors)]
        line_share = len(linked) / len(lines)
        char_share = sum(map(len, linked)) / sum(map(len, lines))
        strict = 1.5 if has_article_markup else 1.0
        if len(linked) >= 5 and line_share >= 0.4 * strict and char_share >= 0.2 * strict:
            return True
    return len(body) < MIN_BODY_CHARS and len(facts.anchors) >= 30 and not has_article_markup


def _is_link_text(line: str, anchors: set[str]) -> bool:
    """The line is a link's text, or mostly one (a headline with a date or source appended)."""
    if line in anchors:
        return True
    if len(line) > 200:
        return False
    return any(len(anchor) >= 0.6 * len(line) and anchor in line for anchor in anchors)


def detect_lang(text: str, declared: str | None, hint: str | None) -> str | None:
    """'ko' when more than 30% of the letters are Hangul; 'en' (or the declared Latin-script
    language) for Latin text; otherwise the declared ``<html lang>``, then the caller's hint.

    Text decides when there is enough of it (20+ letters): Korean outlets' English editions often
    keep ``lang="ko"``. Short texts fall back to the declaration. The title and the first
    ``_LANG_SAMPLE_CHARS`` characters of body decide; counting every letter of a long article
    only cost time.
    """
    declared = _primary_lang(declared)
    text = text[:_LANG_SAMPLE_CHARS]
    letters = len(_LETTER.findall(text))
    if letters >= 20:
        if len(_HANGUL.findall(text)) / letters > 0.3:
            return "ko"
        if len(_LATIN_LETTER.findall(text)) / letters > 0.5:
            if declared and declared not in {"ko", "ja", "zh"} and declared.isascii():
                return declared
            return "en"
    return declared or _primary_lang(hint)


def _primary_lang(tag: str | None) -> str | None:
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _clean_text(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = " ".join(unescape_entities(value).split())
    return cleaned or None


def _plain_text(summary: str) -> str:
    """Feed summaries are often HTML; keep their text, one block per line."""
    if "<" not in summary:
        return summary
    try:
        fragment = fromstring(f"<div>{summary}</div>")
    except Exception:  # lxml rejects some fragments outright; the raw text is better than nothing
        return re.sub(r"<[^>]+>", " ", summary)
    for br in fragment.iter("br", "p", "div", "li"):
        br.tail = "\n" + (br.tail or "")
    return str(fragment.text_content())
