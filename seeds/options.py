"""Validation of the per-seed browser behaviours and catalogue extraction overrides."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from parsel.csstranslator import css2xpath

from diancang.seeds.fields import text
from diancang.seeds.shown import clip, name, shown

# Behaviour name -> (type check, description). The browser capture reads these keys.
BEHAVIORS: dict[str, tuple[type, str]] = {
    "load_more": (str, "a CSS selector of the 'load more' control to click"),
    "scroll": (bool, "true to scroll to the bottom until the page stops growing"),
    "max_clicks": (int, "a positive integer: most clicks on load_more"),
}

# parsel's XPath namespaces, so that re:test(...) in an override compiles here as it will there
_XPATH_NS = {"re": "http://exslt.org/regular-expressions", "set": "http://exslt.org/sets"}
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def behaviors(value: dict[str, Any]) -> dict[str, Any]:
    for key, v in value.items():
        if key not in BEHAVIORS:
            raise ValueError(f"unknown behaviour {shown(key)} (known: {', '.join(BEHAVIORS)})")
        kind, what = BEHAVIORS[key]
        ok = isinstance(v, kind) and not (kind is int and isinstance(v, bool))
        if kind is str:
            ok = ok and bool(text(v))
        if kind is int:
            ok = ok and v > 0
        if not ok:
            raise ValueError(f"{key} must be {what}, not {shown(v)}")
    return dict(value)


def extract(value: dict[str, Any]) -> dict[str, str]:
    for field, selector in value.items():
        if not isinstance(field, str) or not _FIELD.match(field):
            raise ValueError(f"{shown(field)} is not a field name")
        label = name(field)
        if not isinstance(selector, str):
            raise ValueError(f"{label}: expected 'css:...' or 'xpath:...', not {shown(selector)}")
        kind, _, expr = text(selector).partition(":")
        if kind not in ("css", "xpath") or not expr.strip():
            raise ValueError(f"{label}: expected 'css:...' or 'xpath:...', not {shown(selector)}")
        try:
            if kind == "css":
                css2xpath(expr)
            else:
                etree.XPath(expr, namespaces=_XPATH_NS)
        except Exception as e:  # cssselect and lxml raise their own error types
            raise ValueError(
                f"{label}: bad {kind} selector {shown(expr)}: {clip(str(e))}"
            ) from None
    return dict(value)
