"""A loopback disclosure listing whose pages answer conditional requests, for recrawl tests.

    from sites.conditional import ConditionalSite

    with ConditionalSite(items=12) as site:
        site.url                 # the listing page, "/", linking every item
        site.item_url(3)         # "/item/3.html"
        site.change(3)           # new content and a new ETag and Last-Modified
        site.add_item()          # one more item, listed on the listing page
        site.requests            # every request answered: (path, If-None-Match, If-Modified-Since)

    ConditionalSite(items=12, home=True)   # "/" a home page linking the listing, which is
                                           # /list/index.html and /list/index_1.html

Every page is sent with an ``ETag`` and a ``Last-Modified``. A request with
``If-None-Match`` gets ``304 Not Modified`` when one of its tags is the page's ETag (the
header wins over ``If-Modified-Since``, RFC 9110 §13.2.2); one with only
``If-Modified-Since`` gets 304 when the page did not change after that date.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    PageHandler,
    ServedSite,
)

FIRST_MODIFIED = datetime(2024, 3, 5, 2, 0, 0, tzinfo=UTC)
_HTML = "text/html; charset=utf-8"


@dataclass
class _Page:
    body: bytes
    etag: str
    modified: datetime


@dataclass(frozen=True)
class Answered:
    path: str
    if_none_match: str | None
    if_modified_since: str | None

    @property
    def conditional(self) -> bool:
        return bool(self.if_none_match or self.if_modified_since)


def item_path(number: int) -> str:
    return f"/item/{number}.html"


def item_text(number: int, version: int) -> str:
    return f"政府信息公开 第{number}号 文件 版本{version}"


class ConditionalSite(ServedSite):
    def __init__(self, items: int = 12, home: bool = False) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._versions: dict[int, int] = {}
        self._pages: dict[str, _Page] = {}
        self.requests: list[Answered] = []
        for number in range(items):
            self._versions[number] = 1
            self._set_item(number)
        self._set_listing()
        self._runner = BackgroundServer(
            LoopbackHTTPServer(("127.0.0.1", 0), self._handler()), "conditional"
        )
        self.servers = [self._runner]

    @property
    def url(self) -> str:
        return self._runner.url

    def item_url(self, number: int) -> str:
        return self.url.rstrip("/") + item_path(number)

    def item_urls(self) -> list[str]:
        return [self.item_url(number) for number in sorted(self._versions)]

    def content(self, number: int) -> str:
        return item_text(number, self._versions[number])

    def change(self, number: int) -> None:
        with self._lock:
            self._versions[number] += 1
            self._set_item(number)

    def add_item(self) -> int:
        with self._lock:
            number = max(self._versions) + 1
            self._versions[number] = 1
            self._set_item(number)
            self._set_listing()
        return number

    def answered(self) -> list[Answered]:
        with self._lock:
            return list(self.requests)

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _set_item(self, number: int) -> None:
        version = self._versions[number]
        text = item_text(number, version)
        body = (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{text}</title>'
            f'</head><body><h1>{text}</h1><p><a href="/">返回目录</a></p></body></html>\n'
        ).encode()
        modified = FIRST_MODIFIED + timedelta(days=version - 1)
        self._pages[item_path(number)] = _Page(body, f'"item-{number}-v{version}"', modified)

    def _set_listing(self) -> None:
        numbers = sorted(self._versions, reverse=self.home)  # a directory lists the newest first
        if not self.home:
            self._pages["/"] = _listing_page(numbers, "", f'"listing-{len(numbers)}"')
            return
        half = (len(numbers) + 1) // 2
        tag = f"{len(numbers)}"
        pager = '<a href="/list/index_1.html">下一页</a>'
        self._pages["/list/index.html"] = _listing_page(numbers[:half], pager, f'"list-0-{tag}"')
        pager = '<a href="/list/index.html">上一页</a>'
        self._pages["/list/index_1.html"] = _listing_page(numbers[half:], pager, f'"list-1-{tag}"')
        body = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>首页</title>'
            '</head><body><a href="/list/index.html">政府信息公开目录</a></body></html>\n'
        ).encode()
        self._pages["/"] = _Page(body, '"home"', FIRST_MODIFIED)

    def _handler(self) -> type[PageHandler]:
        site = self

        class Handler(PageHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                path = self.path.partition("?")[0]
                none_match = self.headers.get("If-None-Match")
                modified_since = self.headers.get("If-Modified-Since")
                with site._lock:
                    site.requests.append(Answered(path, none_match, modified_since))
                    page = site._pages.get(path)
                if path == "/robots.txt":
                    self._send(200, b"User-agent: *\nDisallow:\n", "text/plain")
                elif page is None:
                    self._send(404, b"not found\n", "text/plain")
                elif _not_modified(page, none_match, modified_since):
                    self._send(304, b"", None, page)
                else:
                    self._send(200, page.body, _HTML, page)

            def _send(self, status: int, body: bytes, content_type, page: _Page | None = None):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                if page is not None:
                    self.send_header("ETag", page.etag)
                    self.send_header("Last-Modified", format_datetime(page.modified, usegmt=True))
                    self.send_header("Cache-Control", "no-cache")
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _listing_page(numbers: list[int], pager: str, etag: str) -> _Page:
    links = "\n".join(f'<li><a href="{item_path(n)}">{item_text(n, 1)}</a></li>' for n in numbers)
    body = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>通知公告</title>'
        f"</head><body><h1>通知公告</h1><ul>\n{links}\n</ul><p>{pager}</p></body></html>\n"
    ).encode()
    return _Page(body, etag, FIRST_MODIFIED)


def _not_modified(page: _Page, none_match: str | None, modified_since: str | None) -> bool:
    if none_match is not None:
        return page.etag in (tag.strip() for tag in none_match.split(","))
    if modified_since is not None:
        try:
            return page.modified <= parsedate_to_datetime(modified_since)
        except (TypeError, ValueError):
            return False
    return False
