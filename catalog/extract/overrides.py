"""Per-site extraction overrides from the seed list: ``{field: "css:…" | "xpath:…"}``.

Selectors are evaluated with parsel (Scrapy's selector library, which the seed list also
validates with), so ``::text`` and ``::attr(name)`` work in CSS, and XPath may select text
or attributes. An element selected whole gives its text content.
"""

from __future__ import annotations

from lxml.html import HtmlElement
from parsel import Selector

from diancang.catalog.extract.labels import FIELD_LABELS, field_for_label, squeeze

# Other names seed lists use for the record's fields.
ALIASES = {
    "date": "pub_date", "pubdate": "pub_date", "publication_date": "pub_date",
    "published": "pub_date", "written": "written_date", "date_written": "written_date",
    "index": "index_no", "index_number": "index_no", "document_number": "doc_number",
    "docno": "doc_number", "subject": "category", "publisher": "agency", "issuer": "agency",
    "creator": "agency", "type": "doc_type", "content": "body", "text": "body",
}  # fmt: skip
EXTRA_FIELDS = {"body", "description"}


class OverrideError(ValueError):
    pass


def override_field(name: str) -> str:
    """Accept the record's field names (``index_no``), aliases (``date``) or a printed label
    (``索引号``)."""
    if name in FIELD_LABELS or name in EXTRA_FIELDS:
        return name
    field = ALIASES.get(name.lower()) or field_for_label(name)
    if field is None:
        raise OverrideError(f"extract override: unknown field {name!r}")
    return field


def _texts(selector: Selector, kind: str, expr: str) -> list[str]:
    if kind == "css":
        results = selector.css(expr)
    elif kind == "xpath":
        results = selector.xpath(expr)
    else:
        raise OverrideError(f"extract override: {kind}:{expr!r} is neither css: nor xpath:")
    texts = []
    for result in results:
        if isinstance(result.root, str):
            texts.append(result.root)
        else:
            texts.append(_block_text(result.root))
    return texts


def _block_text(node) -> str:
    from diancang.catalog.extract.visible import block_text

    return block_text(node) if isinstance(node, HtmlElement) else "".join(node.itertext())


def apply_overrides(doc: HtmlElement, overrides: dict[str, str]) -> dict[str, tuple[str, str]]:
    """field → (value, rule) for every override that matched something non-empty."""
    selector = Selector(root=doc, type="html")
    found: dict[str, tuple[str, str]] = {}
    for name, spec in overrides.items():
        field = override_field(name)
        kind, _, expr = spec.partition(":")
        for text in _texts(selector, kind, expr):
            value = text.strip() if field == "body" else squeeze(text)
            if value:
                found[field] = (value, f"override:{spec}")
                break
    return found
