"""robots.txt, obeyed by every request that waits for it, not only the first.

Scrapy's RobotsTxtMiddleware hands the result of a host's robots.txt fetch to the first
request waiting for it only; the others were let through (docs/upstream.md). Here every
waiter gets its own Deferred, fed from the shared one.

With a shared frontier, one worker of the cluster fetches a host's robots.txt and stores
its body in Redis; the other workers wait for it there and parse that body
(crawler/shared_state.py ``SharedRobots``). That fetch is the host's previous one for the
request that waited for it, which then waits the crawl's delay.
"""

from __future__ import annotations

import asyncio

from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from diancang.crawler.shared_state import shared_state
from diancang.upstream.scrapy_robots import (
    RobotsBodyTap,
    install_parser,
    knows,
    pending_robots_fetch,
)


class SharedRobotsTxtMiddleware(RobotsBodyTap):
    async def robot_parser(self, request: Request):
        shared = shared_state(self.crawler)
        netloc = urlparse_cached(request).netloc
        if shared is not None and not knows(self, netloc):
            found, body = await shared.robots.wait_for(netloc)
            if found and not knows(self, netloc):
                install_parser(self, netloc, body)
            elif not found:  # this worker fetches it for the cluster
                parser = await self._local_parser(request)
                shared.robots.store_if_missing(netloc, None)  # the fetch failed: none
                # robots.txt was the host's previous fetch: this request waits the delay
                await asyncio.sleep(shared.frontier.delay_ms / 1000)
                return parser
        return await self._local_parser(request)

    async def _local_parser(self, request: Request):
        pending = pending_robots_fetch(self, request)
        if pending is None:
            return await super().robot_parser(request)
        waiter: Deferred = Deferred()

        def share(result):
            waiter.callback(result)
            return result  # keep the parser in the chain for the next waiter

        pending.addBoth(share)
        return await maybe_deferred_to_future(waiter)

    def robots_fetched(self, netloc: str, body: bytes) -> None:
        shared = shared_state(self.crawler)
        if shared is not None:
            shared.robots.store_if_missing(netloc, body)
