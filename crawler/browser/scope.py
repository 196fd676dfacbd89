"""What a browser page may fetch: the crawl's own scope and address rules."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import Request as PageRequest

from diancang.crawler.network_guard import AddressPolicy
from diancang.seeds.schema import Seed
from diancang.seeds.scope import requisite_allowed

log = logging.getLogger(__name__)


class BrowserScope:
    """scrapy-playwright's abort predicate: True stops a request the page makes.

    A page may load what the HTTP crawl would fetch as a requisite of that page's seed,
    and never an address the network policy refuses (a script cannot reach the library's
    own network either). This sees the first URL of each request only; the proxy that
    every connection of Chromium goes through (crawler/browser/proxy.py) checks the
    address of each redirect hop, WebSocket and prefetch as well. ``robots(seed, url)``,
    when set, says whether robots.txt lets the page load ``url`` (crawler/browser/robots.py).
    """

    def __init__(self, seeds: list[Seed], policy: AddressPolicy):
        self._seeds = seeds
        self.policy = policy
        self._page_seeds: dict[Page, Seed] = {}
        self.robots: Callable[[Seed, str], Awaitable[bool]] | None = None

    def register(self, page: Page, seed: Seed) -> None:
        self._page_seeds[page] = seed

    def forget(self, page: Page) -> None:
        self._page_seeds.pop(page, None)

    async def __call__(self, request: PageRequest) -> bool:
        url = request.url
        if not url.startswith(("http://", "https://")):
            return False
        if await self.policy.refusal(urlsplit(url).hostname or ""):
            log.warning("browser: refused %s (address policy)", url)
            return True
        try:
            seed = self._page_seeds.get(request.frame.page)
        except PlaywrightError:  # service workers have no frame
            seed = None
        if seed is None or not requisite_allowed(seed, url, self._seeds):
            log.info("browser: out of scope %s", url)
            return True
        return self.robots is not None and not await self.robots(seed, url)
