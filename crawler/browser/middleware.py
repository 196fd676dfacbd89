"""Send the pages of browser seeds (and script-built pages) through Chromium."""

from __future__ import annotations

import logging
from collections import Counter

from scrapy import Request
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from diancang.crawler.browser.capture import PageCapture
from diancang.crawler.browser.robots import BrowserRobots
from diancang.crawler.browser.settings import CONTEXT_OPTIONS
from diancang.crawler.context import crawl_context
from diancang.crawler.links import is_attachment
from diancang.crawler.recording import warc_sink
from diancang.crawler.request_meta import LISTING_PAGE
from diancang.warc_names import EMBED

log = logging.getLogger(__name__)


def wants_browser(request: Request, seed) -> bool:
    """Pages of browser seeds; their requisites, attachments and the JSON pages of their
    declared listing are plain HTTP fetches."""
    if request.meta.get("browser"):
        return True
    if LISTING_PAGE in request.meta and seed.listing.kind == "json":
        return False
    page = not request.meta.get("hops", "").endswith(EMBED) and not is_attachment(request.url)
    return seed.browser and page and not request.url.endswith("/robots.txt")


class BrowserCaptureMiddleware:
    """Marks browser requests for scrapy-playwright and recycles browser contexts.

    A context is replaced after ``recycle_after`` pages and closed when its last page is
    done, so a long crawl keeps a flat memory profile.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.context = context = crawl_context(crawler)
        self.sink = warc_sink(crawler)
        self.proxy = context.browser_proxy
        self.scope = context.browser_scope
        crawl = context.settings.crawl
        # half a navigation's time: the page has the rest to load
        robots = BrowserRobots(crawler, context.refusals, wait=crawl.browser_page_timeout / 2)
        self.scope.robots = robots.allows
        self.recycle_after = crawl.browser_recycle_after
        self.behavior_timeout = crawl.behavior_timeout
        self.navigation_timeout = crawl.browser_page_timeout * 1000
        self._pages = 0
        self._open: Counter[str] = Counter()
        self._contexts: dict[str, object] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _context_name(self) -> str:
        name = f"capture-{self._pages // self.recycle_after}"
        self._pages += 1
        return name

    def process_request(self, request: Request) -> None:
        seed = self.context.seed_of(request)
        if not wants_browser(request, seed) or request.meta.get("playwright"):
            return
        capture = PageCapture(
            self.sink,
            self.proxy,
            self.scope,
            seed,
            seed.behaviors,
            self.behavior_timeout,
            record_timeout=self.navigation_timeout / 1000,
        )
        context = self._context_name()
        self._open[context] += 1
        request.meta.update(
            {
                "_browser_capture": capture,
                "playwright": True,
                "playwright_context": context,
                "playwright_context_kwargs": dict(CONTEXT_OPTIONS),
                "playwright_page_init_callback": capture.attach,
                "playwright_page_methods": [PageMethod(capture.finish)],
                "playwright_page_goto_kwargs": {
                    "wait_until": "load",
                    "timeout": self.navigation_timeout,
                },
            }
        )

    async def process_response(self, request: Request, response: Response) -> Response:
        capture = request.meta.get("_browser_capture")
        if capture is not None:
            request.meta["warc_record_id"] = capture.document_record_id
            self.crawler.stats.inc_value("browser/pages")
            self.crawler.stats.inc_value("browser/exchanges", len(capture.urls))
            self.context.followed.add_captured(self.context.seed_of(request), capture.urls)
            await self._page_done(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.get("_browser_capture") is not None:
            self.crawler.stats.inc_value("browser/errors")
            await self._page_done(request)
            # a retry gets a fresh page, context and capture
            for key in [k for k in request.meta if k.startswith(("playwright", "_browser"))]:
                del request.meta[key]

    async def _page_done(self, request: Request) -> None:
        context = request.meta["playwright_context"]
        capture = request.meta["_browser_capture"]
        if capture.page is not None:
            self.scope.forget(capture.page)
            self._contexts.setdefault(context, capture.page.context)
        self._open[context] -= 1
        current = f"capture-{max(0, self._pages - 1) // self.recycle_after}"
        if self._open[context] <= 0 and context != current and context in self._contexts:
            log.info("closing browser context %s after its pages", context)
            await self._contexts.pop(context).close()
            self.crawler.stats.inc_value("browser/contexts_recycled")
