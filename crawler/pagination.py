"""Pagination of listing pages: which links of a page lead to other pages of its listing.

A link is another page of the listing when its text says so (下一页, 尾页, a page number, »)
and it stays in the page's directory, or when its URL has the page's own URL shape with
another page number (``index.html`` ↔ ``index_3.html``, ``list-2.shtml``, ``?page=3``,
``/3.html``). A shape is the URL with its page number replaced by ``{page}``; it names the
listing (:func:`listing_key`) and fills in the pages between those linked (a first page
that links only 下一页 and 尾页). Page counts that only a script states -- the TRS CMS
``createPageHTML(N, current, "index", "html")``, ``totalPage = N`` beside links of a known
shape -- become the listing's page URLs the same way, so no browser is needed for them.

Everything here reads bounded input (links of one page, its first slice's scripts) in
linear time: path segments are split, not matched, and script patterns run on RE2.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import re2

from diancang.crawler.links import Outlink
from diancang.warc_names import LINK, PAGE

PAGE_SLOT = "{page}"
# the listing key of a seed's first page, before any pagination is seen: "seed:listing"
FIRST_PAGE_LISTING = "listing"
# Link texts that say "another page of this list", compared lower-cased, decoration stripped.
PAGE_WORDS = frozenset(
    {
        "下一页", "上一页", "下页", "上页", "尾页", "末页", "首页", "最后一页", "第一页",
        "前一页", "后一页", "下一頁", "上一頁", "next", "prev", "previous", "next page",
        "previous page", "first", "last", ">", ">>", "»", "<", "<<", "«", "›", "‹",
    }
)  # fmt: skip
_DECORATION = " []【】()（）<>«»‹›"
# Query parameters holding a page number. ``p`` is also WordPress's post id: a ``?p=`` link
# is a page only when its text says so.
PAGE_PARAMS = frozenset({"page", "pageno", "pageindex", "currpage", "curpage", "pagenum", "p"})
_TEXT_ONLY_PARAMS = frozenset({"p"})
MAX_PAGE_DIGITS = 6
# URLs whose page readings are kept: a page's own URL is read against each of its links, and
# a site's navigation links recur on every page
READINGS_CACHED = 4096
# Script variables holding a listing's page count (compared lower-cased).
TOTAL_NAMES = frozenset({"totalpage", "totalpages", "pagecount", "countpage", "pagetotal"})
_RE2 = re2.Options()
_RE2.log_errors = False
# createPageHTML(count, current, "index", "html"): count and current may be variables
_CREATE_PAGE_HTML = re2.compile(
    r"createPageHTML\(\s*([\w$]{1,32})\s*,\s*[\w$]{1,32}\s*,\s*[\"']([\w.-]{1,64})[\"']"
    r"\s*,\s*[\"']([A-Za-z]{1,8})[\"']",
    _RE2,
)
_ASSIGNMENT = re2.compile(r"([A-Za-z_$][\w$]{0,31})[\"']?\s*[:=]\s*[\"']?(\d{1,6})\b", _RE2)


@dataclass(frozen=True)
class Shape:
    """The URL shape of a listing's pages (two shapes are equal when their templates are)."""

    template: str  # a page's URL with its number as PAGE_SLOT
    # URLs of the first page without a number, and the number that page stands for
    first: tuple[str, ...] = field(default=(), compare=False)
    first_number: int = field(default=1, compare=False)
    # the first page exists only unnumbered (TRS: index.html, never index_0.html)
    first_unnumbered: bool = field(default=False, compare=False)
    # the shape alone marks a link as a page of the listing (else its text must say so)
    by_shape: bool = field(default=True, compare=False)

    def url(self, number: int) -> str:
        if self.first_unnumbered and number == self.first_number:
            return self.first[0]
        return self.template.replace(PAGE_SLOT, str(number))


def _stem_shape(url: str, stem: str, sep: str, ext: str) -> Shape:
    """index_{page}.html beside ``url`` (TRS: index.html is page 0), or list-{page}.shtml."""
    parts = urlsplit(url)
    directory = parts.path.rpartition("/")[0]
    firsts = [f"{directory}/{stem}.{ext}"] + [f"{directory}/"] * (stem == "index")
    return Shape(
        urlunsplit(parts._replace(path=f"{directory}/{stem}{sep}{PAGE_SLOT}.{ext}")),
        tuple(urlunsplit(parts._replace(path=path)) for path in firsts),
        first_number=0 if sep == "_" else 1,
        first_unnumbered=sep == "_",
    )


def listing_key(seed_id: str, template: str = FIRST_PAGE_LISTING) -> str:
    """The key of a listing: its seed and its page URL shape, as in
    ``gov:http://h/xxgk/index_{page}.html``."""
    return f"{seed_id}:{template}"


def _page_number(text: str) -> int | None:
    if text.isascii() and text.isdigit() and len(text) <= MAX_PAGE_DIGITS:
        return int(text)
    return None


def is_page_text(text: str) -> bool:
    """Whether a link's text names a page of a list: 下一页, 尾页, 3, [4], 第5页, »."""
    text = text.strip().lower()
    if text in PAGE_WORDS:
        return True
    bare = text.strip(_DECORATION)
    if bare.startswith("第") and bare.endswith("页"):
        bare = bare[1:-1].strip()
    return bool(bare) and (bare in PAGE_WORDS or _page_number(bare) is not None)


