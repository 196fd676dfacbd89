"""Decode an archived page with its real charset (GB2312/GBK pages are decoded as GB18030).

w3lib reads the BOM, the HTTP header and the ``<meta>``/XML declaration, and maps labels as
browsers do (WHATWG: gb2312 and gbk → gb18030). A declared label is believed unless the page
plainly is not in it; then the page's charset is detected.
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)


def canonical_charset(label: str | None) -> str | None:
    """The Python codec to use for a declared charset label, or None when unknown."""
    return resolve_encoding(label.strip()) if label and label.strip() else None


def detect_charset(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (codec, how it was found): BOM, then HTTP header, then <meta>, then detection."""
    bom_charset, _ = read_bom(body)
    if bom_charset is not None:
        return bom_charset, "bom"
    for charset, source in (
        (http_content_type_encoding(content_type), "http-header"),
        (html_body_declared_encoding(body), "meta"),
    ):
        if charset and _decodes(body, charset):
            return charset, source
    try:
        body.decode("utf-8")
        return "utf-8", "detected"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:65536]).best()
    if best is not None:
        return canonical_charset(best.encoding) or best.encoding, "detected"
    return "gb18030", "fallback"


def page_text(body: bytes, charset: str) -> str:
    """The page decoded with ``charset``, without its BOM; bytes that do not decode → U+FFFD."""
    _, bom = read_bom(body)
    return to_unicode(body[len(bom or b"") :], charset)


def _decodes(body: bytes, charset: str) -> bool:
    """A declared charset is believed unless the page plainly is not in it."""
    try:
        body.decode(charset)
        return True
    except UnicodeDecodeError:
        # Tolerate a few bad bytes (truncated pages), not a wrong declaration.
        text = body.decode(charset, errors="replace")
        return text.count("\ufffd") * 200 < len(text)
    except LookupError:
        return False
