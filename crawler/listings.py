"""What the crawl knows of each listing: its page budget, its pages and items, repeats.

One :class:`Listings` per crawl (crawler/context.py). Pages are counted by URL (a page the
browser captures again is the same page), items are the L links found on exactly one page
of the listing (navigation recurs on every page, items do not), and a page whose set of
links equals that of another page of the listing is a repeat: the listing goes round in a
circle there (``trap:repeated-content``). Everything is kept as hashes, a few integers per
page of a listing, so a listing costs memory in proportion to its page budget.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class _Listing:
    taken: int = 0  # page requests let through, against the budget
    pages: dict[int, frozenset[int]] = field(default_factory=dict)  # page -> its links
    by_links: dict[frozenset[int], int] = field(default_factory=dict)  # links -> first page
    link_pages: Counter[int] = field(default_factory=Counter)  # link -> pages listing it
    filled: dict[str, int] = field(default_factory=dict)  # shape -> highest page generated


class Listings:
    def __init__(self, pages_per_listing: int):
        self.pages_per_listing = pages_per_listing
        self._listings: dict[str, _Listing] = {}

    def _of(self, key: str) -> _Listing:
        listing = self._listings.get(key)
        if listing is None:
            listing = self._listings[key] = _Listing()
        return listing

    def room(self, key: str) -> int:
        """How many more page requests the listing's budget allows."""
        return max(0, self.pages_per_listing - self._of(key).taken)

    def take(self, key: str) -> None:
        self._of(key).taken += 1

    def filled(self, key: str, template: str) -> int | None:
        """The highest page number of this shape already generated for the listing."""
        return self._of(key).filled.get(template)

    def mark_filled(self, key: str, template: str, number: int) -> None:
        self._of(key).filled[template] = number

    def add_page(self, key: str, url: str, links: list[str]) -> bool:
        """Count a page of the listing with its item links; True when another page of the
        listing had exactly these links (a repeat)."""
        listing = self._of(key)
        page = hash(url)
        found = frozenset(map(hash, links))
        earlier = listing.pages.get(page)
        if earlier is not None:  # the same page again (browser capture): its links replace
            listing.link_pages.subtract(earlier)
            if listing.by_links.get(earlier) == page:
                del listing.by_links[earlier]
        listing.pages[page] = found
        listing.link_pages.update(found)
        return listing.by_links.setdefault(found, page) != page

    def unseen(self, key: str, links: list[str]) -> int:
        """How many of ``links`` no page of the listing has listed yet."""
        counted = self._of(key).link_pages
        return sum(1 for link in set(links) if counted[hash(link)] == 0)

    def report(self) -> dict[str, dict[str, int]]:
        """{key: {"pages": pages seen, "items": links found on exactly one page}}."""
        return {
            key: {
                "pages": len(listing.pages),
                "items": sum(1 for count in listing.link_pages.values() if count == 1),
            }
            for key, listing in sorted(self._listings.items())
            if listing.pages
        }
