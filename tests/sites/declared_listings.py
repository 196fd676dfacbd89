"""Two disclosure directories whose listing pages only a seed's declared listing finds.

    from sites.declared_listings import DeclaredListingSite

    with DeclaredListingSite() as site:      # DeclaredListingSite(pages=60, per_page=10)
        site.template_seed(), site.json_seed()   # seed-list rows declaring each listing
        site.documents("template")               # URLs of every document of one listing

Template listing: ``/xxgk/index.html`` links only ``/xxgk/list_1.html``; ``list_N.html``
(N = 1 .. ``pages``) lists ``per_page`` documents ``/xxgk/doc/K.html`` and links back to the
index (navigation, on every page), never to another listing page.

JSON listing: ``/gkml/list.html`` is a shell whose script fills its list from
``/gkml/api/list.json?pageNo=N``: ``{"code": 0, "data": {"pageNo", "list": [{"title",
"url"}]}}`` with relative item URLs (``../doc/K.html``, resolved against the endpoint);
pages after ``json_pages`` answer with an empty list. No HTML page links the endpoint.

Every page links its section's first page (navigation). Every document is a
disclosure (索引号, 发布机构, 文号, 发布日期) with a body of its own,
so each is catalogued as a record of its own.
"""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qs, urlsplit

from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)

_HTML = "text/html; charset=utf-8"
_JSON = "application/json; charset=utf-8"
TEMPLATE_INDEX = "/xxgk/index.html"
TEMPLATE_PAGE = "/xxgk/list_{page}.html"
JSON_SHELL = "/gkml/list.html"
JSON_API = "/gkml/api/list.json"
JSON_PAGE_PARAM = "pageNo"
JSON_ITEMS = "data.list[].url"
_SCRIPT = """<script>
fetch("api/list.json?pageNo=1").then(function (r) { return r.json(); }).then(function (d) {
  var ul = document.getElementById("list");
  d.data.list.forEach(function (item) {
    var a = document.createElement("a");
    a.href = new URL(item.url, new URL("api/list.json", location.href)).href;
    a.textContent = item.title;
    var li = document.createElement("li");
    li.appendChild(a);
    ul.appendChild(li);
  });
});
</script>"""
_PHRASES = (
    "城市道路", "排水管网", "老旧小区", "改造工程", "公共服务", "财政资金", "绩效评价", "信息公开",
    "安全生产", "应急预案", "农村公路", "养护管理", "义务教育", "学位供给", "医疗保障", "基金监管",
    "生态环境", "大气污染", "防治行动", "文化旅游", "消费促进", "营商环境", "优化提升", "行政审批",
)  # fmt: skip


def _html(title: str, body: str, home: str) -> Page:
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="nav"><a href="{home}">首页</a></div>{body}</body></html>"""
    return Page(html.encode("utf-8"), _HTML)


def _document(section: str, n: int) -> Page:
    rng = random.Random(f"{section}-{n}")
    text = "，".join("".join(rng.sample(_PHRASES, 3)) for _ in range(12)) + "。"
    title = f"关于{section}第{n}号{''.join(rng.sample(_PHRASES, 2))}工作的通知"
    body = f"""<table class="xxgk"><tr><td><b>索引号</b>：500000-2024-{section}{n:05d}</td>
