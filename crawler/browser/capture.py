"""Every exchange a browser page makes, written as request/response records.

Chromium hands out response bodies with Content-Encoding undone (the DevTools protocol
gives no compressed bytes), so Content-Encoding and Content-Length are kept under
X-Archive-Orig- names and the record stays self-consistent, as Browsertrix does. Documents,
scripts and stylesheets are recorded in the bytes the server sent, not the text Chromium
decoded from them (crawler/browser/raw_bodies.py). The records go through the same
WarcSink as the HTTP crawl: same files, same dedup, same budgets.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import Response as PageResponse
from scrapy import Request
from scrapy.http import Response

from diancang.crawler.browser.behaviors import NetworkWatch, run_behaviors
from diancang.crawler.browser.proxy import GuardedProxy
from diancang.crawler.browser.raw_bodies import RawBodies
from diancang.crawler.browser.scope import BrowserScope
from diancang.crawler.warc.sink import WarcSink
from diancang.seeds.schema import Seed

log = logging.getLogger(__name__)

_DECODED = {"content-encoding", "content-length"}


def _response_headers(headers: list[dict[str, str]]) -> list[tuple[str, str]]:
    kept = []
    for header in headers:
        name = header["name"]
        if name.startswith(":"):  # HTTP/2 pseudo-headers are not HTTP/1.1 header lines
            continue
        if name.lower() in _DECODED:
            name = "X-Archive-Orig-" + name
        kept.append((name, header["value"]))
    return kept


class PageCapture:
    """Records one page's network traffic, then its screenshot and rendered text."""

    def __init__(
        self,
        sink: WarcSink,
        proxy: GuardedProxy,
        scope: BrowserScope,
        seed: Seed,
        behaviors: dict,
        behavior_timeout: float,
        record_timeout: float,
    ):
        self.record_timeout = record_timeout
        self.sink = sink
        self.proxy = proxy
        self.scope = scope
        self.seed = seed
        self.behaviors = behaviors
        self.behavior_timeout = behavior_timeout
        self.page: Page | None = None
        self.document_record_id: str | None = None
        self.urls: set[str] = set()
        self.raw_bodies = RawBodies()
        self._pending: set[asyncio.Task] = set()

    async def attach(self, page: Page, request: Request) -> None:
        """scrapy-playwright's page-init callback: listen before navigation starts."""
        self.page = page
        self.scope.register(page, self.seed)
        self.watch = NetworkWatch(page)
        await self.raw_bodies.attach(page)
        page.on("response", self._on_response)

    def _on_response(self, response: PageResponse) -> None:
        # A browser that dies mid-page leaves protocol calls unanswered: bound each one.
        task = asyncio.ensure_future(asyncio.wait_for(self._record(response), self.record_timeout))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _record(self, response: PageResponse) -> None:
        request = response.request
        if not request.url.startswith(("http://", "https://")):
            return
        date = self.sink.now()
        body = self.raw_bodies.take(request.method, request.url)
        if body is None:
            try:
                body = await response.body()
            except PlaywrightError:
                body = b""  # redirects and aborted loads have no body
        try:
            request_headers = await request.headers_array()
            response_headers = await response.headers_array()
        except PlaywrightError as exc:  # the page went away while recording
            log.debug("lost %s: %s", request.url, exc)
            return
        scrapy_request = Request(
            request.url,
            method=request.method,
            headers=[(h["name"], h["value"]) for h in request_headers if h["name"][0] != ":"],
            body=request.post_data_buffer or b"",
        )
        address = self.proxy.address_of(response.url)
        scrapy_response = Response(
            response.url,
            status=response.status,
            headers=_response_headers(response_headers),
            body=body,
            ip_address=ipaddress.ip_address(address) if address else None,
            protocol="HTTP/1.1",
        )
        record_id = self.sink.record_exchange(
            self.seed, scrapy_request, scrapy_response, date, None
        )
        self.urls.add(request.url)
        main_frame = self.page is not None and request.frame == self.page.main_frame
        if request.is_navigation_request() and main_frame and 200 <= response.status < 300:
            self.document_record_id = record_id

    async def finish(self, page: Page) -> None:
        """A page method run after navigation: behaviours, then evidence for curators.

        Bounded as a whole; a timeout fails the request, which is retried on a new page.
        """
        await asyncio.wait_for(self._finish(page), self.behavior_timeout + self.record_timeout)

    async def _finish(self, page: Page) -> None:
        done = await run_behaviors(page, self.watch, self.behaviors, self.behavior_timeout)
        await self._drain()
        if self.document_record_id is None:
            return
        url = page.url
        screenshot = await page.screenshot(full_page=True, type="png", timeout=15000)
        thumbnail = await page.screenshot(type="jpeg", quality=50, scale="css", timeout=15000)
        text = await page.inner_text("body")
        dom = await page.content()
        concurrent = self.document_record_id
        for kind, content_type, body in (
            ("screenshot", "image/png", screenshot),
            ("thumbnail", "image/jpeg", thumbnail),
            ("text", "text/plain; charset=utf-8", text.encode("utf-8")),
            ("dom", "text/html; charset=utf-8", dom.encode("utf-8")),
        ):
            self.sink.record_resource(
                self.seed, f"urn:{kind}:{url}", content_type, body, concurrent
            )
        log.info("browser captured %s: %d exchanges, %s", url, len(self.urls), done)

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
