"""URL identity: one lossy, normalized key per page, kept apart from the URL that is fetched.

``url_key`` is what makes "the same page" decidable before anything is fetched: discovery skips
keys already stored, ``article_id_for`` derives the article's primary key from it, and re-running a
window re-derives the same ids. The key is deliberately lossy (scheme, ``www.``/``m.``, tracking
parameters, fragment and trailing slash are dropped) and is never fetched: the original URL and the
page's canonical link are stored beside it.

Korean portals republish one outlet article under many URL shapes. Naver's current
(``n.news.naver.com/mnews/article/{oid}/{aid}``), short (``/article/{oid}/{aid}``) and legacy
(``news.naver.com/main/read.naver?oid=…&aid=…``, ``read.nhn``) forms all become
``naver:{oid}/{aid}``; Daum ``v.daum.net/v/{id}`` becomes ``daum:{id}`` and ZUM
``news.zum.com/articles/{id}`` becomes ``zum:{id}``. A portal copy and the outlet's own page still
get different keys: joining those is the content dedupe's job (tasks/dedupe.py), since the URL
alone does not say which outlet article a portal id points to.

Plain ``urllib`` rather than courlan (installed with trafilatura): courlan 1.4's ``normalize_url``
keeps dot segments and lower-case percent escapes, drops blank query values and keeps ``_mc``, so
it would still need a second pass.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final
from urllib.parse import SplitResult, parse_qsl, quote, quote_plus, urlsplit, urlunsplit

PORTALS: Final = ("naver", "daum", "zum")

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

_TRACKING_PARAMS: Final = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "igshid",
        "_mc",  # Light Reading: ?_mc=RSS_LR_EDT
        "ref",
        "ref_src",
        "from",  # feed-tracking ?from=rss
        "rss",
    }
)
"""Query parameters (compared lower-case) that say how a reader arrived, not which page it is.

``utm_*`` is matched by prefix. ``ref``/``from`` are dropped on every host: on article pages they
only ever carry referral tags (``?ref=rss``, ``?from=rss``); a search or listing page that used them
for content is not something this key has to identify.
"""

_HOST_PREFIXES: Final = ("www.", "m.")

_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE: Final = "!$&'()*+,;=:@/%"
_QUERY_SAFE: Final = "!$'()*,;:@/?"
_ASCII_SAFE: Final = "".join(chr(c) for c in range(0x21, 0x7F))
_PCT_RE: Final = re.compile(r"%([0-9A-Fa-f]{2})")
_BARE_PCT_RE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_RE: Final = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$"
)

_NAVER_HOSTS: Final = frozenset(
    {
        "news.naver.com",
        "n.news.naver.com",
        "entertain.naver.com",
        "sports.news.naver.com",
        "sports.naver.com",
    }
)
_NAVER_PATH_RE: Final = re.compile(r"^/(?:[a-z]+/){0,2}article/(\d{3})/(\d{6,})$")
_NAVER_READ_PATHS: Final = frozenset(
    {"/main/read.naver", "/main/read.nhn", "/main/read", "/read.naver", "/read.nhn", "/read"}
)
_NAVER_SPORTS_READ_PATHS: Final = frozenset({"/news.nhn", "/news", "/sports/news.nhn"})
_DAUM_HOSTS: Final = frozenset({"v.daum.net", "news.v.daum.net"})
_DAUM_PATH_RE: Final = re.compile(r"^/v/([0-9A-Za-z]+)$")
_ZUM_HOSTS: Final = frozenset({"news.zum.com"})
_ZUM_PATH_RE: Final = re.compile(r"^/articles/(\d+)$")

_KHAN_PATH_RE: Final = re.compile(r"^/(?:[a-z-]+/)*article/(\d{12,})$")

NAVER_PRESS: Final = {
    "001": "연합뉴스",
    "003": "뉴시스",
    "008": "머니투데이",
    "009": "매일경제",
    "011": "서울경제",
    "014": "파이낸셜뉴스",
    "015": "한국경제",
    "016": "헤럴드경제",
    "018": "이데일리",
    "020": "동아일보",
    "023": "조선일보",
    "025": "중앙일보",
    "029": "디지털타임스",
    "030": "전자신문",
    "031": "아이뉴스24",
    "044": "코리아헤럴드",
    "092": "지디넷코리아",
    "138": "디지털데일리",
    "277": "아시아경제",
    "293": "블로터",
    "366": "조선비즈",
    "421": "뉴스1",
    "437": "JTBC",
}
"""Naver press office ids (oid) → press name, the codes that six crawler repositories agree on.

