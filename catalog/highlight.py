"""Highlighting search terms in record text: everything escaped, only the matches marked."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

SNIPPET_CONTEXT = 40  # characters shown each side of the first match in a body


def _pattern(terms: list[str]) -> re.Pattern | None:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)  # longest match first
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(text: str | None, terms: list[str]) -> Markup:
    """``text`` escaped, with each occurrence of a term in ``<mark>``."""
    text = text or ""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group())
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str | None, terms: list[str], width: int = SNIPPET_CONTEXT) -> Markup:
    """The part of ``text`` around its first match (its start when nothing matches)."""
    text = " ".join((text or "").split())
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern is not None else None
    start = max(0, match.start() - width) if match else 0
    end = min(len(text), (match.end() if match else 0) + width * 2)
    part = highlight(text[start:end], terms)
    return Markup("").join(
        [Markup("…") if start else Markup(""), part, Markup("…") if end < len(text) else Markup("")]
    )
