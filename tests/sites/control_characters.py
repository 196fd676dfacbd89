"""A disclosure site whose pages print characters XML 1.0 cannot carry.

    from sites.control_characters import ControlCharacterSite

    with ControlCharacterSite() as site:     # ControlCharacterSite(host, port=0).start()
        site.base_url

``/`` links one document page per entry of :data:`BAD_CHARACTERS`. Each page is a
government-information disclosure (索引号, 发布机构, 文号, 发布日期) whose title, labels,
body and attachment name hold that character, raw or as a character reference, and a
body different enough from the others that no two pages are one document.
"""

from __future__ import annotations

import random

from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)

# name → what the HTML source holds (raw characters, or references the parser expands)
BAD_CHARACTERS = {
    "soh": "\x01",
    "backspace": "\x08",
    "escape": "\x1b",
    "unit-separator": "\x1f",
    "vertical-tab": "\x0b",
    "form-feed": "\x0c",
    "nul": "\x00",
    "fffe": "\ufffe",
    "ffff": "\uffff",
    "soh-reference": "&#x1;",
    "nul-reference": "&#0;",
    "fffe-reference": "&#xFFFE;",
    "ffff-reference": "&#xFFFF;",
    "surrogate-reference": "&#xD800;",
}
_HTML = "text/html; charset=utf-8"
_PHRASES = (
    "城市道路", "排水管网", "老旧小区", "改造工程", "公共服务", "财政资金", "绩效评价", "信息公开",
    "安全生产", "应急预案", "农村公路", "养护管理", "义务教育", "学位供给", "医疗保障", "基金监管",
    "生态环境", "大气污染", "防治行动", "文化旅游", "消费促进", "营商环境", "优化提升", "行政审批",
)  # fmt: skip


def document_path(n: int) -> str:
    return f"/xxgk/{n:03d}.html"


def _body_text(n: int) -> str:
    rng = random.Random(n)
    return "，".join("".join(rng.sample(_PHRASES, 3)) for _ in range(12)) + "。"


def document_page(n: int, bad: str) -> Page:
    title = f"关于第{n}批{bad}重点项目的通知"
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta name="Keywords" content="项目{bad}管理"></head><body>
<table class="xxgk"><tr><td><b>索引号</b>：130400-2024-{n:05d}{bad}</td>
<td><b>发布机构</b>：邯郸市{bad}人民政府</td></tr>
<tr><td><b>文号</b>：邯政字〔2024〕{n}{bad}号</td>
<td><b>发布日期</b>：2024-03-{n % 28 + 1:02d}</td></tr>
</table><h1>{title}</h1>
<div class="content"><p>{_body_text(n)}</p><p>第{n}条{bad}特此通知。</p>
<p><a href="/files/{n:03d}.pdf">附件{bad}{n}</a></p></div></body></html>"""
    return Page(html.encode("utf-8"), _HTML)


def _index_page() -> Page:
    links = "".join(
        f'<li><a href="{document_path(n)}">{name}</a></li>' for n, name in enumerate(BAD_CHARACTERS)
    )
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>邯郸市政府信息公开</title>
</head><body><ul>{links}</ul></body></html>"""
    return Page(html.encode("utf-8"), _HTML)


class ControlCharacterHandler(PageHandler):
    pages: dict[str, Page] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        page = self.pages.get(self.path)
        if page is None:
            page = Page(b"not found", "text/plain", status=404)
        self.send_page(page)


class ControlCharacterSite(ServedSite):
    """The site above on ``host:port`` (port 0: any free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        pages = {"/": _index_page(), "/robots.txt": Page(b"User-agent: *\n", "text/plain")}
        for n, bad in enumerate(BAD_CHARACTERS.values()):
            pages[document_path(n)] = document_page(n, bad)
            pdf = f"%PDF-1.4\n% attachment {n}\n".encode()  # distinct: no revisits
            pages[f"/files/{n:03d}.pdf"] = Page(pdf, "application/pdf")
        handler = type("Handler", (ControlCharacterHandler,), {"pages": pages})
        self._server = BackgroundServer(LoopbackHTTPServer((host, port), handler), "control")
        self.servers = [self._server]

    @property
    def base_url(self) -> str:
        return self._server.url
