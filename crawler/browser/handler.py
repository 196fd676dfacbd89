"""scrapy-playwright's download handler, made safe against a browser that dies mid-crawl.

When Chromium dies, scrapy-playwright 0.0.48 drops its contexts and relaunches, but a
request already waiting for a page slot of an old context waits on that context's
semaphore forever: the pages that would release it are gone, and their close callbacks
release the semaphore of the new context with the same name. Waking the waiters lets them
fail on the closed context, which scrapy-playwright retries on a fresh one. As a last line,
a browser page that takes longer than its whole budget fails with a timeout, which
Scrapy's RetryMiddleware retries on a new page (TimeoutError is an OSError).
"""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


class BrowserPageTimeout(TimeoutError):
    """A browser page exceeded navigation, behaviour and recording time together."""


class CrashSafePlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        crawl = self._crawler.settings["DIANCANG_SETTINGS"].crawl
        budget = 3 * crawl.browser_page_timeout + crawl.behavior_timeout
        try:
            return await asyncio.wait_for(super().download_request(request), budget)
        except TimeoutError as exc:
            raise BrowserPageTimeout(
                f"browser page {request.url} took over {budget:.0f} s"
            ) from exc

    async def _browser_disconnected_callback(self) -> None:
        orphans = list(self.context_wrappers.values())
        await super()._browser_disconnected_callback()
        for wrapper in orphans:
            for _ in range(self.config.max_pages_per_context):
                wrapper.semaphore.release()
