"""The site spider: says what a page links to, nothing else.

Which links become requests is the crawl policy's (crawler/policy.py); the seeds and the
crawl's shared state are the crawl context's (crawler/context.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from parsel import Selector
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from diancang.crawler.browser.detect import looks_script_built
from diancang.crawler.context import crawl_context
from diancang.crawler.fetch_errors import fetch_error
from diancang.crawler.items import RequestHandled
from diancang.crawler.links import (
    EMBED,
    LINK,
    PAGE,
    Outlink,
    PageLinks,
    extract_from_css,
    extract_from_html,
)
from diancang.crawler.pagination import Pagination, listing_key, paginate
from diancang.crawler.request_meta import LISTING, SEED_ID
from diancang.crawler.stopped import LISTING_PAGES, REPEATED_CONTENT, trap
from diancang.crawler.urls import clean_url
from diancang.seeds.schema import Seed

# Browser detection reads the start of a page: a page built by script is a small shell, and
# parsing only this much bounds the tree a large page would cost.
BROWSER_DETECT_BYTES = 1024 * 1024
# Scrapy setting: whether script-built pages are captured again with the browser (that is,
# DIANCANG_BROWSER_DETECT is on and Chromium takes part in this crawl)
BROWSER_DETECT = "DIANCANG_RECAPTURE_SCRIPT_BUILT"
# outlink context of a listing page generated from the range its pagination shows
PAGE_RANGE = "page-range"


class SiteSpider(Spider):
    name = "site"

    async def start(self) -> AsyncIterator[Request]:
        for seed in crawl_context(self.crawler).seeds.values():
            yield self._request(seed, seed.url, "", 0, None, listing_key(seed.id))

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
        if page.invalid:
            self.crawler.stats.inc_value("links/invalid", page.invalid)
        listing = request.meta.get(LISTING)
        outlinks, not_followed = page.links, []
        if ok and isinstance(response, HtmlResponse):
            listing, outlinks, not_followed = self._listing(seed, response.url, page, listing)
        hops = request.meta.get("hops", "") + "R" * len(request.meta.get("redirect_urls", []))
        link_depth = request.meta.get("link_depth", 0)
        refused = {url for url, _ in not_followed}
        for link in outlinks:
            url = clean_url(link.url)
            if url is not None and url not in refused:
                depth = link_depth + (1 if link.hop == LINK else 0)
                on_listing = listing if link.hop == PAGE else None
                yield self._request(seed, url, hops + link.hop, depth, response.url, on_listing)
        if self._needs_browser(seed, response):
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

    def _listing(
        self, seed: Seed, url: str, page: PageLinks, listing: str | None
    ) -> tuple[str | None, list[Outlink], list[tuple[str, str]]]:
        """The page's listing key, its links with pagination as PAGE hops (and the pages of
        the listing's range it implies), and the page links it stops as a repeat."""
        pagination = paginate(url, page.links, page.scripts)
        if listing is None:
            if not pagination.pages and not pagination.span:
                return None, page.links, []
            listing = listing_key(seed.id, pagination.shape.template if pagination.shape else url)
        context = crawl_context(self.crawler)
        items = [link.url for link in pagination.others if link.hop == LINK]
        pages = pagination.pages
        not_followed: list[tuple[str, str]] = []
        if context.listings.add_page(listing, url, items):
            stats, name = self.crawler.stats, trap(REPEATED_CONTENT)
            for link in pages:
                if (seed, link.url) not in context.followed:
                    reason = context.stop_examples.add(stats, name, link.url)
                    not_followed.append((link.url, reason))
        else:
            pages = pages + self._page_range(listing, url, pagination)
        return listing, pagination.others + pages, not_followed

    def _page_range(self, listing: str, url: str, pagination: Pagination) -> list[Outlink]:
        """The pages of the listing's shape up to the last one known, not yet generated,
        as many as its page budget has room for (the others are counted as left)."""
        context = crawl_context(self.crawler)
        listings = context.listings
        linked = {url} | {link.url for link in pagination.pages}
        generated = []
        for shape, (first, last) in pagination.span.items():
            done = listings.filled(listing, shape.template)
            start = first if done is None else max(first, done + 1)
            if start == shape.first_number and linked & set(shape.first):
                start += 1  # the first page, linked (or this page) without its number
            numbers = range(start, last + 1)
            room = listings.room(listing)
            if numbers and room == 0:  # the links among them are the policy's to count
                left = len(numbers) - sum(1 for n in pagination.numbers[shape] if n in numbers)
                if left:
                    stats, example = self.crawler.stats, shape.url(numbers[-1])
                    context.stop_examples.add(stats, LISTING_PAGES, example, left)
            taken = numbers[:room]
            for number in taken:
                page_url = shape.url(number)
                if page_url not in linked:
                    generated.append(Outlink(page_url, PAGE, PAGE_RANGE))
            if numbers:
                listings.mark_filled(listing, shape.template, taken[-1] if taken else last)
        return generated

    def failed(self, failure: Failure) -> Iterator[dict | RequestHandled]:
        request = failure.request
        if not failure.check(IgnoreRequest):  # refusals are the network guard's to report
            self.crawler.stats.inc_value(f"errors/{failure.type.__name__}")
        self.logger.info("failed %s: %s", request.url, failure.getErrorMessage())
        reason = fetch_error(failure)
        if reason is not None and SEED_ID in request.meta:
            yield {
                "seed_id": request.meta[SEED_ID],
                "uri": request.url,
                "via": request.meta.get("via"),
                "fetch_error": reason,
            }
        yield RequestHandled(request)

    def _needs_browser(self, seed: Seed, response: Response) -> bool:
        return (
            self.crawler.settings.getbool(BROWSER_DETECT)
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