Codes the sources disagree on (한국일보 038 vs 469; 584) are left out rather than guessed.
"""


def without_credentials(url: str) -> str:
    """``url`` with the user-info part (``user:password@``) replaced by ``***@``.

    A source behind HTTP basic auth is configured as ``https://user:secret@host/feed``; the fetch
    uses that URL, but what is stored (``sources``, ``fetch_log``, ``http_validators``) and what
    analysts read must not carry the secret. The whole user-info goes, since a bare user name can
    be an API token too. Deterministic, so it still works as the validators' key; a URL without
    user-info is returned unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def url_key(url: str) -> str:
    """The identity of the page at ``url``: a scheme-less, normalized, portal-aware key.

    Raises ``ValueError`` for anything that is not an http(s) URL with a valid host
    (``javascript:``, ``mailto:``, no host, spaces in the host, a non-numeric port).
    A URL without a scheme (``example.com/a``) is read as http.
    """
    parts = _split(url)
    host = _strip_host_prefixes(_host(parts))
    port = _port(parts)
    path = _normalize_path(parts.path)
    params = _query_params(parts.query)

    portal = _portal_key(host, path, params)
    if portal is not None:
        return portal

    host, path, params = _outlet_rules(host, path, params)
    kept = sorted((k, v) for k, v in params if not _is_tracking(k))
    query = "&".join(
        f"{quote_plus(k, safe=_QUERY_SAFE, encoding='latin-1')}"
        f"={quote_plus(v, safe=_QUERY_SAFE, encoding='latin-1')}"
        for k, v in kept
    )
    netloc = host if port is None else f"{host}:{port}"
    return f"{netloc}{path}?{query}" if query else f"{netloc}{path}"


def portal_of(url: str) -> str | None:
    """``"naver"``, ``"daum"`` or ``"zum"`` when ``url`` is a portal's copy of an article.

    Only article pages count (a Naver comment page or section list is None); an unusable URL is
    None as well, since it is a copy on no portal.
    """
    try:
        key = url_key(url)
    except ValueError:
        return None
    prefix, sep, _ = key.partition(":")
    return prefix if sep and prefix in PORTALS else None


def naver_press(oid: str) -> str | None:
    """The press name for a Naver office id (``"030"`` or ``"30"`` → 전자신문), None if unknown."""
    oid = oid.strip()
    if not oid.isdigit() or len(oid) > 3:
        return None
    return NAVER_PRESS.get(oid.zfill(3))


def article_id_for(url_key: str) -> str:
    """A short, deterministic article id for a url_key: the first 16 hex digits of its SHA-256.

    64 bits keep the chance of any collision among a million articles below 1e-7, and the id is
    re-derived identically on every run (Python's ``hash`` is salted per process: not usable).
    """
    if not url_key:
        raise ValueError("article_id_for needs a non-empty url_key")
    return hashlib.sha256(url_key.encode("utf-8")).hexdigest()[:16]


