"""Character-set detection and decoding for fetched HTML.

Korean news sites are the reason this module exists: many still serve EUC-KR, often without a
charset in the HTTP header, sometimes with a ``<meta>`` declaration that lies (a page that says
euc-kr but is UTF-8), and they use syllables such as 똠 or 햏 that only CP949 (Microsoft's superset
of EUC-KR) can encode. So every EUC-KR label is read as **cp949**, and every declaration is
verified against the bytes before it is trusted.

Order of evidence: byte-order mark, the HTTP ``Content-Type`` charset, a ``<meta charset>`` /
``http-equiv`` / XML declaration in the first 4 KB, then a detector (charset_normalizer, with a
Hangul check that keeps sparse Korean pages from being read as a Western single-byte codec).
Decoding never raises: when no candidate decodes cleanly, the one with the fewest undecodable
bytes wins and those bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass

from charset_normalizer import from_bytes

__all__ = ["decode_html", "detect_charset", "normalize_charset"]

_PRESCAN_BYTES = 4096
_DETECTOR_SAMPLE = 200_000
_ASCII_BYTES = bytes(range(0x80))

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG-style label folding: a declared legacy charset means its web superset.
_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "euc-kr",
            "euckr",
            "euc_kr",
            "cseuckr",
            "csksc56011987",
            "iso-ir-149",
            "korean",
            "ks_c_5601-1987",
            "ks_c_5601-1989",
            "ks_c_5601",
            "ksc5601",
            "ksc_5601",
            "ks_x_1001",
            "ksx1001",
            "windows-949",
            "x-windows-949",
            "ms949",
            "uhc",
            "cp949",
            "949",
        ),
        "cp949",
    ),
    **dict.fromkeys(
        ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "windows-1252"),
        "cp1252",
    ),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "csgb2312"), "gb18030"),
    **dict.fromkeys(
        ("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j"), "cp932"
    ),
    **dict.fromkeys(("utf8", "unicode-1-1-utf-8", "utf-8"), "utf-8"),
}

_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([-\w.:]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_SINGLE_BYTE = re.compile(r"^(cp125\d|iso8859-\d+|koi8-[ru]|mac-\w+|cp8\d\d|tis-620|cp874)$")


@dataclass(frozen=True, slots=True)
class _Decoded:
    codec: str
    text: str
    errors: int


def normalize_charset(label: str | None) -> str | None:
    """Fold a declared charset label to the Python codec that should read it, or None.

    EUC-KR and all its aliases fold to cp949; Latin-1/ASCII to cp1252 (what browsers do). Labels
    that name no text codec (or a bytes-to-bytes codec such as ``base64``) give None.
    """
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        info = codecs.lookup(key)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return _ALIASES.get(info.name, info.name)


def detect_charset(content: bytes, content_type: str | None) -> str:
    """Return the codec name that reads ``content`` best (see the module docstring for order)."""
    return _choose(content, content_type).codec


def decode_html(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode fetched HTML bytes into text; return ``(text, charset used)``. Never raises.

    A leading byte-order mark is dropped. U+FFFD appears only for bytes that no candidate
    charset could decode. The last result is kept per thread: extraction and the identity reader
    (tasks/identity.py) decode the same bytes object one after the other, and the second call
    is then free (bytes are immutable, so the same object with the same header decodes the same).
    """
    last: tuple[bytes, str | None, tuple[str, str]] | None = getattr(_LAST, "value", None)
    if last is not None and last[0] is content and last[1] == content_type:
        return last[2]
    chosen = _choose(content, content_type)
    text = chosen.text
    if text.startswith("\ufeff"):
        text = text[1:]
    _LAST.value = (content, content_type, (text, chosen.codec))
    return text, chosen.codec


_LAST = threading.local()


