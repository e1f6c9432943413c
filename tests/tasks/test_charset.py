"""Table tests for charset detection: BOM, header, meta, detector, and declarations that lie."""

from __future__ import annotations

import pytest

from tasks.charset import decode_html, detect_charset, normalize_charset

# 똠 and 햏 exist in CP949 but not in EUC-KR (KS X 1001): a strict EUC-KR decoder fails on them.
KOREAN = "SK텔레콤은 을지로 본사에서 글로벌 텔코 AI 얼라이언스 회의를 열었다. 똠양꿍 햏"
PAGE = f"<html><head><title>회의</title></head><body><p>{KOREAN}</p></body></html>"
META_EUCKR = '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
PAGE_META_EUCKR = (
    f"<html><head>{META_EUCKR}<title>회의</title></head><body><p>{KOREAN}</p></body></html>"
)
PAGE_META_UTF8 = f'<html><head><meta charset="utf-8"></head><body><p>{KOREAN}</p></body></html>'
FRENCH = "<html><body><p>Le café est très élégant à Montréal, déjà noté.</p></body></html>"
GERMAN = "<html><body><p>Müller über Straßen und Größe, schön.</p></body></html>"
RUSSIAN = "<html><body><p>Привет, это новости о телекоммуникационных компаниях.</p></body></html>"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("euc-kr", "cp949"),
        ("EUC-KR", "cp949"),
        ("ks_c_5601-1987", "cp949"),
        ("x-windows-949", "cp949"),
        ("windows-949", "cp949"),
        ("korean", "cp949"),
        ("cp949", "cp949"),
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("iso-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("gb2312", "gb18030"),
        ("shift_jis", "cp932"),
        ("windows-1251", "cp1251"),
        ("base64", None),
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_charset(label: str | None, expected: str | None) -> None:
    assert normalize_charset(label) == expected


@pytest.mark.parametrize(
    ("content", "content_type", "expected_charset", "expected_text"),
    [
        pytest.param(
            b"\xef\xbb\xbf" + PAGE.encode("utf-8"),
            "text/html; charset=euc-kr",
            "utf-8",
            PAGE,
            id="utf8-bom-beats-header",
        ),
        pytest.param(
            b"\xff\xfe" + PAGE.encode("utf-16-le"), None, "utf-16-le", PAGE, id="utf16le-bom"
        ),
        pytest.param(
            PAGE.encode("cp949"), "text/html; charset=EUC-KR", "cp949", PAGE, id="header-euckr"
        ),
        pytest.param(
            PAGE.encode("cp949"),
            "text/html; charset=ks_c_5601-1987",
            "cp949",
            PAGE,
            id="header-ks_c_5601",
        ),
        pytest.param(
            PAGE.encode("cp949"),
            'text/html; charset="x-windows-949"',
            "cp949",
            PAGE,
            id="header-x-windows-949-quoted",
        ),
        pytest.param(
            PAGE_META_EUCKR.encode("cp949"),
            "text/html",
            "cp949",
            PAGE_META_EUCKR,
            id="meta-http-equiv-euckr",
        ),
        pytest.param(
            PAGE_META_EUCKR.encode("cp949"),
            "text/html; charset=utf-8",
            "cp949",
            PAGE_META_EUCKR,
            id="header-utf8-lies-meta-right",
        ),
        pytest.param(
            PAGE_META_EUCKR.encode("utf-8"),
            None,
            "utf-8",
            PAGE_META_EUCKR,
            id="meta-euckr-lies-page-is-utf8",
        ),
        pytest.param(
            PAGE_META_EUCKR.encode("utf-8"),
            "text/html; charset=euc-kr",
            "utf-8",
            PAGE_META_EUCKR,
            id="header-and-meta-euckr-lie",
        ),
        pytest.param(
            PAGE_META_UTF8.encode("utf-8"), None, "utf-8", PAGE_META_UTF8, id="meta-charset-utf8"
        ),
        pytest.param(PAGE.encode("cp949"), None, "cp949", PAGE, id="no-declaration-cp949"),
        pytest.param(
            "<p>똠방각하</p>".encode("cp949"), None, "cp949", "<p>똠방각하</p>", id="tiny-cp949"
        ),
        pytest.param(PAGE.encode("utf-8"), None, "utf-8", PAGE, id="no-declaration-utf8"),
        pytest.param(
            b'<?xml version="1.0" encoding="euc-kr"?><html><body>'
            + KOREAN.encode("cp949")
            + b"</body></html>",
            None,
            "cp949",
            f'<?xml version="1.0" encoding="euc-kr"?><html><body>{KOREAN}</body></html>',
            id="xml-declaration",
        ),
        pytest.param(FRENCH.encode("cp1252"), None, "cp1252", FRENCH, id="undeclared-french"),
        pytest.param(GERMAN.encode("cp1252"), None, "cp1252", GERMAN, id="undeclared-german"),
        pytest.param(
            FRENCH.encode("cp1252"), "text/html; charset=ISO-8859-1", "cp1252", FRENCH, id="latin1"
        ),
        pytest.param(RUSSIAN.encode("cp1251"), None, "cp1251", RUSSIAN, id="undeclared-russian"),
        pytest.param(
            b"<html><body>plain ascii</body></html>",
            "text/html; charset=euc-kr",
            "cp949",
            "<html><body>plain ascii</body></html>",
            id="ascii-keeps-declaration",
        ),
        pytest.param(b"", None, "utf-8", "", id="empty"),
    ],
)
def test_decode_html(
    content: bytes, content_type: str | None, expected_charset: str, expected_text: str
) -> None:
    text, charset = decode_html(content, content_type)
    assert (charset, text) == (expected_charset, expected_text)
    assert detect_charset(content, content_type) == expected_charset


def test_stray_byte_in_cp949_page_keeps_cp949() -> None:
    body = (KOREAN * 20).encode("cp949")
    content = b"<html><body><p>" + body + b"\xff</p><p>" + body + b"</p></body></html>"
    text, charset = decode_html(content, "text/html; charset=euc-kr")
    assert charset == "cp949"
    assert text.count("\ufffd") == 1
    assert text.count("똠양꿍") == 40


def test_truncated_utf8_tail_is_still_utf8() -> None:
    content = PAGE.encode("utf-8") + "한".encode()[:2]
    text, charset = decode_html(content, "text/html; charset=utf-8")
    assert charset == "utf-8"
    assert text.startswith(PAGE)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(bytes(range(256)) * 4, id="all-bytes"),
        pytest.param(b"\x00\x01\x02\xff\xfe\xfd" * 100, id="binary"),
        pytest.param(b"\x1f\x8b\x08\x00garbage", id="gzip-magic"),
        pytest.param(b"<html>\x81\x82\x83</html>", id="invalid-multibyte"),
    ],
)
def test_garbage_never_raises(content: bytes) -> None:
    text, charset = decode_html(content, "text/html; charset=bogus")
    assert isinstance(text, str)
    assert charset
