"""The robots.txt fetch a request of Scrapy's RobotsTxtMiddleware would wait for.

Scrapy 2.19's ``RobotsTxtMiddleware.robot_parser`` lets every request waiting for a host's
robots.txt await one Deferred; the first waiter consumes its result and the others receive
None, "no robots.txt: allow everything". crawler/robots.py gives each waiter its own
Deferred, fed from the one :func:`pending_robots_fetch` returns (the middleware keeps it in
its private ``_parsers``). Bug report: docs/upstream.md, "Scrapy: robots.txt waiters allowed
everything".

A shared-frontier crawl fetches a host's robots.txt once for the cluster: the body one worker
fetched is tapped from ``_parse_robots`` (:class:`RobotsBodyTap`) and stored in Redis, and the
other workers install a parser built from it (:func:`install_parser`). Feature request:
docs/upstream.md, "Scrapy: no public way to give RobotsTxtMiddleware a robots.txt body".
"""

from __future__ import annotations

import inspect

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from diancang.upstream.shape import expect, is_coroutine_function, parameters, source_hash

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
        parameters(RobotsTxtMiddleware._parse_robots) == ["self", "response", "netloc", "request"]
        and "self._parserimpl" in inspect.getsource(RobotsTxtMiddleware.__init__),
        "scrapy",
        "scrapy_robots",
        "RobotsTxtMiddleware._parse_robots(self, response, netloc, request) or its "
        "_parserimpl is gone",
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


def knows(middleware: RobotsTxtMiddleware, netloc: str) -> bool:
    """Whether the middleware has, or is fetching, the robots.txt of ``netloc``."""
    return netloc in middleware._parsers


def install_parser(middleware: RobotsTxtMiddleware, netloc: str, body: bytes | None) -> None:
    """Give the middleware the robots.txt of ``netloc`` fetched elsewhere (None: none)."""
    parser = None
    if body is not None:
        parser = build_from_crawler(middleware._parserimpl, middleware.crawler, body)
    middleware._parsers[netloc] = parser


class RobotsBodyTap(RobotsTxtMiddleware):
    """Calls ``robots_fetched(netloc, body)`` with each robots.txt body fetched."""

    def robots_fetched(self, netloc: str, body: bytes) -> None:
        raise NotImplementedError

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self.robots_fetched(netloc, response.body)
        await super()._parse_robots(response, netloc, request)


check()
