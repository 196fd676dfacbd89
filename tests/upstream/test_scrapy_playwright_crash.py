"""scrapy-playwright leaves a request waiting for a dead context's page slot forever.

A focused test of the code path (a real browser crash is tests/crawler/test_browser_crash.py):
one context with one page slot, taken; a second request waits for it; the browser
disconnects; the page's close callback then finds no context of that name to release.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from scrapy_playwright.handler import BrowserContextWrapper, ScrapyPlaywrightDownloadHandler
from upstream_bugs import assert_shape_error, still_broken

from diancang.upstream import scrapy_playwright_crash
from diancang.upstream.scrapy_playwright_crash import CrashSafeHandler

LIBRARY = "scrapy-playwright"


async def _waiter_after_crash(handler_class) -> bool:
    """Is the request that waited for a page slot still waiting after the crash?"""

    async def close() -> None:
        pass

    slot = asyncio.Semaphore(1)
    await slot.acquire()  # the context's one page is open
    wrapper = BrowserContextWrapper(
        context=SimpleNamespace(close=close), semaphore=slot, persistent=False
    )
    handler = handler_class.__new__(handler_class)  # only what the two callbacks read
    handler.context_wrappers = {"default": wrapper}
    handler.config = SimpleNamespace(restart_disconnected_browser=False, max_pages_per_context=1)
    close_page = handler._make_close_page_callback("default")
    waiter = asyncio.ensure_future(slot.acquire())
    await asyncio.sleep(0)
    await handler._browser_disconnected_callback()
    close_page()  # the dead page's close event
    for _ in range(10):
        await asyncio.sleep(0)
    waiting = not waiter.done()
    waiter.cancel()
    return waiting


def test_plain_scrapy_playwright_leaves_the_waiter_hanging():
    still_broken(
        asyncio.run(_waiter_after_crash(ScrapyPlaywrightDownloadHandler)),
        "requests hanging on a dead context's semaphore after a browser crash",
        "scrapy_playwright_crash",
    )


def test_the_patch_wakes_the_waiter():
    assert not asyncio.run(_waiter_after_crash(CrashSafeHandler))


def test_a_changed_disconnect_callback_is_refused(monkeypatch):
    async def callback(self) -> None:
        self.context_wrappers.clear()

    handler = ScrapyPlaywrightDownloadHandler
    monkeypatch.setattr(handler, "_browser_disconnected_callback", callback)
    assert_shape_error(scrapy_playwright_crash.check, LIBRARY, "scrapy_playwright_crash")


def test_a_missing_launch_is_refused(monkeypatch):
    monkeypatch.delattr(ScrapyPlaywrightDownloadHandler, "_launch")
    assert_shape_error(scrapy_playwright_crash.check, LIBRARY, "scrapy_playwright_crash")


def test_a_launch_no_longer_made_at_engine_start_is_refused(monkeypatch):
    async def launch_in_thread(self) -> None:
        await self._start_playwright()

    handler = ScrapyPlaywrightDownloadHandler
    monkeypatch.setattr(handler, "_maybe_launch_in_thread", launch_in_thread)
    assert_shape_error(scrapy_playwright_crash.check, LIBRARY, "scrapy_playwright_crash")