@lru_cache(maxsize=READINGS_CACHED)
def page_numbers(url: str) -> tuple[tuple[Shape, int], ...]:
    """Every reading of ``url`` as a numbered page: (its shape, its number)."""
    parts = urlsplit(url)
    directory, _, segment = parts.path.rpartition("/")
    found = []
    name, dot, ext = segment.rpartition(".")
    if dot and name and ext.isalnum():
        number = _page_number(name)
        if number is not None:  # /list/3.html: first page /list/ or /list/index.html
            template = urlunsplit(parts._replace(path=f"{directory}/{PAGE_SLOT}.{ext}"))
            first = tuple(
                urlunsplit(parts._replace(path=f"{directory}/{page}"))
                for page in ("", f"index.{ext}")
            )
            found.append((Shape(template, first, by_shape=False), number))
        else:
            cut = max(name.rfind("_"), name.rfind("-"))
            number = _page_number(name[cut + 1 :]) if cut > 0 else None
            if number is not None:  # index_3.html, list-3.shtml
                found.append((_stem_shape(url, name[:cut], name[cut], ext), number))
    pairs = parts.query.split("&") if parts.query else []
    for index, pair in enumerate(pairs):
        name, _, value = pair.partition("=")
        number = _page_number(value)
        if name.lower() in PAGE_PARAMS and number is not None:
            query = "&".join([*pairs[:index], f"{name}={PAGE_SLOT}", *pairs[index + 1 :]])
            rest = "&".join(pairs[:index] + pairs[index + 1 :])
            shape = Shape(
                urlunsplit(parts._replace(query=query)),
                (urlunsplit(parts._replace(query=rest)),),
                by_shape=name.lower() not in _TEXT_ONLY_PARAMS,
            )
            found.append((shape, number))
    return tuple(found)


@dataclass(frozen=True)
class Match:
    """``link`` is page ``link_number`` of the listing whose page ``current_number`` links it."""

    shape: Shape
    current_number: int
    link_number: int


def match(current: str, link: str) -> Match | None:
    """Whether ``link`` has the URL shape of ``current`` with another page number."""
    if current == link:
        return None
    mine = page_numbers(current)
    for shape, number in page_numbers(link):
        for my_shape, my_number in mine:
            if my_shape == shape and my_number != number:
                return Match(shape, my_number, number)
        if current in shape.first and number != shape.first_number:
            return Match(shape, shape.first_number, number)
    for shape, number in mine:
        if link in shape.first and number != shape.first_number:
            return Match(shape, number, shape.first_number)
    return None


def same_directory(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc, pa.path.rpartition("/")[0]) == (
        pb.scheme,
        pb.netloc,
        pb.path.rpartition("/")[0],
    )


@dataclass
class Pagination:
    """A page's links split into pages of its listing (hop PAGE) and the others."""

    pages: list[Outlink] = field(default_factory=list)
    others: list[Outlink] = field(default_factory=list)
    shape: Shape | None = None  # the listing's URL shape, when seen
    # per shape: the lowest and the highest page number known (linked, or from a script)
    span: dict[Shape, tuple[int, int]] = field(default_factory=dict)
    numbers: dict[Shape, set[int]] = field(default_factory=dict)  # of the page and its links

    def _saw(self, shape: Shape, *numbers: int, linked: bool = True) -> None:
        self.shape = self.shape or shape
        low, high = self.span.get(shape, (min(numbers), max(numbers)))
        self.span[shape] = (min(low, *numbers), max(high, *numbers))
        seen = self.numbers.setdefault(shape, set())
        if linked:
            seen.update(numbers)


def paginate(page_url: str, links: list[Outlink], scripts: str = "") -> Pagination:
    """Which of ``links`` (the links of ``page_url``) are pages of its listing."""
    result = Pagination()
    for link in links:
        if link.hop != LINK or link.context != "a/@href" or link.url == page_url:
            result.others.append(link)
            continue
        worded = is_page_text(link.text)
        found = match(page_url, link.url)
        if found is not None and (worded or found.shape.by_shape):
            result.pages.append(dataclasses.replace(link, hop=PAGE))
            result._saw(found.shape, found.current_number, found.link_number)
        elif worded and same_directory(page_url, link.url):
            result.pages.append(dataclasses.replace(link, hop=PAGE))
        else:
            result.others.append(link)
    if scripts:
        _count_from_scripts(result, page_url, scripts)
    return result


def _count_from_scripts(result: Pagination, page_url: str, scripts: str) -> None:
    """Page counts a script states: createPageHTML(N, …), or a total beside a known shape."""
    assigned = {name.lower(): int(value) for name, value in _ASSIGNMENT.findall(scripts)}
    call = _CREATE_PAGE_HTML.search(scripts)
    if call is not None:
        count_arg, prefix, ext = call.groups()
        count = _page_number(count_arg)
        if count is None:
            count = assigned.get(count_arg.lower())
        if count is not None:  # index.html, index_1.html … index_{N-1}.html
            page = urlsplit(page_url)._replace(query="").geturl()
            shape = _stem_shape(page, prefix, "_", ext)
            result._saw(shape, 0, max(0, count - 1), linked=False)
            return
    totals = [count for name, count in assigned.items() if name in TOTAL_NAMES and count > 0]
    if not totals:
        return
    own = [(shape, number) for shape, number in page_numbers(page_url) if shape.by_shape]
    shape = result.shape or (own[0][0] if own else None)
    if shape is not None:
        current = next((number for mine, number in own if mine == shape), shape.first_number)
        result._saw(shape, current, shape.first_number + max(totals) - 1, linked=False)
