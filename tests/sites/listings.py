"""Disclosure listings paginated the ways real portals do it, one loopback host per family.

    from sites.listings import ListingSite

    with ListingSite("numbered", pages=50, items=10) as site:
        site.seed_url()         # the listing's first page
        site.detail_urls()      # every detail page it lists

Families (``ListingSite(family, …)``):

* ``numbered`` -- ``/news/list?page=N`` (page 1 is ``/news/list``): each page links 首页,
  上一页, 下一页, 尾页 and the page numbers within 3 of its own.
* ``last-only`` -- TRS ``/xxgk/index.html``, ``index_1.html`` … : the first page links only
  下一页 and 尾页; the others link 首页, 上一页, 下一页, 尾页.
* ``script`` -- TRS pages whose only pagination is ``createPageHTML(N, cur, "index",
  "html")`` in an inline script (no pagination link in the HTML at all).
* ``endless`` -- a calendar-like ``/events/list?page=N`` that never ends: every page has new
  items and a 下一页 (``pages`` is ignored).
* ``repeating`` -- ``/loop/list?page=N`` forever, every page listing the same items.

Detail pages carry the disclosure table the catalogue extracts (索引号, 发文机关, 发文字号,
dates), each with its own 索引号 and 发文字号, so each becomes a record of its own.
"""

from __future__ import annotations

import html
import re

from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)

_HTML = "text/html; charset=utf-8"
_NOT_FOUND = Page(b"not found\n", "text/plain; charset=utf-8", status=404)
_ROBOTS = Page(b"User-agent: *\nDisallow:\n", "text/plain; charset=utf-8")
FAMILIES = ("numbered", "last-only", "script", "endless", "repeating")
# family: (address, listing directory, detail directory)
_HOSTS = {
    "numbered": ("127.0.2.1", "/news/", "/news/content/"),
    "last-only": ("127.0.2.2", "/xxgk/", "/xxgk/2024/03/"),
    "script": ("127.0.2.3", "/tzgg/", "/tzgg/2024/04/"),
    "endless": ("127.0.2.4", "/events/", "/events/item/"),
    "repeating": ("127.0.2.5", "/loop/", "/loop/item/"),
}
_QUERY_PAGED = {"numbered": "list", "endless": "list", "repeating": "list"}
_PAGE = re.compile(r"^page=(\d{1,9})$")
_TRS_PAGE = re.compile(r"^index(?:_(\d{1,6}))?\.html$")
_DETAIL = re.compile(r"^t2024_(\d{1,9})\.html$")


