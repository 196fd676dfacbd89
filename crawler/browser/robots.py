"""robots.txt for what a browser page loads, from the crawl's own robots.txt cache.

Each request of a page is checked by the crawl's robots.txt middleware (crawler/robots.py)
as an HTTP request would be: a host's robots.txt is fetched once, through Scrapy (so it is
recorded, and shared with a shared frontier's other workers), whether a page or the HTTP
crawl needs it first. The page's request waits in Playwright's route handler meanwhile;
the fetch takes a download slot of its own (crawler/policy.py), since the host's slot may
be held by the browser pages that wait for it. A page waits for it at most ``wait``
seconds, then loads as Scrapy does when robots.txt cannot be fetched; the fetch goes on
for the requests after it.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from diancang.crawler.policy import SeedBudgetMiddleware
from diancang.crawler.request_meta import SEED_ID
from diancang.crawler.robots import SharedRobotsTxtMiddleware
from diancang.seeds.schema import Seed

log = logging.getLogger(__name__)


class BrowserRobots:
    """``await allows(seed, url)``: whether a page of ``seed`` may load ``url``.

    A forbidden load is counted as the HTTP crawl's are (``robotstxt/forbidden``) and
    named in the crawl report, once per host.
    """

    def __init__(self, crawler, refusals: list[str], wait: float):
        self.crawler = crawler
        self.refusals = refusals
        self.wait = wait
        self._reported: set[str] = set()

    def _middleware(self, kind: type):
        for middleware in self.crawler.engine.downloader.middleware.middlewares:
            if isinstance(middleware, kind):
                return middleware
        raise RuntimeError(f"the crawl has no {kind.__name__}")

    async def allows(self, seed: Seed, url: str) -> bool:
        if seed.robots == "ignore":
            return True
        request = Request(url, meta={SEED_ID: seed.id})
        self._middleware(SeedBudgetMiddleware).reached_by_browser(request)
        robots = self._middleware(SharedRobotsTxtMiddleware)
        # shielded: a robots.txt fetch cancelled half-way would leave its host's waiters hanging
        check = asyncio.ensure_future(robots.process_request(request))
        check.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved
        try:
            await asyncio.wait_for(asyncio.shield(check), self.wait)
        except TimeoutError:
            log.warning("browser: robots.txt for %s not known after %.0f s: loaded", url, self.wait)
        except IgnoreRequest:
            log.info("browser: forbidden by robots.txt %s", url)
            host = urlparse_cached(request).netloc
            if host not in self._reported:
                self._reported.add(host)
                self.refusals.append(f"robots.txt of {host} forbids browser loads, e.g. {url}")
            return False
        return True
