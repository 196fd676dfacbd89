"""Crawl policy as Scrapy components: what each seed may request, and what it is charged.

The spider says what a page links to; :class:`FollowPolicyMiddleware` decides which of
those links become requests (scope, link depth, trap guard, listing page budget, page
limit, once per collection), and :class:`SeedBudgetMiddleware` names the seed of every
request that reaches the downloader and drops those of a seed out of bytes or time. Each
refusal by a limit or trap is counted with examples (crawler/stopped.py); the refusals of
a listing page's links go into its metadata record as ``not-followed`` lines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached

from diancang.crawler import recrawl
from diancang.crawler.context import crawl_context
from diancang.crawler.links import is_attachment
from diancang.crawler.recording import warc_sink
from diancang.crawler.request_meta import LISTING, LISTING_PAGE, ROBOTS_TXT, SEED_ID
from diancang.crawler.stopped import (
    ALREADY_CAPTURED,
    DEPTH,
    LISTING_PAGES,
    OUT_OF_SCOPE,
    PAGES,
    LimitReached,
    trap,
)
from diancang.seeds.scope import in_scope, requisite_allowed
from diancang.warc_names import EMBED, PAGE


class SeedBudgetMiddleware:
    """Names the seed of each request; drops requests of a seed out of bytes or time.

    It runs before the robots.txt middleware, so the first request to a host that passes
    it is the one that makes Scrapy fetch the host's robots.txt. That robots.txt request
    carries no seed: it is charged to (and recorded in the collection of) that request's
    seed, never to some other seed. It is never dropped: a dropped robots.txt reads as
    "no robots.txt, everything allowed" for every seed that goes to the host.

    A robots.txt request for a host a browser page loads from takes a download slot of
    its own: the browser pages waiting for it may hold every slot of the host's name.
    """

    def __init__(self, crawler):
        self.context = crawl_context(crawler)
        self.stats = crawler.stats
        self._host_seed: dict[str, str] = {}  # netloc -> the seed that went there first
        self._browser_hosts: set[str] = set()  # netlocs a browser page loaded from

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        if SEED_ID not in request.meta:
            if urlparse_cached(request).path != "/robots.txt" or host not in self._host_seed:
                raise ValueError(f"{request.url}: a request that no seed made")
            request.meta.update({SEED_ID: self._host_seed[host], ROBOTS_TXT: True})
            if host in self._browser_hosts:
                hostname = urlparse_cached(request).hostname
                request.meta["download_slot"] = f"{hostname} robots.txt"
            return
        if request.meta.get(ROBOTS_TXT):  # a redirect of a robots.txt request
            return
        seed = self.context.seed_of(request)
        why = self.context.budget.exhausted(seed)
        if why:
            self.context.stop_examples.add(self.stats, why, request.url)
            raise LimitReached(f"seed {seed.id} reached its {why} limit")
        self._host_seed.setdefault(host, seed.id)

    def reached_by_browser(self, request: Request) -> None:
        """A browser page of ``request``'s seed loads ``request`` (no request of the crawl)."""
        host = urlparse_cached(request).netloc
        self._host_seed.setdefault(host, request.meta[SEED_ID])
        self._browser_hosts.add(host)


class FollowPolicyMiddleware:
    """Lets through the links the spider found that its seed may and still can follow.

    A link request carries its seed, its hop path (ending in the hop of this link) and its
    link depth. Start requests take the first page of their seed. A request the spider
    makes with ``dont_filter`` is a page asked again (for the browser): already counted.
    A seed crawled again with recrawl ``new`` follows no page its collection already holds
    but its listing pages.
    """

    def __init__(self, crawler):
        self.context = crawl_context(crawler)
        self.stats = crawler.stats
        self.sink = warc_sink(crawler)
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
            if LISTING in request.meta:
                context.listings.take(request.meta[LISTING])
            yield request

    def process_spider_output(self, response, result: Iterable) -> Iterator:
        refused: list[tuple[str, str]] = []
        for output in result:
            if self._passes(output, refused):
                yield output

    async def process_spider_output_async(self, response, result) -> AsyncIterator:
        refused: list[tuple[str, str]] = []
        async for output in result:
            if self._passes(output, refused):
                yield output

    def _passes(self, output, refused: list[tuple[str, str]]) -> bool:
        """Whether ``output`` goes on. The links of a page come before its capture's
        metadata item (spider.parse): a listing page's item gets the links refused."""
        if isinstance(output, dict) and output.get("listing") is not None:
            output["not_followed"] = [*output.get("not_followed", ()), *refused]
        if not isinstance(output, Request) or output.dont_filter:
            return True
        why = self._refusal(output)
        if why is None:
            return True
        if why:
            refused.append((output.url, why))
        return False

    def _refusal(self, request: Request) -> str | None:
        """Why the link may not be followed: a not-followed reason; "" for a link already
        followed; None when it may."""
        context, stats = self.context, self.stats
        seed = context.seed_of(request)
        url = request.url
        if (seed, url) in context.followed:
            return ""
        hops = request.meta["hops"]
        # a page of the seed's declared listing: the declaration names and bounds it
        declared = LISTING_PAGE in request.meta
        requisite = hops.endswith(EMBED) or is_attachment(url)
        # requisite_allowed is in_scope widened to the hosts of the seed's jurisdiction
        allowed = declared or (
            requisite_allowed(seed, url, self._seed_list) if requisite else in_scope(seed, url)
        )
        if not allowed:
            stats.inc_value("links/out_of_scope")
            return OUT_OF_SCOPE
        stops = context.stop_examples
        if not requisite and request.meta["link_depth"] > seed.limits.depth:
            return stops.add(stats, DEPTH, url)
        # a listing's pages are bounded by its page budget, not by the query-variants guard
        listing = request.meta.get(LISTING) if hops.endswith(PAGE) else None
        found = (
            None
            if declared
            else context.trap_guard.reason_to_refuse(url, count_query=listing is None)
        )
        if found:
            return stops.add(stats, trap(found), url)
        if listing is not None and not context.listings.room(listing):
            return stops.add(stats, LISTING_PAGES, url)
        if seed.recrawl == recrawl.NEW and self._already_captured(seed, request):
            context.followed.add(seed, url)  # counted once, whatever links it again
            return ALREADY_CAPTURED
        if not context.budget.take_page(seed):
            return stops.add(stats, PAGES, url)
        if listing is not None:
            context.listings.take(listing)
        context.followed.add(seed, url)
        return None

    def _already_captured(self, seed, request: Request) -> bool:
        if not recrawl.mode_applies(request) or self.sink.captured(seed, request.url) is None:
            return False
        if recrawl.counted(request):
            recrawl.count(self.stats, recrawl.OUTCOME_UNCHANGED)
        return True