def is_http_url(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a valid host (what ``url_key`` accepts)."""
    if not isinstance(url, str) or "://" not in url:
        return False
    try:
        _host(_split(url))
    except ValueError:
        return False
    return True


def _split(url: str) -> SplitResult:
    if not isinstance(url, str):
        raise ValueError(f"URL must be a string, not {type(url).__name__}")
    text = url.strip()
    if not text:
        raise ValueError("empty URL")
    if any(ch in text for ch in "\r\n\t"):
        raise ValueError(f"URL contains control whitespace: {text[:80]!r}")
    if text.startswith("//"):
        text = "http:" + text
    elif "://" not in text:
        scheme, colon, rest = text.partition(":")
        scheme = scheme.lower()
        is_port = re.match(r"\d+(?:[/?#]|$)", rest) is not None
        if colon and re.fullmatch(r"[a-z][a-z0-9+-]*", scheme) and not is_port:
            # "javascript:…", "mailto:…", "data:…" (but not "example.com:8080/x", "localhost:80")
            raise ValueError(f"not a web URL (scheme {scheme!r}): {text[:80]!r}")
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise ValueError(f"unparseable URL {text[:80]!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not a web URL (scheme {scheme!r}): {text[:80]!r}")
    return parts


def _host(parts: SplitResult) -> str:
    raw = parts.hostname
    if not raw:
        raise ValueError(f"URL has no host: {parts.geturl()[:80]!r}")
    host = raw.rstrip(".")
    if ":" in host:  # IPv6 literal; urlsplit already removed the brackets
        return f"[{host}]"
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"invalid host {raw!r}") from exc
    if not _HOST_RE.match(host):
        raise ValueError(f"invalid host {raw!r}")
    return host


def _strip_host_prefixes(host: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, changed = rest, True
    return host


def _port(parts: SplitResult) -> int | None:
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid port in {parts.netloc!r}") from exc
    if port is None or port == _DEFAULT_PORTS[parts.scheme.lower()]:
        return None
    return port


def _canonical_escapes(text: str, safe: str) -> str:
    """One canonical percent-encoding: unreserved characters literal, other escapes upper-case.

    Non-ASCII characters become UTF-8 escapes first, so ``/뉴스`` and ``/%eb%89%b4%ec%8a%a4`` agree;
    escapes of reserved characters (``%2F``) stay escaped because decoding them changes the URL.
    """
    text = _BARE_PCT_RE.sub("%25", text)
    text = quote(text, safe=safe)

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PCT_RE.sub(fix, text)


def _normalize_path(path: str) -> str:
    path = _canonical_escapes(path, _PATH_SAFE)
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    path = "/".join(segments)
    path = path.rstrip("/")
    if path and not path.startswith("/"):
        path = "/" + path
    return path


def _query_params(query: str) -> list[tuple[str, str]]:
    """Query pairs decoded byte-for-byte (latin-1), so EUC-KR escapes survive the round trip."""
    if not query:
        return []
    ascii_query = _BARE_PCT_RE.sub("%25", quote(query, safe=_ASCII_SAFE))
    return parse_qsl(ascii_query, keep_blank_values=True, encoding="latin-1")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in _TRACKING_PARAMS


def _portal_key(host: str, path: str, params: list[tuple[str, str]]) -> str | None:
    if host in _NAVER_HOSTS:
        match = _NAVER_PATH_RE.match(path)
        if match:
            return f"naver:{match.group(1)}/{match.group(2)}"
        if path in _NAVER_READ_PATHS or path in _NAVER_SPORTS_READ_PATHS:
            query = {k.lower(): v for k, v in params}
            oid, aid = query.get("oid", ""), query.get("aid", "")
            if re.fullmatch(r"\d{3}", oid) and re.fullmatch(r"\d{6,}", aid):
                return f"naver:{oid}/{aid}"
        return None
    if host in _DAUM_HOSTS:
        match = _DAUM_PATH_RE.match(path)
        return f"daum:{match.group(1)}" if match else None
    if host in _ZUM_HOSTS:
        match = _ZUM_PATH_RE.match(path)
        return f"zum:{match.group(1)}" if match else None
    return None


def _outlet_rules(
    host: str, path: str, params: list[tuple[str, str]]
) -> tuple[str, str, list[tuple[str, str]]]:
    """Outlet URL shapes (telecom-facts §5d) that provably name one article in several ways.

    Kyunghyang files one article id under several section paths
    (``/world/world-general/article/{id}`` and ``/world/europe-russia/article/{id}`` both occur in
    the knews-rss feed, with identical bodies), and Chosun marks its AMP rendering of a path with
    ``?outputType=amp``. Shapes that only look related (Hankyung ``/amp/…``, etoday's mobile
    ``view.php?idxno=``) are left alone: a wrong merge here makes discovery skip an unseen article,
    while a missed one costs only an exact-copy match in dedupe.
    """
    if host == "khan.co.kr":
        match = _KHAN_PATH_RE.match(path)
        if match:
            path = f"/article/{match.group(1)}"
    elif host == "chosun.com" or host.endswith(".chosun.com"):
        params = [(k, v) for k, v in params if k.lower() != "outputtype"]
    return host, path, params
