"""Label/value pairs of a disclosure table, whatever its markup.

The page is read as a stream of text tokens with the element boundaries between them:
a token that is a known label (``索 引 号：``, ``<strong>索引号</strong>``, ``<dt>文号</dt>``)
opens a field whose value is the text that follows, up to the next label, the end of the
cell once some value was read, or the end of the row/paragraph. A token ``label：value``
carries both. This covers th/td rows, dl/dt/dd, ``<p><strong>…</strong>：…</p>`` and spans.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from diancang.catalog.extract.labels import field_for_label, split_label_value, squeeze

ROW_TAGS = {
    "tr", "p", "li", "div", "br", "table", "ul", "ol", "dl", "h1", "h2", "h3",
    "h4", "h5", "h6", "section", "article", "body", "form", "hr",
}  # fmt: skip
CELL_TAGS = {"td", "th", "dt", "dd", "span", "li"}
SKIP_TAGS = {"script", "style", "noscript", "template", "select", "option", "textarea"}
ROW, CELL = "row", "cell"


@dataclass
class Pair:
    field: str
    value: str
    rule: str


def _markup(el: HtmlElement) -> str:
    parent = el.getparent()
    tag = el.tag if isinstance(el.tag, str) else "text"
    if parent is not None and tag not in {"td", "th", "dt", "dd"}:
        return f"{parent.tag}>{tag}"
    return tag


def _tokens(root: HtmlElement) -> Iterator[tuple[str, str | None, HtmlElement | None]]:
    """Yield ("text", text, element) and (ROW|CELL, None, None) boundary markers.

    lxml's ``iterwalk`` walks the tree in C: a recursive generator cost a Python frame per
    element and per level for every token (most of the scan's time)."""
    if not isinstance(root.tag, str) or root.tag in SKIP_TAGS:
        return
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag in ROW_TAGS:
                yield ROW, None, None
            if el.text and el.text.strip():
                yield "text", el.text, el
            continue
        if event == "end" and tag not in SKIP_TAGS:  # comments and PIs give no "end"
            if tag in ROW_TAGS:
                yield ROW, None, None
            elif tag in CELL_TAGS:
                yield CELL, None, None
        if el is not root and el.tail and el.tail.strip():
            yield "text", el.tail, el


def scan_label_values(root: HtmlElement, origin: str = "label") -> list[Pair]:
    """Every (field, value) pair found under ``root``, in page order."""
    pairs: list[Pair] = []
    field: str | None = None
    rule = ""
    parts: list[str] = []

    def close() -> None:
        nonlocal field, parts
        if field is not None:
            pairs.append(Pair(field, squeeze("".join(parts)), rule))
        field, parts = None, []

    for kind, text, el in _tokens(root):
        if kind == ROW:
            close()
            continue
        if kind == CELL:
            if field is not None and "".join(parts).strip(" ：:\u3000\xa0"):
                close()
            continue
        assert text is not None and el is not None
        label = field_for_label(text)
        if label:
            close()
            field, rule = label, f"{origin}:{_markup(el)}"
            continue
        inline = split_label_value(squeeze(text))
        if inline:
            close()
            field, rule = inline[0], f"{origin}:{_markup(el)}(label：value)"
            parts = [inline[1]]
            continue
        if field is not None:
            parts.append(text)
    close()
    return pairs


def scan_comments(root: HtmlElement) -> list[Pair]:
    """Label/value pairs left inside HTML comments (fields some sites hide)."""
    pairs: list[Pair] = []
    for comment in root.iter(etree.Comment):
        text = comment.text or ""
        if "：" not in text and ":" not in text:
            continue
        try:
            fragment = etree.fromstring(f"<div>{text}</div>", etree.HTMLParser())
        except etree.ParserError:
            continue
        if fragment is not None:
            pairs.extend(scan_label_values(fragment, origin="comment"))
    return pairs
