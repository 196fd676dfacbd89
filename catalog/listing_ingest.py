"""Listing pages and failed fetches from the crawler's metadata records, into the catalogue.

A listing page's metadata record names its listing (``listing: KEY``) and carries its
links (``outlink: URL HOP CONTEXT``) and the links the crawl refused (``not-followed: URL
REASON``); a failed fetch has a metadata record of its own (``fetch-error: REASON``). Only
links that can be items or pages (hops L and N) are kept: embeds say nothing of coverage.
Records of other crawlers carry no such fields and store nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from diancang.catalog.db import insert_rows
from diancang.catalog.models import FetchError, Listing, ListingLink, ListingPage
from diancang.catalog.records_builder import url_hash
from diancang.catalog.warc_records import WarcMetadata
from diancang.warc_names import (
    LINK,
    META_FETCH_ERROR,
    META_LISTING,
    META_NOT_FOLLOWED,
    META_OUTLINK,
    PAGE,
)

KEPT_HOPS = {LINK, PAGE}
# session.info key: the listings this session read or made, by (collection, key hash); a
# rollback must drop it (forget_listings), as a listing it made may be gone.
KNOWN_LISTINGS = "listings"
REASON_CHARS = 64  # a not-followed reason is a token (``trap:query-variants``)


@dataclass(frozen=True)
class Place:
    """Where a metadata record belongs: its file's collection, jurisdiction and seed."""

    warc_file_id: int
    collection: str
    jurisdiction: str | None
    seed: str | None


def first(fields: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in fields if key == name and value), None)


def tells_coverage(item: WarcMetadata) -> bool:
    """True for the metadata record of a listing page or of a failed fetch."""
    return any(key in (META_LISTING, META_FETCH_ERROR) and value for key, value in item.fields)


def store_metadata(
    session: Session, item: WarcMetadata, place: Place, pages: list[PendingPage]
) -> None:
    """Store ``item``, the metadata record of a listing page or of a failed fetch; a listing
    page is added to ``pages``, for ``insert_listing_pages``."""
    key = first(item.fields, META_LISTING)
    if key:
        pages.append(_listing_page(session, item, place, key))
    reason = first(item.fields, META_FETCH_ERROR)
    if reason and item.url:
        session.add(
            FetchError(
                warc_file_id=place.warc_file_id, offset=item.offset, url=item.url,
                url_hash=url_hash(item.url), captured_at=item.captured_at, seed=place.seed,
                collection=place.collection, reason=reason,
            )
        )  # fmt: skip


def insert_listing_pages(session: Session, pages: list[PendingPage]) -> None:
    """Insert ``pages`` (of one WARC file) and then their links, each in one statement
    (executemany); the pages' ids are read back by their offsets."""
    if not pages:
        return
    rows = [page.row for page in pages]
    pages_table = ListingPage.__table__
    session.execute(pages_table.insert(), rows)
    offsets = [row["offset"] for row in rows]
    stored = session.execute(
        select(pages_table.c.offset, pages_table.c.id).where(
            pages_table.c.warc_file_id == rows[0]["warc_file_id"],
            pages_table.c.offset.between(min(offsets), max(offsets)),
        )
    )
    ids = dict(stored.all())
    links = [{**link, "page_id": ids[page.row["offset"]]} for page in pages for link in page.links]
    pages.clear()
    if links:
        insert_rows(session, ListingLink.__table__, links)


def forget_listings(session: Session) -> None:
    """After a rollback: the listings made since the last commit may be gone."""
    session.info.pop(KNOWN_LISTINGS, None)


@dataclass
class PendingPage:
    """A listing page's row and its links' rows (without their page's id, not known yet)."""

    row: dict
    links: list[dict]


def _listing_page(session: Session, item: WarcMetadata, place: Place, key: str) -> PendingPage:
    listing = _listing(session, key, place)
    row = {
        "listing_id": listing.id, "warc_file_id": place.warc_file_id, "offset": item.offset,
        "url": item.url, "url_hash": url_hash(item.url), "captured_at": item.captured_at,
    }  # fmt: skip
    links: dict[tuple[str, str | None], dict] = {}
    for name, value in item.fields:
        if name == META_OUTLINK:
            url, _, rest = value.partition(" ")
            hop = rest.partition(" ")[0]
            if url and hop in KEPT_HOPS and (url, hop) not in links:
                links[url, hop] = _link(url, hop)
    refused: dict[str, str] = {}
    for name, value in item.fields:
        if name == META_NOT_FOLLOWED:
            url, _, reason = value.partition(" ")
            if url:
                refused.setdefault(url, reason.strip()[:REASON_CHARS] or "unknown")
    for url, reason in refused.items():
        named = [link for (link_url, _hop), link in links.items() if link_url == url]
        if not named:  # a refused link the outlinks did not list (a page the crawler computed)
            named = [links.setdefault((url, None), _link(url, None))]
        for link in named:
            link["not_followed"] = reason
    return PendingPage(row, list(links.values()))


def _link(url: str, hop: str | None) -> dict:
    return {"url": url, "url_hash": url_hash(url), "hop": hop, "not_followed": None}


def _listing(session: Session, key: str, place: Place) -> Listing:
    """The listing of ``key`` in the collection, made on first sight; jurisdiction and seed
    filled in when a later file knows them."""
    digest = url_hash(key)
    known = session.info.setdefault(KNOWN_LISTINGS, {})
    listing = known.get((place.collection, digest))
    if listing is not None:  # the listing of the page before (pages of a listing come together)
        return _fill_in(listing, place)
    query = select(Listing).where(
        Listing.collection == place.collection, Listing.key_hash == digest
    )
    listing = session.scalars(query).first()
    if listing is None:
        listing = Listing(
            key=key, key_hash=digest, collection=place.collection,
            seed=place.seed, jurisdiction=place.jurisdiction,
        )  # fmt: skip
        try:
            with session.begin_nested():
                session.add(listing)
        except IntegrityError:  # another ingest made it meanwhile
            listing = session.scalars(query).one()
    known[place.collection, digest] = listing
    return _fill_in(listing, place)


def _fill_in(listing: Listing, place: Place) -> Listing:
    listing.jurisdiction = listing.jurisdiction or place.jurisdiction
    listing.seed = listing.seed or place.seed
    return listing
