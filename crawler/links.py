"""Links in HTML and CSS: what a page points to (L) and what it embeds to render (E)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

# Heritrix hop types: L = navigational link, E = embedded requisite, R = redirect.
LINK, EMBED = "L", "E"

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_STYLESHEET_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "preload",
    "modulepreload",
}

# (element, attribute, hop) for attributes that hold one URL.
_URL_ATTRIBUTES = [
    ("a", "href", LINK),
    ("area", "href", LINK),
    ("iframe", "src", EMBED),
    ("frame", "src", EMBED),
    ("img", "src", EMBED),
    ("script", "src", EMBED),
    ("embed", "src", EMBED),
    ("input", "src", EMBED),
    ("video", "src", EMBED),
    ("video", "poster", EMBED),
    ("audio", "src", EMBED),
    ("source", "src", EMBED),
    ("track", "src", EMBED),
    ("object", "data", EMBED),
    ("body", "background", EMBED),
    ("table", "background", EMBED),
    ("td", "background", EMBED),
]
_SRCSET = "//img/@srcset | //source/@srcset"


ATTACHMENT_SUFFIXES = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".ofd",
    ".zip", ".rar", ".7z", ".txt", ".rtf", ".csv", ".jpg", ".jpeg", ".png", ".gif",
)  # fmt: skip


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)


@dataclass(frozen=True)
class Outlink:
    url: str
    hop: str  # LINK or EMBED
    context: str  # where it was found, e.g. "a/@href"


def css_urls(text: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(text)]


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def extract_from_html(selector: Selector, base_url: str) -> list[Outlink]:
    base = selector.xpath("//base/@href").get()
    base_url = urljoin(base_url, base.strip()) if base else base_url
    found: list[tuple[str, str, str]] = []
    for tag, name, hop in _URL_ATTRIBUTES:
        for value in selector.xpath(f"//{tag}/@{name}").getall():
            found.append((value, hop, f"{tag}/@{name}"))
    for attr in selector.xpath(_SRCSET):
        found.extend((url, EMBED, "srcset") for url in _srcset_urls(attr.get()))
    for link in selector.xpath("//link[@href]"):
        rels = set((link.attrib.get("rel") or "").lower().split())
        found.append((link.attrib["href"], EMBED if rels & _STYLESHEET_RELS else LINK, "link"))
    for refresh in selector.xpath("//meta[@http-equiv]"):
        if refresh.attrib["http-equiv"].lower() == "refresh":
            content = refresh.attrib.get("content", "")
            match = re.search(r"url\s*=\s*['\"]?([^'\";]+)", content, re.IGNORECASE)
            if match:
                found.append((match.group(1), LINK, "meta/refresh"))
    for style in selector.xpath("//style/text() | //@style"):
        found.extend((url, EMBED, "css") for url in css_urls(style.get()))
    return _absolute(found, base_url)


def extract_from_css(text: str, base_url: str) -> list[Outlink]:
    return _absolute([(url, EMBED, "css") for url in css_urls(text)], base_url)


def _absolute(found: list[tuple[str, str, str]], base_url: str) -> list[Outlink]:
    seen: set[str] = set()
    links = []
    for raw, hop, context in found:
        raw = (raw or "").strip()
        if not raw or raw.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
            continue
        url = urljoin(base_url, raw)
        if url not in seen:
            seen.add(url)
            links.append(Outlink(url, hop, context))
    return links
