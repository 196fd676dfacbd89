"""The site spider: says what a page links to, nothing else.

A link to another page of a listing (crawler/listing_pages.py) is a PAGE hop: it keeps the
listing's link depth and its key. Which links become requests is the crawl policy's
(crawler/policy.py); the seeds and the crawl's shared state are the crawl context's
(crawler/context.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import cached_property

from parsel import Selector
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from diancang.crawler import declared_listings
from diancang.crawler.browser.detect import looks_script_built
from diancang.crawler.context import crawl_context
from diancang.crawler.fetch_errors import fetch_error, underlying_error
from diancang.crawler.items import RequestHandled
from diancang.crawler.links import PageLinks, extract_from_css, extract_from_html
from diancang.crawler.listing_pages import listing_links
from diancang.crawler.pagination import listing_key
from diancang.crawler.request_meta import LISTING, LISTING_PAGE, SEED_ID
from diancang.crawler.shared_state import shared_state
from diancang.crawler.urls import clean_url
from diancang.seeds.schema import Seed
from diancang.warc_names import EMBED, LINK, PAGE, REDIRECT

# Browser detection reads the start of a page: a page built by script is a small shell, and
# parsing only this much bounds the tree a large page would cost.
BROWSER_DETECT_BYTES = 1024 * 1024
# Scrapy setting: whether script-built pages are captured again with the browser (that is,
# DIANCANG_BROWSER_DETECT is on and Chromium takes part in this crawl)
BROWSER_DETECT = "DIANCANG_RECAPTURE_SCRIPT_BUILT"


class SiteSpider(Spider):
    name = "site"

    async def start(self) -> AsyncIterator[Request]:
        shared = shared_state(self.crawler)  # a shared crawl is seeded by one worker
        if shared is not None and not await shared.take_seeding():
            return
        context = crawl_context(self.crawler)
        for seed in context.seeds.values():
            if context.start_urls:  # a crawl of given URLs only: one seed (crawler/run.py)
                for url in context.start_urls:
                    yield self._request(seed, url, "", 0, None)
                continue
            request = self._request(seed, seed.url, "", 0, None, listing_key(seed.id))
            for listed in declared_listings.start_requests(seed, request, self._request):
                yield listed
        if shared is not None:
            shared.seeded()

    @cached_property
    def listings(self) -> declared_listings.DeclaredListings:
        return declared_listings.DeclaredListings(
            self.crawler.stats, crawl_context(self.crawler).listings
        )

    def _request(
        self,
        seed: Seed,
        url: str,
        hops: str,
        link_depth: int,
        via: str | None,
        listing: str | None = None,
    ):
        meta = {SEED_ID: seed.id, "hops": hops, "link_depth": link_depth, "via": via}
        if listing is not None:
            meta[LISTING] = listing
        if seed.robots == "ignore":
            meta["dont_obey_robotstxt"] = True
        return Request(
            url,
            callback=self.parse,
            errback=self.failed,
            meta=meta,
            priority=1 if hops.endswith(EMBED) else 0,  # requisites first: pages complete early
        )

    def parse(self, response: Response) -> Iterator[Request | dict | RequestHandled]:
        request = response.request
        seed = crawl_context(self.crawler).seed_of(request)
        ok = 200 <= response.status < 300
        page = self._outlinks(response) if ok else PageLinks()
        has_script = page.has_script
        declared = LISTING_PAGE in request.meta
        if declared and seed.listing.kind == "json":
            page = self.listings.json_links(response, seed.listing)
        if declared:  # before the links: a page both declared and linked is the listing's
            yield from self.listings.next_pages(seed, request, page, self._request)
        if page.invalid:
            self.crawler.stats.inc_value("links/invalid", page.invalid)
        listing = request.meta.get(LISTING)
        outlinks, not_followed = page.links, []
        if ok and isinstance(response, HtmlResponse):
            context, stats = crawl_context(self.crawler), self.crawler.stats
            listing, outlinks, not_followed = listing_links(
                context, stats, seed, response.url, page, listing
            )
        hops = request.meta.get("hops", "") + REDIRECT * len(request.meta.get("redirect_urls", []))
        link_depth = request.meta.get("link_depth", 0)
        refused = {url for url, _ in not_followed}
        # the policy drops a link already followed uncounted; skipping it here saves building
        # a Request for each (navigation links recur on every page)
        followed = crawl_context(self.crawler).followed
        for link in outlinks:
            url = clean_url(link.url)
            if url is not None and url not in refused and (seed, url) not in followed:
                depth = link_depth + (1 if link.hop == LINK else 0)
                on_listing = listing if link.hop == PAGE else None
                yield self._request(seed, url, hops + link.hop, depth, response.url, on_listing)
        if self._needs_browser(seed, response, has_script):
            self.crawler.stats.inc_value("browser/detected")
            again = self._request(seed, response.url, hops, link_depth, None, listing)
            again.meta["browser"] = True
            yield again.replace(dont_filter=True)
        if "warc_record_id" in request.meta:
            yield {
                "seed_id": seed.id,
                "uri": response.url,
                "record_id": request.meta["warc_record_id"],
                "hops": hops,
                "via": request.meta.get("via"),
                "outlinks": outlinks,
                "listing": listing,
                "not_followed": not_followed,  # (URL, reason); the crawl policy adds its own
            }
        yield RequestHandled(request)

    def failed(self, failure: Failure) -> Iterator[dict | RequestHandled]:
        request = failure.request
        if not failure.check(IgnoreRequest):  # refusals are the network guard's to report
            self.crawler.stats.inc_value(f"errors/{type(underlying_error(failure)).__name__}")
        self.logger.info("failed %s: %s", request.url, failure.getErrorMessage())
        reason = fetch_error(failure)
        if reason is not None and SEED_ID in request.meta:
            yield {
                "seed_id": request.meta[SEED_ID],
                "uri": request.url,
                "via": request.meta.get("via"),
                "fetch_error": reason,
            }
        if LISTING_PAGE in request.meta:
            seed = crawl_context(self.crawler).seed_of(request)
            yield from self.listings.next_pages(seed, request, None, self._request)
        yield RequestHandled(request)

    @cached_property
    def _detects_script_built(self) -> bool:
        return self.crawler.settings.getbool(BROWSER_DETECT)

    def _needs_browser(self, seed: Seed, response: Response, has_script: bool) -> bool:
        """Whether to capture the page again with the browser; ``has_script``: whether link
        extraction met a <script> element in it (a page with none builds nothing, and is
        not parsed again to tell)."""
        return (
            self._detects_script_built
            and has_script
            and not seed.browser
            and "playwright" not in response.flags
            and isinstance(response, HtmlResponse)
            and 200 <= response.status < 300
            and looks_script_built(
                Selector(
                    body=response.body[:BROWSER_DETECT_BYTES],
                    encoding=response.encoding,
                    type="html",
                )
            )
        )

    def _outlinks(self, response: Response) -> PageLinks:
        if isinstance(response, HtmlResponse):
            return extract_from_html(response.body, response.encoding, response.url)
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if isinstance(response, TextResponse) and b"text/css" in content_type:
            return extract_from_css(response.text, response.url)
        return PageLinks()
