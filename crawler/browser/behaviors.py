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
    "button.load-more, a.load-more, .more-btn, text=加载更多, text=查看更多, text=点击加载更多"
)
_HEIGHT = "document.documentElement.scrollHeight"
_NODES = "document.getElementsByTagName('*').length"


async def _settle(page: Page, timeout: float) -> None:
    try:
        await page.wait_for_load_state("networkidle", timeout=timeout * 1000)
    except PlaywrightError:
        pass  # a page that never goes idle (polling, streaming) is captured as it stands


async def _growth(page: Page) -> tuple[int, int]:
    return await page.evaluate(f"[{_HEIGHT}, {_NODES}]")


async def run_behaviors(page: Page, options: dict, budget: float) -> dict[str, int]:
    """Scroll to the bottom and click "load more" until nothing new appears.

    Bounded by ``budget`` seconds and ``max_clicks`` clicks; returns what was done.
    """
    deadline = time.monotonic() + budget
    max_clicks = int(options.get("max_clicks", 10))
    selector = options.get("load_more") or DEFAULT_LOAD_MORE
    scroll = options.get("scroll", True)
    done = {"scrolls": 0, "clicks": 0}

    def remaining() -> float:
        return max(0.1, deadline - time.monotonic())

    await _settle(page, min(5, remaining()))
    while time.monotonic() < deadline:
        before = await _growth(page)
        if scroll:
            await page.evaluate(f"window.scrollTo(0, {_HEIGHT})")
            done["scrolls"] += 1
            await _settle(page, min(3, remaining()))
        if done["clicks"] < max_clicks:
            control = page.locator(selector).first
            try:
                if await control.is_visible(timeout=200):
                    await control.click(timeout=min(3, remaining()) * 1000)
                    done["clicks"] += 1
                    await _settle(page, min(3, remaining()))
            except PlaywrightError as exc:
                log.debug("load-more click on %s failed: %s", page.url, exc)
        if await _growth(page) == before:
            break
        await asyncio.sleep(0)
    return done
