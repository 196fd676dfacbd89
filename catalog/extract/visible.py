"""What a reader sees: the heading, the body text and the attachment links of a page."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from diancang.catalog.extract.labels import squeeze
from diancang.media_types import ATTACHMENT_SUFFIXES

BODY_SELECTORS = (
    "#UCAP-CONTENT",
    ".TRS_Editor",
    "#zoom",
    ".pages_content",
    ".article-content",
    ".article_content",
    "#content",
    ".content",
    "article",
)
TITLE_SELECTORS = ("h1", ".article-title", ".title", "#title")
# Compiled once: ``HtmlElement.cssselect`` translates its selector to XPath on every call,
# which cost more than the rest of a plain page's extraction.
_COMPILED = {
    selector: CSSSelector(selector, translator="html")
    for selector in (*TITLE_SELECTORS, *BODY_SELECTORS)
}
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||-{1,2}|—)\s*")
_BLOCKS = {"p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "table", "section"}


def visible_title(doc: HtmlElement) -> tuple[str, str] | None:
    """(title, rule): the first <h1>, else the first part of <title>."""
    for selector in TITLE_SELECTORS:
        for el in _COMPILED[selector](doc):
            text = squeeze(el.text_content())
            if 2 <= len(text) <= 300:
                return text, f"visible:{selector}"
    title = doc.find(".//title")
    if title is not None and squeeze(title.text_content()):
        first = _TITLE_SPLIT.split(squeeze(title.text_content()))[0]
        return first, "visible:<title>"
    return None


def page_title(doc: HtmlElement) -> str | None:
    title = doc.find(".//title")
    return squeeze(title.text_content()) or None if title is not None else None


def block_text(el: HtmlElement) -> str:
    """Text of ``el`` with one line per paragraph, scripts and comments left out."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = squeeze("".join(current))
        if line:
            lines.append(line)
        current.clear()

    def walk(node: HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None or tag in {"script", "style", "noscript"}:
            if node.tail:
                current.append(node.tail)
            return
        if tag in _BLOCKS:
            flush()
        if node.text:
            current.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCKS:
            flush()
        if node.tail:
            current.append(node.tail)

    tail, el.tail = el.tail, None
    try:
        walk(el)
    finally:
        el.tail = tail
    flush()
    return "\n".join(lines)


def body_element(doc: HtmlElement) -> tuple[HtmlElement, str] | None:
    for selector in BODY_SELECTORS:
        found = _COMPILED[selector](doc)
        if found:
            return found[0], f"visible:{selector}"
    best, best_len = None, 0
    for el in doc.iter("div", "td", "section"):
        length = sum(len(p.text_content()) for p in el.findall("p"))
        if length > best_len:
            best, best_len = el, length
    return (best, "visible:most-paragraph-text") if best is not None else None


BAD_LINK = "link skipped: not a valid URL"
MAX_ATTACHMENTS = 500
TOO_MANY_ATTACHMENTS = f"page links more than {MAX_ATTACHMENTS} attachments: the rest left out"


def attachment_links(
    doc: HtmlElement, base_url: str, skipped: Counter[str] | None = None
) -> list[tuple[str, str]]:
    """(absolute URL, link text) of links to documents, in page order, without repeats.

    A link that is not a valid URL (``//[::1``) is left out and counted in ``skipped``."""
    seen: set[str] = set()
    links: list[tuple[str, str]] = []
    base_is_valid = _splits(base_url)
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        if base_is_valid and _plainly_not_attachment(href):
            continue
        try:
            url = urljoin(base_url, href).split("#", 1)[0]
            path = urlsplit(url).path
        except ValueError:
            if skipped is not None:
                skipped[BAD_LINK] += 1
            continue
        if not path.lower().endswith(ATTACHMENT_SUFFIXES) or url in seen:
            continue
        if len(links) == MAX_ATTACHMENTS:
            if skipped is not None:
                skipped[TOO_MANY_ATTACHMENTS] += 1
            break
        seen.add(url)
        links.append((url, squeeze(a.text_content()) or url.rsplit("/", 1)[-1]))
    return links


def _splits(url: str) -> bool:
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def _plainly_not_attachment(href: str) -> bool:
    """True when resolving ``href`` can neither fail nor give a document's path, read from
    ``href`` alone: most of a page's links, which then skip urljoin (the most of the time
    ``attachment_links`` took).

    A resolved path ends as the href's own path does, once that is not empty (``?page=2``
    keeps the base's path) and urlsplit drops no tab or newline from it. Resolving fails
    only on the host, which an href has after ``//`` and which fails only when it holds
    brackets or characters outside ASCII."""
    if "\t" in href or "\n" in href or "\r" in href:
        return False
    if "//" in href and (not href.isascii() or "[" in href or "]" in href):
        return False
    path = href.split("#", 1)[0].split("?", 1)[0]
    return bool(path) and not path.lower().endswith(ATTACHMENT_SUFFIXES)