def _choose(content: bytes, content_type: str | None) -> _Decoded:
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return _decode(content[len(bom) :], codec)

    declared = _declared(content, content_type)
    if content.isascii():
        codec = next((c for c in declared if _ascii_compatible(c)), "utf-8")
        return _Decoded(codec, content.decode("ascii"), 0)

    tried: dict[str, _Decoded] = {}

    def attempt(codec: str) -> _Decoded:
        if codec not in tried:
            tried[codec] = _decode(content, codec)
        return tried[codec]

    utf8 = attempt("utf-8")
    for codec in declared:
        if codec == "utf-8":
            if _tolerable(utf8, content):
                return utf8
            continue
        if utf8.errors == 0 and _ascii_compatible(codec):
            # Valid multi-byte UTF-8 is practically never legacy text: the declaration lies.
            return utf8
        if codec.startswith(("utf-16", "utf-32")) and b"\x00" not in content[:_PRESCAN_BYTES]:
            continue
        decoded = attempt(codec)
        if _tolerable(decoded, content):
            return decoded

    if utf8.errors == 0:
        return utf8
    korean = attempt("cp949")
    if _tolerable(korean, content) and _hangul_share(korean.text) >= 0.5:
        # Detectors read short or sparse Korean as Big5 or a Western codec; this project reads
        # Korean first, and Western bytes almost never decode cleanly as CP949.
        return korean
    for codec in dict.fromkeys([*_detector_guesses(content), "cp1252"]):
        decoded = attempt(codec)
        if not _tolerable(decoded, content):
            continue
        if _SINGLE_BYTE.match(codec) and codec != "cp1252":
            western = attempt("cp1252")
            if _tolerable(western, content) and _plausibly_western(western.text):
                return western
        return decoded
    return min(tried.values(), key=lambda d: d.errors)


def _declared(content: bytes, content_type: str | None) -> list[str]:
    """Charsets declared by the HTTP header, then by the document itself (deduplicated)."""
    labels: list[str | None] = []
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        labels.append(match.group(1) if match else None)
    head = content[:_PRESCAN_BYTES]
    xml = _XML_ENCODING.match(head)
    if xml:
        labels.append(xml.group(1).decode("ascii", "replace"))
    meta = _META_CHARSET.search(head)
    if meta:
        label = normalize_charset(meta.group(1).decode("ascii", "replace"))
        # A document cannot declare UTF-16 in ASCII bytes; browsers read that as UTF-8.
        labels.append("utf-8" if label and label.startswith("utf-16") else label)
    codecs_found = (normalize_charset(label) for label in labels)
    return list(dict.fromkeys(c for c in codecs_found if c))


def _detector_guesses(content: bytes) -> list[str]:
    try:
        results = from_bytes(content[:_DETECTOR_SAMPLE])
    except Exception:  # the detector is a heuristic; its failure must not stop decoding
        return []
    guesses = (normalize_charset(match.encoding) for match in results)
    return [g for g in guesses if g]


def _decode(content: bytes, codec: str) -> _Decoded:
    try:
        text = content.decode(codec, errors="replace")
    except LookupError:
        return _Decoded(codec, content.decode("utf-8", errors="replace"), len(content))
    errors = text.count("\ufffd")
    if errors and codec.startswith("utf-8"):
        errors -= content.count(b"\xef\xbf\xbd")  # U+FFFD that the page really contains
    return _Decoded(codec, text, errors)


def _tolerable(decoded: _Decoded, content: bytes) -> bool:
    """Accept a codec that fails on a stray byte or a truncated tail, not on the page itself.

    A wrong guess fails on a large share of the non-ASCII bytes (EUC-KR read as UTF-8, or UTF-8
    read as CP949, fail every few characters); a right one fails on at most one byte per thousand.
    """
    if decoded.errors == 0:
        return True
    non_ascii = len(content.translate(None, _ASCII_BYTES))
    return decoded.errors <= max(1, non_ascii // 1000)


def _ascii_compatible(codec: str) -> bool:
    return not codec.startswith(("utf-16", "utf-32"))


def _plausibly_western(text: str) -> bool:
    """Western European text has few accented letters; Cyrillic or Greek read as cp1252 has many."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    accented = sum(1 for ch in letters if "\u00c0" <= ch <= "\u00ff")
    return accented / len(letters) < 0.3


def _hangul_share(text: str) -> float:
    non_ascii = [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]
    if not non_ascii:
        return 0.0
    hangul = sum(1 for ch in non_ascii if "\uac00" <= ch <= "\ud7a3")
    return hangul / len(non_ascii)
