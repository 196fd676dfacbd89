"""Links in HTML and CSS: what a page points to (L) and what it embeds to render (E).

HTML is read by lxml's event parser in slices of ``PARSE_SLICE`` bytes, decoded
incrementally: no tree and no decoded copy of the whole page is built, so a page costs
about its own body plus its links, however large it is. ``<base href>`` and
``<meta http-equiv=refresh>`` are read by w3lib from the first ``PARSE_SLICE`` bytes (they
belong in the head). A link that is not a URL (urljoin or urlsplit refuse it: ``//[::1``,
``http://[127.0.0.1]/``, a port out of range) is skipped and counted; the page's other links
are kept. An ``<a>`` link carries the start of its text (pagination is told by it: 下一页,
尾页, a page number), and the text of inline scripts in the first slice is kept, bounded,
for the page counts only a script states (crawler/pagination.py).
"""

from __future__ import annotations

import codecs
import functools
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from w3lib.html import get_base_url, get_meta_refresh

from diancang.media_types import ATTACHMENT_SUFFIXES
from diancang.warc_names import EMBED, LINK

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_STYLESHEET_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "preload",
    "modulepreload",
}

# element: (attribute, hop) for attributes that hold one URL.
_ATTRIBUTES_BY_TAG: dict[str, tuple[tuple[str, str], ...]] = {
    "a": (("href", LINK),),
    "area": (("href", LINK),),
    "iframe": (("src", EMBED),),
    "frame": (("src", EMBED),),
    "img": (("src", EMBED),),
    "script": (("src", EMBED),),
    "embed": (("src", EMBED),),
    "input": (("src", EMBED),),
    "video": (("src", EMBED), ("poster", EMBED)),
    "audio": (("src", EMBED),),
    "source": (("src", EMBED),),
    "track": (("src", EMBED),),
    "object": (("data", EMBED),),
    "body": (("background", EMBED),),
    "table": (("background", EMBED),),
    "td": (("background", EMBED),),
}
PARSE_SLICE = 1024 * 1024  # bytes of HTML decoded and fed to the parser at a time
ANCHOR_TEXT_CHARS = 32  # of an <a> link's text (and its images' alt), whitespace collapsed
# inline script text kept from the first PARSE_SLICE bytes of a page (for pagination)
SCRIPT_TEXT_CHARS = 256 * 1024


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)


@dataclass(frozen=True)
class Outlink:
    url: str
    hop: str  # LINK, EMBED or PAGE
    context: str  # where it was found, e.g. "a/@href"
    text: str = ""  # an <a> link's text, its first ANCHOR_TEXT_CHARS characters


@dataclass
class PageLinks:
    links: list[Outlink] = field(default_factory=list)
    invalid: int = 0  # hrefs that are not URLs, skipped
    scripts: str = ""  # inline script text of the page's first PARSE_SLICE bytes, bounded
    has_script: bool = False  # a <script> element anywhere in the page


def css_urls(text: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(text)]


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def absolute_url(base_url: str, raw: str) -> str | None:
    """``raw`` resolved against ``base_url``; None if the result is not a parseable URL."""
    try:
        url = urljoin(base_url, raw)
        urlsplit(url).port  # noqa: B018 - raises ValueError for a bad host or port
    except ValueError:
        return None
    return url


class _LinkTarget:
    """lxml parser target: collects (value, hop, context, text) from start tags, builds no
    tree; and the text of <a> elements and of inline scripts, both bounded."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the last page: the target and its parser are kept for the next one."""
        self.found: list[tuple[str, str, str, str]] = []
        self._style: list[str] | None = None  # text of the <style> element being read
        self._anchor: list[str] | None = None  # text of the <a> element being read
        self._anchor_at = -1  # its index in found, or -1 when its href is missing
        self._script: list[str] | None = None  # text of the inline <script> being read
        self.scripts: list[str] = []
        self.script_room = SCRIPT_TEXT_CHARS  # 0 once past the first slice
        self.has_script = False

    def start(self, tag: str, attrib) -> None:
        found = self.found
        if tag == "a":
            self._end_anchor()
            self._anchor, self._anchor_at = [], len(found) if "href" in attrib else -1
        elif tag == "img" and self._anchor is not None and attrib.get("alt"):
            self._add_anchor_text(attrib["alt"])
        elif tag == "script":
            self.has_script = True
            if "src" not in attrib and self.script_room > 0:
                self._script = []
        for name, hop in _ATTRIBUTES_BY_TAG.get(tag, ()):
            value = attrib.get(name)
            if value is not None:
                found.append((value, hop, f"{tag}/@{name}", ""))
        if tag in ("img", "source") and "srcset" in attrib:
            found.extend((url, EMBED, "srcset", "") for url in _srcset_urls(attrib["srcset"]))
        elif tag == "link" and "href" in attrib:
            rels = set((attrib.get("rel") or "").lower().split())
            kind = EMBED if rels & _STYLESHEET_RELS else LINK
            found.append((attrib["href"], kind, "link", ""))
        elif tag == "style":
            self._style = []
        if "style" in attrib:
            found.extend((url, EMBED, "css", "") for url in css_urls(attrib["style"]))

    def data(self, text: str) -> None:
        if self._style is not None:
            self._style.append(text)
        elif self._script is not None:
            text = text[: self.script_room]
            self._script.append(text)
            self.script_room -= len(text)
        if self._anchor is not None:
            self._add_anchor_text(text)

    def end(self, tag: str) -> None:
        if tag == "style" and self._style is not None:
            self.found.extend((url, EMBED, "css", "") for url in css_urls("".join(self._style)))
            self._style = None
        elif tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None
        elif tag == "a":
            self._end_anchor()

    def _add_anchor_text(self, text: str) -> None:
        if sum(map(len, self._anchor)) < 4 * ANCHOR_TEXT_CHARS:  # room for whitespace
            self._anchor.append(text[: 4 * ANCHOR_TEXT_CHARS])

    def _end_anchor(self) -> None:
        if self._anchor is not None and self._anchor_at >= 0:
            value, hop, context, _ = self.found[self._anchor_at]
            text = " ".join("".join(self._anchor).split())[:ANCHOR_TEXT_CHARS].rstrip()
            self.found[self._anchor_at] = (value, hop, context, text)
        self._anchor, self._anchor_at = None, -1

    def close(self) -> None:
        return None