<td><b>发布机构</b>：重庆市人民政府办公厅</td></tr>
<tr><td><b>文号</b>：渝府办〔2024〕{section}{n}号</td>
<td><b>发布日期</b>：2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}</td></tr></table>
<h1>{title}</h1><div class="content"><p>{text}</p><p>特此通知。</p></div>"""
    return _html(title, body, JSON_SHELL if section == "gkml" else TEMPLATE_INDEX)


class DeclaredListingSite(ServedSite):
    """The two listings above on ``host:port`` (port 0: any free port)."""

    def __init__(
        self,
        pages: int = 60,
        per_page: int = 10,
        json_pages: int = 55,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.pages, self.per_page, self.json_pages = pages, per_page, json_pages
        table = {"/robots.txt": Page(b"User-agent: *\nDisallow:\n", "text/plain")}
        index = f'<h1>政府信息公开目录</h1><a href="{TEMPLATE_PAGE.format(page=1)}">目录</a>'
        table[TEMPLATE_INDEX] = _html("政府信息公开目录", index, TEMPLATE_INDEX)
        for page in range(1, pages + 1):
            items = "".join(
                f'<li><a href="/xxgk/doc/{n}.html">文件{n}</a></li>' for n in self._numbers(page)
            )
            table[TEMPLATE_PAGE.format(page=page)] = _html(
                f"目录 第{page}页", f"<ul>{items}</ul>", TEMPLATE_INDEX
            )
        shell = f'<h1>政策文件</h1><ul id="list"></ul>{_SCRIPT}'
        table[JSON_SHELL] = _html("政策文件", shell, JSON_SHELL)
        for page in range(1, json_pages + 1):
            for n in self._numbers(page):
                table[f"/gkml/doc/{n}.html"] = _document("gkml", n)
        for page in range(1, pages + 1):
            for n in self._numbers(page):
                table[f"/xxgk/doc/{n}.html"] = _document("xxgk", n)
        self.requested: list[str] = []  # every path asked for, in order
        handler = type("Handler", (_Handler,), {"table": table, "site": self})
        self._server = BackgroundServer(LoopbackHTTPServer((host, port), handler), "listings")
        self.servers = [self._server]

    def _numbers(self, page: int) -> range:
        return range((page - 1) * self.per_page + 1, page * self.per_page + 1)

    def json_page(self, page: int) -> Page:
        numbers = self._numbers(page) if 1 <= page <= self.json_pages else ()
        items = [{"title": f"文件{n}", "url": f"../doc/{n}.html"} for n in numbers]
        payload = {"code": 0, "data": {"pageNo": page, "list": items}}
        return Page(json.dumps(payload, ensure_ascii=False).encode("utf-8"), _JSON)

    @property
    def base_url(self) -> str:
        return self._server.url.rstrip("/")

    def template_seed(self) -> dict[str, str]:
        return {
            "id": "xxgk",
            "url": self.base_url + TEMPLATE_INDEX,
            "title": "重庆市人民政府 政府信息公开目录",
            "jurisdiction": "500000",
            "collection": "govinfo",
            "listing_url": self.base_url + TEMPLATE_PAGE,
            "listing_first": "1",
            "listing_last": str(self.pages),
        }

    def json_seed(self) -> dict[str, str]:
        return {
            "id": "gkml",
            "url": self.base_url + JSON_SHELL,
            "title": "重庆市人民政府 政策文件",
            "jurisdiction": "500000",
            "collection": "govinfo",
            "listing_url": self.base_url + JSON_API,
            "listing_items": JSON_ITEMS,
            "listing_page_param": JSON_PAGE_PARAM,
        }

    def json_url(self, page: int) -> str:
        return f"{self.base_url}{JSON_API}?{JSON_PAGE_PARAM}={page}"

    def listing_urls(self, kind: str) -> set[str]:
        if kind == "template":
            return {self.base_url + TEMPLATE_PAGE.format(page=p) for p in range(1, self.pages + 1)}
        return {self.json_url(p) for p in range(1, self.json_pages + 1)}

    def documents(self, kind: str) -> set[str]:
        section, pages = ("xxgk", self.pages) if kind == "template" else ("gkml", self.json_pages)
        return {
            f"{self.base_url}/{section}/doc/{n}.html"
            for page in range(1, pages + 1)
            for n in self._numbers(page)
        }


class _Handler(PageHandler):
    table: dict[str, Page] = {}
    site: DeclaredListingSite

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.site.requested.append(self.path)
        parts = urlsplit(self.path)
        if parts.path == JSON_API:
            raw = parse_qs(parts.query).get(JSON_PAGE_PARAM, ["1"])[0]
            self.send_page(self.site.json_page(int(raw) if raw.isdigit() else 0))
            return
        self.send_page(self.table.get(self.path, Page(b"not found", "text/plain", status=404)))