def _document(family: str, number: int) -> tuple[str, bytes]:
    """The title and the page of detail document ``number`` of ``family``."""
    code = FAMILIES.index(family) + 1
    title = f"关于做好第{number}批{family}事项公开工作的通知"
    agency = "某某市人民政府办公厅"
    body = (
        f"<p>各区县人民政府，市政府各部门：第{number}批事项已经市政府同意，现予公布。</p>"
        f"<p>请结合实际认真贯彻执行，编号{code}-{number}。</p>"
    )
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(title)}</title></head><body>
<table class="bd1"><tbody>
<tr><td><b>索 引 号：</b></td><td>11500000MB{code:02d}-2024-{number:06d}</td>
<td><b>主题分类：</b></td><td>综合政务</td></tr>
<tr><td><b>发文机关：</b></td><td>{agency}</td><td><b>成文日期：</b></td><td>2024年03月01日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">{html.escape(title)}</td></tr>
<tr><td><b>发文字号：</b></td><td>某府办发〔2024〕{code}{number:05d}号</td>
<td><b>发布日期：</b></td><td>2024年03月05日</td></tr>
</tbody></table>
<h1>{html.escape(title)}</h1><div class="view">{body}</div>
<p><a href="/">首页</a></p>
</body></html>"""
    return title, page.encode("utf-8")


class ListingSite(ServedSite):
    """One family's listing of ``pages`` pages of ``items`` detail pages, on its own host."""

    def __init__(self, family: str, pages: int = 50, items: int = 10) -> None:
        if family not in _HOSTS:
            raise ValueError(f"unknown listing family {family!r}; one of {', '.join(FAMILIES)}")
        self.family, self.pages, self.items = family, pages, items
        address, self.listing_dir, self.detail_dir = _HOSTS[family]
        site = self

        class Handler(PageHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                self.send_page(site.page(self.path))

        self._runner = BackgroundServer(LoopbackHTTPServer((address, 0), Handler), family)
        self.servers = [self._runner]

    @property
    def base_url(self) -> str:
        return self._runner.url.rstrip("/")

    # -- URLs ---------------------------------------------------------------------------

    def listing_path(self, number: int) -> str:
        """Path of listing page ``number`` (0-based)."""
        if self.family in _QUERY_PAGED:
            name = self.listing_dir + _QUERY_PAGED[self.family]
            return name if number == 0 else f"{name}?page={number + 1}"
        return self.listing_dir + ("index.html" if number == 0 else f"index_{number}.html")

    def detail_path(self, number: int) -> str:
        return f"{self.detail_dir}t2024_{number}.html"

    def seed_url(self) -> str:
        return self.base_url + self.listing_path(0)

    def listing_urls(self) -> set[str]:
        return {self.base_url + self.listing_path(n) for n in range(self.pages)}

    def detail_urls(self) -> set[str]:
        return {self.base_url + self.detail_path(n) for n in range(self.pages * self.items)}

    # -- pages --------------------------------------------------------------------------

    def page(self, target: str) -> Page:
        path, _, query = target.partition("?")
        if path == "/robots.txt":
            return _ROBOTS
        if path == "/":
            return Page(b'<html><body><a href="' + self.listing_path(0).encode() + b'">list</a>'
                        b"</body></html>", _HTML)  # fmt: skip
        if path.startswith(self.detail_dir):
            found = _DETAIL.match(path[len(self.detail_dir) :])
            if found:
                return Page(_document(self.family, int(found.group(1)))[1], _HTML)
            return _NOT_FOUND
        number = self._listing_number(path, query)
        if number is None:
            return _NOT_FOUND
        return Page(self._listing(number), _HTML)

    def _listing_number(self, path: str, query: str) -> int | None:
        if self.family in _QUERY_PAGED:
            if path != self.listing_dir + _QUERY_PAGED[self.family]:
                return None
            found = _PAGE.match(query) if query else None
            if query and not found:
                return None
            number = int(found.group(1)) - 1 if found else 0
        else:
            found = _TRS_PAGE.match(path[len(self.listing_dir) :])
            if not path.startswith(self.listing_dir) or not found:
                return None
            number = int(found.group(1) or 0)
        endless = self.family in ("endless", "repeating")
        return number if 0 <= number and (endless or number < self.pages) else None

    def _listing(self, number: int) -> bytes:
        first = 0 if self.family == "repeating" else number * self.items
        items = "\n".join(
            f'<li><a href="{self.detail_path(n)}">{html.escape(_document(self.family, n)[0])}'
            "</a><span>2024-03-05</span></li>"
            for n in range(first, first + self.items)
        )
        script = ""
        pager = self._pager(number)
        if self.family == "script":
            pager = ""
            script = (
                f"<script>var currentPage = {number};var countPage = {self.pages};"
                'createPageHTML(countPage, currentPage, "index", "html");</script>'
            )
        return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>政府信息公开 第{number + 1}页</title>
<script>function createPageHTML(n, c, name, ext) {{ /* TRS: writes the pager */ }}</script>
</head><body>
<div class="crumb"><a href="/">首页</a> &gt; 政府信息公开</div>
<ul class="list">
{items}
</ul>
<div class="page">{pager}{script}</div>
</body></html>""".encode()

    def _pager(self, number: int) -> str:
        def link(n: int, text: str) -> str:
            return f'<a href="{self.listing_path(n)}">{text}</a>'

        endless = self.family in ("endless", "repeating")
        last = self.pages - 1
        parts = []
        if self.family == "last-only" and number == 0:
            return link(1, "下一页") + link(last, "尾页")
        if number > 0:
            parts += [link(0, "首页"), link(number - 1, "上一页")]
        if self.family == "numbered":
            parts += [
                link(n, str(n + 1)) if n != number else f"<span>{n + 1}</span>"
                for n in range(max(0, number - 3), min(last, number + 3) + 1)
            ]
        if endless or number < last:
            parts.append(link(number + 1, "下一页"))
        if not endless and number < last:
            parts.append(link(last, "尾页"))
        return " ".join(parts)
