"""robots.txt, obeyed by every request that waits for it, not only the first.

Scrapy's RobotsTxtMiddleware hands the result of a host's robots.txt fetch to the first
request waiting for it only; the others were let through (docs/upstream.md). Here every
waiter gets its own Deferred, fed from the shared one.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from diancang.upstream.scrapy_robots import pending_robots_fetch


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request):
        pending = pending_robots_fetch(self, request)
        if pending is None:
            return await super().robot_parser(request)
        waiter: Deferred = Deferred()

        def share(result):
            waiter.callback(result)
            return result  # keep the parser in the chain for the next waiter

        pending.addBoth(share)
        return await maybe_deferred_to_future(waiter)
