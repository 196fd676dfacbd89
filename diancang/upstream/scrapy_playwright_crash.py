"""scrapy-playwright's download handler, with its browser lifecycle made safe and hookable.

When Chromium dies, scrapy-playwright 0.0.48 drops its contexts and relaunches, but a
request already waiting for a page slot of an old context waits on that context's
semaphore forever: the pages that would release it are gone, and their close callbacks
release the semaphore of the new context of the same name. :class:`CrashSafeHandler` wakes
those waiters, which then fail on the closed context and are retried on a fresh one. Bug
report: docs/upstream.md, "scrapy-playwright: requests hang after a browser crash".

The handler has no public hook around launching and closing the browser either; the
private ``_launch`` and ``_close`` are wrapped to call :meth:`before_launch` and
:meth:`after_close`.

scrapy-playwright starts Playwright at engine start, in each handler (one per URL scheme):
each start runs Playwright's driver, a Node.js process costing about half a second of CPU,
also in a crawl none of whose pages needs the browser. :class:`CrashSafeHandler` starts it
with its first browser request instead.
"""

from __future__ import annotations

import asyncio
import inspect

from scrapy_playwright.handler import BrowserContextWrapper, ScrapyPlaywrightDownloadHandler

from diancang.upstream.shape import expect, is_coroutine_function, source_hash

# sha256 of scrapy-playwright 0.0.48's _browser_disconnected_callback and
# _make_close_page_callback, between which the waiters are lost
UPSTREAM_SOURCE = "33a27c05eb73ea34"
_LIBRARY = "scrapy-playwright"
_PATCH = "scrapy_playwright_crash"


def check() -> None:
    handler = ScrapyPlaywrightDownloadHandler
    expect(
        all(
            is_coroutine_function(getattr(handler, name, None), ["self"])
            for name in ("_browser_disconnected_callback", "_launch", "_close")
        ),
        _LIBRARY,
        _PATCH,
        "ScrapyPlaywrightDownloadHandler._browser_disconnected_callback, _launch or _close "
        "is no longer a coroutine method without arguments",
    )
    expect(
        is_coroutine_function(handler.download_request, ["self", "request"])
        and "self._launch" in inspect.getsource(handler._maybe_launch_in_thread),
        _LIBRARY,
        _PATCH,
        "download_request is no longer a coroutine method of the request, or Playwright is no "
        "longer launched by _launch at engine start",
    )
    expect(
        "semaphore" in BrowserContextWrapper.__annotations__
        and "self.context_wrappers" in inspect.getsource(handler.__init__)
        and "max_pages_per_context" in inspect.getsource(handler._create_browser_context),
        _LIBRARY,
        _PATCH,
        "contexts are no longer kept in context_wrappers with a semaphore of "
        "max_pages_per_context page slots",
    )
    expect(
        source_hash(handler._browser_disconnected_callback, handler._make_close_page_callback)
        == UPSTREAM_SOURCE,
        _LIBRARY,
        _PATCH,
        "the source of _browser_disconnected_callback or _make_close_page_callback changed",
    )


class CrashSafeHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._launch_lock = asyncio.Lock()
        self._launched = False

    async def before_launch(self) -> None:
        """Runs before the browser is launched."""

    async def after_close(self) -> None:
        """Runs after the browser is closed, also when closing failed."""

    async def _launch(self) -> None:
        """Called at engine start: Playwright starts with the first browser request."""

    async def _launch_once(self) -> None:
        async with self._launch_lock:
            if not self._launched:
                await self.before_launch()
                await super()._launch()
                self._launched = True

    async def download_request(self, request):
        if request.meta.get("playwright"):
            await self._launch_once()
        return await super().download_request(request)

    async def _close(self) -> None:
        try:
            await super()._close()
        finally:
            await self.after_close()

    async def _browser_disconnected_callback(self) -> None:
        orphans = list(self.context_wrappers.values())
        await super()._browser_disconnected_callback()
        for wrapper in orphans:
            for _ in range(self.config.max_pages_per_context):
                wrapper.semaphore.release()


check()
