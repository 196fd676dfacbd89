"""Per-site extraction overrides from the seed list: ``{field: "css:…" | "xpath:…"}``."""

from __future__ import annotations

from lxml.html import HtmlElement

from catalog.extract.labels import FIELD_LABELS, field_for_label, squeeze


class OverrideError(ValueError):
    pass


def override_field(name: str) -> str:
    """Accept the record's field names (``index_no``) or a printed label (``索引号``)."""
    if name in FIELD_LABELS or name in {"body", "description"}:
        return name
    field = field_for_label(name)
    if field is None:
        raise OverrideError(f"extract override: unknown field {name!r}")
    return field


def apply_overrides(doc: HtmlElement, overrides: dict[str, str]) -> dict[str, tuple[str, str]]:
    """field → (value, rule) for every override that matched something non-empty."""
    found: dict[str, tuple[str, str]] = {}
    for name, spec in overrides.items():
        field = override_field(name)
        kind, _, expr = spec.partition(":")
        if kind == "css":
            nodes = doc.cssselect(expr)
        elif kind == "xpath":
            nodes = doc.xpath(expr)
        else:
            raise OverrideError(f"extract override {name}: {spec!r} is neither css: nor xpath:")
        if not isinstance(nodes, list):
            nodes = [nodes]
        for node in nodes:
            text = node.text_content() if hasattr(node, "text_content") else str(node)
            value = squeeze(text)
            if value:
                found[field] = (value, f"override:{spec}")
                break
    return found
