"""Does an HTML page build its content with JavaScript? Then a browser must capture it."""

from __future__ import annotations

from parsel import Selector

# An empty list or table body that a script fills, or a <noscript> apology in the body.
_SCRIPT_BUILT = (
    "//body//ul[not(li)] | //body//ol[not(li)] | //body//tbody[not(tr)] | //body//noscript"
)


def looks_script_built(selector: Selector) -> bool:
    return bool(selector.xpath("//script")) and bool(selector.xpath(_SCRIPT_BUILT))
