"""Page behaviours: wait for the network, scroll until nothing new, click "load more"."""

from __future__ import annotations

import asyncio
import logging
import time

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

log = logging.getLogger(__name__)

# Common "load more" and "next page" controls of Chinese government disclosure lists.
DEFAULT_LOAD_MORE = (
    "button.load-more, a.load-more, .more-btn, "
    ":is(a, button, span, div.more):has-text('加载更多'), :is(a, button):has-text('查看更多')"
)
_GROWTH = "[document.documentElement.scrollHeight, document.getElementsByTagName('*').length]"
QUIET = 0.5  # seconds without a request in flight that count as "nothing more is loading"


class NetworkWatch:
    """Requests in flight on a page. Playwright's own "networkidle" fires once per load,
    so it cannot tell when the XHR started by a scroll or a click has finished."""

    def __init__(self, page: Page):
        self.in_flight = 0
        self.last_change = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, _request) -> None:
        self.in_flight += 1
        self.last_change = time.monotonic()

    def _ended(self, _request) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last_change = time.monotonic()

    async def quiet(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        await asyncio.sleep(0.1)  # let a click or scroll start its requests
        while time.monotonic() < deadline:
            if self.in_flight == 0 and time.monotonic() - self.last_change >= QUIET:
                return
            await asyncio.sleep(0.05)


async def run_behaviors(page: Page, watch: NetworkWatch, options: dict, budget: float) -> dict:
    """Scroll to the bottom and click "load more" until nothing new appears.

    Bounded by ``budget`` seconds and ``max_clicks`` clicks; returns what was done.
    """
    deadline = time.monotonic() + budget
    max_clicks = int(options.get("max_clicks", 10))
    selector = options.get("load_more") or DEFAULT_LOAD_MORE
    scroll = options.get("scroll", True)
    done = {"scrolls": 0, "clicks": 0}

    def remaining(cap: float) -> float:
        return max(0.1, min(cap, deadline - time.monotonic()))

    await watch.quiet(remaining(5))
    still = 0
    while time.monotonic() < deadline and still < 2:
        before = await page.evaluate(_GROWTH)
        if scroll:
            await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            done["scrolls"] += 1
            await watch.quiet(remaining(5))
        if done["clicks"] < max_clicks:
            control = page.locator(selector).first
            try:
                if await control.is_visible():
                    await control.click(timeout=remaining(3) * 1000)
                    done["clicks"] += 1
                    await watch.quiet(remaining(5))
            except PlaywrightError as exc:
                log.debug("load-more click on %s failed: %s", page.url, exc)
        still = still + 1 if await page.evaluate(_GROWTH) == before else 0
    return done
