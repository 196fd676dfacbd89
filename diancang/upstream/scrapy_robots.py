"""The robots.txt fetch a request of Scrapy's RobotsTxtMiddleware would wait for.

Scrapy 2.19's ``RobotsTxtMiddleware.robot_parser`` lets every request waiting for a host's
robots.txt await one Deferred; the first waiter consumes its result and the others receive
None, "no robots.txt: allow everything". crawler/robots.py gives each waiter its own
Deferred, fed from the one :func:`pending_robots_fetch` returns (the middleware keeps it in
its private ``_parsers``). Bug report: docs/upstream.md, "Scrapy: robots.txt waiters allowed
everything".
"""

from __future__ import annotations

import inspect

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from diancang.upstream.shape import expect, is_coroutine_function, source_hash

# sha256 of Scrapy 2.19's RobotsTxtMiddleware.robot_parser, whose waiting this works around
UPSTREAM_SOURCE = "4e961c394befa0fc"


def check() -> None:
    expect(
        is_coroutine_function(RobotsTxtMiddleware.robot_parser, ["self", "request"])
        and "self._parsers" in inspect.getsource(RobotsTxtMiddleware.__init__),
        "scrapy",
        "scrapy_robots",
        "RobotsTxtMiddleware no longer keeps its parsers by netloc in _parsers, or "
        "robot_parser(self, request) is no longer a coroutine",
    )
    expect(
        source_hash(RobotsTxtMiddleware.robot_parser) == UPSTREAM_SOURCE,
        "scrapy",
        "scrapy_robots",
        "the source of RobotsTxtMiddleware.robot_parser changed",
    )


def pending_robots_fetch(middleware: RobotsTxtMiddleware, request: Request) -> Deferred | None:
    """The Deferred of the robots.txt fetch still in flight for ``request``'s host, if any."""
    pending = middleware._parsers.get(urlparse_cached(request).netloc)
    return pending if isinstance(pending, Deferred) else None


check()
