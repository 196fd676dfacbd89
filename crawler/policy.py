"""Crawl policy as Scrapy components: what each seed may request, and what it is charged.

The spider says what a page links to; :class:`FollowPolicyMiddleware` decides which of
those links become requests (scope, link depth, trap guard, page limit, once per
collection), and :class:`SeedBudgetMiddleware` names the seed of every request that
reaches the downloader and drops those of a seed out of bytes or time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from diancang.crawler.context import crawl_context
from diancang.crawler.links import EMBED, is_attachment
from diancang.crawler.request_meta import LISTING_PAGE, ROBOTS_TXT, SEED_ID
from diancang.seeds.scope import in_scope, requisite_allowed


class SeedBudgetMiddleware:
    """Names the seed of each request; drops requests of a seed out of bytes or time.

    It runs before the robots.txt middleware, so the first request to a host that passes
    it is the one that makes Scrapy fetch the host's robots.txt. That robots.txt request
    carries no seed: it is charged to (and recorded in the collection of) that request's
    seed, never to some other seed. It is never dropped: a dropped robots.txt reads as
    "no robots.txt, everything allowed" for every seed that goes to the host.
    """

    def __init__(self, crawler):
        self.context = crawl_context(crawler)
        self.stats = crawler.stats
        self._host_seed: dict[str, str] = {}  # netloc -> the seed that went there first

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        if SEED_ID not in request.meta:
            if urlparse_cached(request).path != "/robots.txt" or host not in self._host_seed:
                raise ValueError(f"{request.url}: a request that no seed made")
            request.meta.update({SEED_ID: self._host_seed[host], ROBOTS_TXT: True})
            return
        if request.meta.get(ROBOTS_TXT):  # a redirect of a robots.txt request
            return
        seed = self.context.seed_of(request)
        why = self.context.budget.exhausted(seed)
        if why:
            self.stats.inc_value(f"limits/{why}")
            raise IgnoreRequest(f"seed {seed.id} reached its {why} limit")
        self._host_seed.setdefault(host, seed.id)


class FollowPolicyMiddleware:
    """Lets through the links the spider found that its seed may and still can follow.

    A link request carries its seed, its hop path (ending in the hop of this link) and its
    link depth. Start requests take the first page of their seed. A request the spider
    makes with ``dont_filter`` is a page asked again (for the browser): already counted.
    """

    def __init__(self, crawler):
        self.context = crawl_context(crawler)
        self.stats = crawler.stats
        self._seed_list = list(self.context.seeds.values())

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start: AsyncIterator) -> AsyncIterator:
        context = self.context
        async for request in start:
            seed = context.seed_of(request)
            context.budget.start(seed)
            context.budget.take_page(seed)
            context.followed.add(seed, request.url)
            yield request

    def process_spider_output(self, response, result: Iterable) -> Iterator:
        for output in result:
            if not isinstance(output, Request) or output.dont_filter or self._follows(output):
                yield output

    async def process_spider_output_async(self, response, result) -> AsyncIterator:
        async for output in result:
            if not isinstance(output, Request) or output.dont_filter or self._follows(output):
                yield output

    def _follows(self, request: Request) -> bool:
        context, stats = self.context, self.stats
        seed = context.seed_of(request)
        url = request.url
        if (seed, url) in context.followed:
            return False
        # a page of the seed's declared listing: the declaration names and bounds it
        declared = LISTING_PAGE in request.meta
        requisite = request.meta["hops"].endswith(EMBED) or is_attachment(url)
        # requisite_allowed is in_scope widened to the hosts of the seed's jurisdiction
        allowed = declared or (
            requisite_allowed(seed, url, self._seed_list) if requisite else in_scope(seed, url)
        )
        if not allowed:
            stats.inc_value("links/out_of_scope")
            return False
        if not requisite and request.meta["link_depth"] > seed.limits.depth:
            stats.inc_value("links/beyond_depth")
            return False
        trap = None if declared else context.trap_guard.reason_to_refuse(url)
        if trap:
            stats.inc_value(f"links/trap/{trap}")
            return False
        if not context.budget.take_page(seed):
            stats.inc_value("limits/pages")
            return False
        context.followed.add(seed, url)
        return True
