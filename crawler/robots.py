"""robots.txt, obeyed by every request that waits for it, not only the first.

Scrapy 2.19's RobotsTxtMiddleware lets each request waiting for a host's robots.txt await
the same Deferred; the first waiter consumes its result and the others receive None, which
the middleware reads as "no robots.txt: allow everything". With many requests queued for
a new host (a resumed crawl, several seeds on one host) disallowed pages were fetched.
Here every waiter gets its own Deferred, fed from the shared one.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred = Deferred()

        def share(result):
            waiter.callback(result)
            return result  # keep the parser in the chain for the next waiter

        pending.addBoth(share)
        return await maybe_deferred_to_future(waiter)