class _LinkReader(threading.local):
    """A parser and its target, kept from page to page: lxml inspects a target's methods
    whenever a parser is made for one (``inspect.getfullargspec``), which cost a third of
    a small page's parse. One per thread, as a parser reads one page at a time."""

    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        self.target = _LinkTarget()
        self.parser = etree.HTMLParser(target=self.target)


_READER = _LinkReader()


def extract_from_html(body: bytes, encoding: str, base_url: str) -> PageLinks:
    """The links of an HTML page, read in slices (``body`` as received, decoded)."""
    target, parser = _READER.target, _READER.parser
    target.reset()
    try:
        for text in _decoded_slices(body, encoding):
            parser.feed(text)
            target.script_room = 0  # only scripts of the first slice are read
        parser.close()
    except BaseException:
        _READER.renew()  # the parser holds part of this page: not to begin the next one
        raise
    invalid = 0
    try:
        base = absolute_url(base_url, get_base_url(body, base_url, encoding, max_scan=PARSE_SLICE))
    except ValueError:
        base = None
    if base is None:  # a <base href> that is not a URL: links resolve against the page
        invalid += 1
    base_url = base or base_url
    try:
        _, refresh = get_meta_refresh(
            body, base_url, encoding, ignore_tags=(), max_scan=PARSE_SLICE
        )
    except ValueError:
        refresh, invalid = None, invalid + 1
    if refresh and refresh != base_url:  # content="5" alone reloads the page itself
        target.found.append((refresh, LINK, "meta/refresh", ""))
    links = _absolute(target.found, base_url)
    links.invalid += invalid
    links.scripts = "\n".join(target.scripts)
    links.has_script = target.has_script
    return links


def extract_from_css(text: str, base_url: str) -> PageLinks:
    return _absolute([(url, EMBED, "css", "") for url in css_urls(text)], base_url)


def _decoded_slices(body: bytes, encoding: str) -> Iterable[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    view = memoryview(body)
    for start in range(0, len(view), PARSE_SLICE):
        yield decoder.decode(view[start : start + PARSE_SLICE])
    yield decoder.decode(b"", final=True)


@functools.lru_cache(maxsize=4096)
def _from_root(origin: str, raw: str) -> str | None:
    """``absolute_url`` of a root-relative reference (``/path``): it keeps only the scheme
    and host of its base, so a site's navigation links are resolved once, not per page."""
    return absolute_url(origin, raw)


def _resolver(base_url: str) -> Callable[[str], str | None]:
    try:
        parts = urlsplit(base_url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return functools.partial(absolute_url, base_url)
    origin = f"{parts.scheme}://{parts.netloc}"

    def resolve(raw: str) -> str | None:
        if raw.startswith("/") and not raw.startswith("//"):
            return _from_root(origin, raw)
        return absolute_url(base_url, raw)

    return resolve


def _absolute(found: list[tuple[str, str, str, str]], base_url: str) -> PageLinks:
    seen: set[str] = set()
    result = PageLinks()
    resolve = _resolver(base_url)
    for raw, hop, context, text in found:
        raw = (raw or "").strip()
        if not raw or raw.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
            continue
        url = resolve(raw)
        if url is None:
            result.invalid += 1
        elif url not in seen:
            seen.add(url)
            result.links.append(Outlink(url, hop, context, text))
    return result
