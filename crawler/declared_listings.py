"""Declared listings: the pages a seed's ``listing`` names, and the items of JSON pages.

Each page of a declared listing is a request with the listing key (``LISTING``), its page
number (``LISTING_PAGE``) and a PAGE hop: it keeps its listing's link depth, and the items
it lists get one more. The first page is a start request (or the seed's own request, when
the seed URL is that page). A template listing's other pages are requested when its first
page is handled, parsed or failed: the declaration finds them, not links between them. A
JSON listing is read page after page: the next page is requested only when this one listed
an item not seen before on the listing, up to its last page or ``MAX_LISTING_PAGES``.

A JSON page's item URLs, joined against the page's URL, are its outlinks (hop L, context
``json:PATH``), so its metadata record lists them as a link extractor's would. Its pages
and items are counted in the crawl's listings (crawler/listings.py), like the HTML pages of
every listing, for the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from scrapy import Request
from scrapy.http import Response, TextResponse

from diancang.crawler.links import Outlink, PageLinks, absolute_url
from diancang.crawler.listings import Listings
from diancang.crawler.pagination import listing_key
from diancang.crawler.request_meta import LISTING, LISTING_PAGE
from diancang.crawler.urls import clean_url
from diancang.seeds import json_path
from diancang.seeds.schema import Listing, Seed
from diancang.warc_names import LINK, PAGE

# Larger JSON bodies are archived but not parsed for items (a listing page is some KiB)
MAX_JSON_BYTES = 16 * 2**20
MAX_ITEMS_PER_PAGE = 10_000  # item URLs taken from one JSON page; the rest are counted

# spider._request(seed, url, hops, link_depth, via)
MakeRequest = Callable[[Seed, str, str, int, str | None], Request]


def declared_key(seed: Seed) -> str:
    """The listing key of the seed's declared listing: its URL stands for its page shape."""
    return listing_key(seed.id, seed.listing.url)


def mark(request: Request, seed: Seed, page: int) -> Request:
    """``request`` as page ``page`` of the seed's declared listing."""
    request.meta[LISTING] = declared_key(seed)
    request.meta[LISTING_PAGE] = page
    return request


def start_requests(seed: Seed, seed_request: Request, make: MakeRequest) -> list[Request]:
    """The seed's request, and the first page of its declared listing if it has one."""
    listing = seed.listing
    if listing is None:
        return [seed_request]
    first = clean_url(listing.page_url(listing.first))
    if first is None or first == clean_url(seed.url):
        return [mark(seed_request, seed, listing.first)]
    return [seed_request, mark(make(seed, first, PAGE, 0, seed.url), seed, listing.first)]


class DeclaredListings:
    """What the spider does with the pages of declared listings."""

    def __init__(self, stats, listings: Listings) -> None:
        self.stats = stats
        self.listings = listings  # the crawl's (crawler/context.py)

    def json_links(self, response: Response, listing: Listing) -> PageLinks:
        """The item URLs of a JSON listing page, as outlinks of the page."""
        if not 200 <= response.status < 300:
            return PageLinks()
        if len(response.body) > MAX_JSON_BYTES:
            self.stats.inc_value("errors/listing-json-too-large")
            return PageLinks()
        source = response.text if isinstance(response, TextResponse) else response.body
        try:
            document = json.loads(source)
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, nesting
            self.stats.inc_value("errors/listing-json-invalid")
            return PageLinks()
        found, cut = json_path.values(document, json_path.parse(listing.items), MAX_ITEMS_PER_PAGE)
        if cut:
            self.stats.inc_value("errors/listing-json-too-many-items")
        page, seen = PageLinks(), set()
        context = f"json:{listing.items}"
        for raw in found:
            text = raw.strip() if isinstance(raw, str) else ""
            url = absolute_url(response.url, text) if text else None
            if url is None:  # not a string, empty, or not a URL
                page.invalid += 1
            elif url not in seen:
                seen.add(url)
                page.links.append(Outlink(url, LINK, context))
        return page

    def next_pages(
        self, seed: Seed, request: Request, links: PageLinks | None, make: MakeRequest
    ) -> Iterator[Request]:
        """The listing pages that page ``request`` leads to; ``links`` are its outlinks, or
        None when it failed."""
        listing, number, key = seed.listing, request.meta[LISTING_PAGE], request.meta[LISTING]
        new_items = self._count_json_page(key, request.url, links) if listing.kind == "json" else 0
        if listing.kind == "template":
            pages = range(number + 1, listing.final_page + 1) if number == listing.first else ()
        else:
            pages = (number + 1,) if new_items and number < listing.final_page else ()
        # every later page is one PAGE hop from the first: the hop path stays short however
        # long the listing (``via`` names the page that led to each)
        hops = request.meta.get("hops", "") + (PAGE if number == listing.first else "")
        for page in pages:
            url = clean_url(listing.page_url(page))
            if url is not None:
                depth = request.meta.get("link_depth", 0)
                yield mark(make(seed, url, hops, depth, request.url), seed, page)

    def _count_json_page(self, key: str, url: str, links: PageLinks | None) -> int:
        """Count a JSON page in its listing; how many of its items no earlier page listed.
        (HTML pages are counted where their pagination is read: crawler/listing_pages.py.)"""
        if links is None:
            return 0
        items = [link.url for link in links.links if link.hop == LINK]
        new = self.listings.unseen(key, items)
        self.listings.add_page(key, url, items)
        return new
