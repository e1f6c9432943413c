"""Page identity beyond the fetched URL: ``og:url``, the canonical link, and a portal copy's outlet.

A page reached by two URLs (a feed link with tracking noise, an AMP or mobile rendering, a section
path) often names itself the same way in ``<link rel=canonical>`` or ``og:url``. Dedupe uses the
url_keys of those links as extra identity (tasks/dedupe.py), so the second copy joins the first
page's story as an exact copy whatever its body extraction made of it.

Portal copies (Naver, Daum, ZUM) carry the portal's name as site name; the outlet that wrote the
article is in the page's head, and counting distinct outlets per story needs that one:

- Daum (and ZUM's mirror pages): ``<meta property="article:media_name" content="중앙일보">``;
- Naver: ``<meta property="og:article:author" content="뉴시스 | 네이버">`` and
  ``<meta name="twitter:creator" content="뉴시스">``; the press office id in the URL
  (``/article/003/…``) is the fallback (``tasks.urls.naver_press``).

``og:article:author`` and ``twitter:creator`` name a reporter or a handle on ordinary outlet pages,
so they count only with a portal suffix or on a portal URL; ``article:media_name`` is a portal
convention and counts anywhere.

Only the ``<head>`` is parsed (lxml, a few hundred microseconds): extraction (tasks/extraction.py)
parses the whole page for its own facts and is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from tasks.charset import decode_html
from tasks.urls import PORTALS, naver_press, portal_of, url_key

_HEAD_END: Final = re.compile(r"</head\s*>|<body[\s>]", re.I)
_MAX_HEAD_CHARS: Final = 200_000
_PORTAL_SUFFIX: Final = re.compile(
    r"\s*[|\-·]\s*(?:네이버(?:\s*뉴스)?|naver(?:\s*news)?|다음(?:\s*뉴스)?|daum(?:\s*news)?"
    r"|줌(?:\s*뉴스)?|zum(?:\s*news)?)\s*$",
    re.I,
)
_NAVER_OID: Final = re.compile(r"^naver:(\d{3})/")


@dataclass(frozen=True, slots=True)
class PageIdentity:
    """What the page's head says about itself: its ``og:url``, canonical link and outlet.

    ``outlet`` is set only when the page is a portal copy that names its original outlet.
    """

    og_url: str | None = None
    canonical_url: str | None = None
    outlet: str | None = None


def read_identity(content: bytes, url: str, content_type: str | None = None) -> PageIdentity:
    """The identity facts of the fetched page at ``url``. Never raises (a broken head is empty)."""
    try:
        text, _ = decode_html(content, content_type)
    except Exception:  # the contract is "never raises", like extraction's
        return PageIdentity()
    match = _HEAD_END.search(text, 0, _MAX_HEAD_CHARS)
    head = text[: match.start()] if match else text[:_MAX_HEAD_CHARS]
    if not head.strip():
        return PageIdentity()
    try:
        tree = lxml.html.fromstring(head)
    except (ParserError, ValueError):
        return PageIdentity()
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        value = " ".join((element.get("content") or "").split())
        if key and value:
            meta.setdefault(key, value)
    canonical = None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and (link.get("href") or "").strip():
            canonical = _absolute(str(link.get("href")).strip(), url)
            break
    og_url = _absolute(meta["og:url"], url) if "og:url" in meta else None
    return PageIdentity(og_url=og_url, canonical_url=canonical, outlet=_outlet(meta, url))


def identity_keys(url: str | None, *others: str | None) -> tuple[str, ...]:
    """The distinct url_keys of a page's URL, canonical link and ``og:url``; unusable ones dropped.

    A link that reduces to a bare host (``example.com``) names a site, not a page (a CMS default),
    and is no identity.
    """
    keys: list[str] = []
    for candidate in (url, *others):
        if not candidate:
            continue
        try:
            key = url_key(candidate)
        except ValueError:
            continue
        prefix, colon, _ = key.partition(":")
        if "/" not in key and "?" not in key and not (colon and prefix in PORTALS):
            continue
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def page_keys(key: str, canonical_url: str | None, og_url: str | None) -> tuple[str, ...]:
    """A stored page's identity keys: its url_key, then those of its canonical link and ``og:url``.

    The loader stores these beside the article (``articles.identity_keys``), so loading the dedupe
    window does not parse two URLs per stored article on every run.
    """
    found = identity_keys(None, canonical_url, og_url)
    return ((key,) if key else ()) + tuple(k for k in found if k != key)


def _absolute(link: str, base: str) -> str | None:
    absolute = urljoin(base, link)
    parts = urlsplit(absolute)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return absolute


def _outlet(meta: dict[str, str], url: str) -> str | None:
    media = meta.get("article:media_name")
    if media:
        return _PORTAL_SUFFIX.sub("", media) or None
    author = meta.get("og:article:author", "")
    if author and _PORTAL_SUFFIX.search(author):
        return _PORTAL_SUFFIX.sub("", author) or None
    portal = portal_of(url)
    if portal is None:
        return None
    creator = meta.get("twitter:creator", "")
    if portal == "naver" and creator and not creator.startswith("@"):
        return creator
    oid = _NAVER_OID.match(url_key(url))
    return naver_press(oid.group(1)) if oid else None
