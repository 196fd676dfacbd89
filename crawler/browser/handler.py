"""scrapy-playwright's download handler, made safe against a browser that dies mid-crawl.

A browser crash no longer leaves requests waiting for a page slot forever
(diancang.upstream.scrapy_playwright_crash). As a last line, a browser page that takes
longer than its whole budget fails with a timeout, which Scrapy's RetryMiddleware retries
on a new page (TimeoutError is an OSError).

The handler also runs the guarded proxy that every Chromium connection goes through
(crawler/browser/proxy.py): started before the browser, closed after it.
"""

from __future__ import annotations

import asyncio
import ipaddress

from scrapy import Request
from scrapy.http import Response

from diancang.crawler.browser.proxy import GuardedProxy
from diancang.crawler.context import crawl_context
from diancang.upstream.scrapy_playwright_crash import CrashSafeHandler


class BrowserPageTimeout(TimeoutError):
    """A browser page exceeded navigation, behaviour and recording time together."""


class CrashSafePlaywrightHandler(CrashSafeHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.context = crawl_context(crawler)
        self.abort_request = self.context.browser_scope
        self.proxy: GuardedProxy = self.context.browser_proxy
        self.proxy.on_refused = self._refused
        options = self.config.launch_options
        options["args"] = [*options.get("args", ()), *self.proxy.bind()]
        self._refused_targets: set[str] = set()

    def _refused(self, target: str, reason: str) -> None:
        self.crawler.stats.inc_value("refused/address")
        if target not in self._refused_targets:  # the report lists each target once
            self._refused_targets.add(target)
            message = f"refused browser connection to {target}: {reason}"
            self.context.refusals.append(message)

    async def before_launch(self) -> None:
        await self.proxy.start()

    async def after_close(self) -> None:
        await self.proxy.close()

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        crawl = self.context.settings.crawl
        budget = 3 * crawl.browser_page_timeout + crawl.behavior_timeout
        try:
            response = await asyncio.wait_for(super().download_request(request), budget)
        except TimeoutError as exc:
            raise BrowserPageTimeout(
                f"browser page {request.url} took over {budget:.0f} s"
            ) from exc
        address = self.proxy.address_of(response.url)
        return response.replace(ip_address=ipaddress.ip_address(address) if address else None)
