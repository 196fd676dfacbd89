"""The links of a listing page: its items, and its other pages as PAGE hops.

A page is a listing page when its request carries a listing key (a seed's first page, a
page reached by pagination) or when it has pagination (crawler/pagination.py): it is then
counted in its listing (crawler/listings.py), the pages between those it links (or that its
script counts) are added as far as the listing's page budget allows, and a page repeating
another page's items stops its listing there (``trap:repeated-content``).
"""

from __future__ import annotations

from diancang.crawler.links import Outlink, PageLinks
from diancang.crawler.pagination import Pagination, listing_key, paginate
from diancang.crawler.stopped import LISTING_PAGES, REPEATED_CONTENT, trap
from diancang.seeds.schema import Seed
from diancang.warc_names import LINK, PAGE

# outlink context of a listing page generated from the range its pagination shows
PAGE_RANGE = "page-range"


def listing_links(
    context, stats, seed: Seed, url: str, page: PageLinks, listing: str | None
) -> tuple[str | None, list, list[tuple[str, str]]]:
    """The page's listing key (None: not a listing page), its links with pagination as PAGE
    hops and the pages of the listing's range it implies, and the (URL, reason) of the
    page links it stops as a repeat. ``context`` is the crawl's (crawler/context.py)."""
    pagination = paginate(url, page.links, page.scripts)
    if listing is None:
        if not pagination.pages and not pagination.span:
            return None, page.links, []
        listing = listing_key(seed.id, pagination.shape.template if pagination.shape else url)
    items = [link.url for link in pagination.others if link.hop == LINK]
    pages = pagination.pages
    not_followed: list[tuple[str, str]] = []
    if context.listings.add_page(listing, url, items):
        name = trap(REPEATED_CONTENT)
        for link in pages:
            if (seed, link.url) not in context.followed:
                not_followed.append((link.url, context.stop_examples.add(stats, name, link.url)))
    else:
        pages = pages + _page_range(context, stats, listing, url, pagination)
    return listing, pagination.others + pages, not_followed


def _page_range(context, stats, listing: str, url: str, pagination: Pagination) -> list[Outlink]:
    """The pages of the listing's shape up to the last one known, not yet generated, as
    many as its page budget has room for (once it has none, the rest are counted as left)."""
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
                context.stop_examples.add(stats, LISTING_PAGES, shape.url(numbers[-1]), left)
        taken = numbers[:room]
        generated.extend(
            Outlink(shape.url(n), PAGE, PAGE_RANGE) for n in taken if shape.url(n) not in linked
        )
        if numbers:
            listings.mark_filled(listing, shape.template, taken[-1] if taken else last)
    return generated
