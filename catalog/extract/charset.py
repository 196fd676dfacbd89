"""Decode an archived page with its real charset (GB2312/GBK pages are decoded as GB18030)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Labels whose repertoire is a subset of GB18030: decoding with GB18030 loses nothing and
# keeps the characters that pages labelled gb2312 use anyway (e.g. 镕, 堃, 喆).
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


def canonical_charset(label: str | None) -> str | None:
    """The Python codec to use for a declared charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSET.get(label) or _SUPERSET.get(name) or name


def charset_from_content_type(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return canonical_charset(match.group(1)) if match else None


def charset_from_meta(head: bytes) -> str | None:
    match = _META_CHARSET.search(head[:4096])
    return canonical_charset(match.group(1).decode("ascii", "ignore")) if match else None


def detect_charset(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (codec, how it was found): BOM, then HTTP header, then <meta>, then detection."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "bom"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "bom"
    for charset, source in (
        (charset_from_content_type(content_type), "http-header"),
        (charset_from_meta(body), "meta"),
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


def decode_page(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, codec) for the page body."""
    charset, _ = detect_charset(body, content_type)
    return body.decode(charset, errors="replace"), charset
