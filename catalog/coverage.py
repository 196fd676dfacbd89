"""Coverage of each listing (栏目): the items it lists, captured, catalogued, and why not.

The items of a listing are the links (hop L) of its pages that appear on exactly one page:
navigation recurs on every page, items do not. A listing of one page cannot tell the two
apart: all its links count, and the number is marked as an estimate. When a page was
captured more than once (a recrawl), its latest capture counts: items move between pages
as the listing grows.

An item is captured when the listing's collection holds a 2xx response or a revisit for it,
also at the end of its redirects; catalogued when such a capture belongs to a
government-information record. An item not captured gets the first reason known: the
``not-followed`` reason of its listing page, the ``fetch-error`` of its fetch, the HTTP
status of an error response, else ``unrecorded``. Pages of the listing that its pages link
to (hop N) but that were not captured are reported with their reason the same way: the
items they list cannot be counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.catalog.coverage_reasons import (
    UNRECORDED,
    fetch_error_token,
    http_token,
    reason_label,
)
from diancang.catalog.jurisdiction import place_of
from diancang.catalog.models import (
    KIND_GOVINFO,
    Capture,
    FetchError,
    Listing,
    ListingLink,
    ListingPage,
    Record,
)
from diancang.catalog.records_builder import url_hash
from diancang.warc_names import LINK, PAGE

MAX_REDIRECTS = 5
CHUNK = 500  # values per IN (…) query


@dataclass
class Missing:
    url: str
    reason: str  # a token of coverage_reasons
    detail: str = ""  # the fetch error's message, or where a redirect led


@dataclass
class ReasonGroup:
    reason: str
    label: str
    count: int
    examples: list[Missing]


@dataclass
class ListingCoverage:
    key: str
    collection: str
    seed: str | None
    jurisdiction: str | None
    pages: int
    listed: int
    captured: int
    catalogued: int
    estimate: bool  # one page: every link counted as an item
    missing: list[Missing] = field(default_factory=list)  # items listed, not captured
    # pages of the listing linked by its pages but not captured: their items are not counted
    pages_missing: list[Missing] = field(default_factory=list)

    def share(self, count: int) -> float:
        return round(100.0 * count / self.listed, 1) if self.listed else 0.0

    def by_reason(self, examples: int, missing: list[Missing] | None = None) -> list[ReasonGroup]:
        """The items not captured (or ``missing``) grouped by reason, largest group first,
        with at most ``examples`` of each."""
        groups: dict[str, list[Missing]] = defaultdict(list)
        for item in self.missing if missing is None else missing:
            groups[item.reason].append(item)
        ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [
            ReasonGroup(reason, reason_label(reason), len(items), items[:examples])
            for reason, items in ordered
        ]


def build_coverage(
    session: Session, year: int, jurisdiction: str | None = None
) -> list[ListingCoverage]:
    """Coverage of every listing with pages captured in ``year`` (within ``jurisdiction``:
    a province or city code selects its cities and counties)."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    listings = session.scalars(select(Listing).order_by(Listing.collection, Listing.key))
    found = []
    for listing in listings:
        if jurisdiction and not _within(listing.jurisdiction, jurisdiction):
            continue
        pages = session.execute(
            select(ListingPage.id, ListingPage.url_hash)
            .where(
                ListingPage.listing_id == listing.id,
                ListingPage.captured_at >= start,
                ListingPage.captured_at < end,
            )
            .order_by(ListingPage.captured_at, ListingPage.id)
        ).all()
        if pages:  # ordered by capture time: the latest capture of each page wins
            found.append(_coverage(session, listing, {digest: id_ for id_, digest in pages}))
    return found


def _within(code: str | None, scope: str) -> bool:
    place = place_of(code)
    if place is None:
        return False
    return scope in (place.code, place.province, place.city)


def _coverage(session: Session, listing: Listing, latest: dict[str, int]) -> ListingCoverage:
    """``latest``: the id of the latest capture of each page, by the page's URL hash."""
    seen_on: dict[str, set[str]] = defaultdict(set)  # item URL → page URL hashes
    other_pages: dict[str, None] = {}  # pages linked (hop N) that are not among ``latest``
    refused: dict[str, str] = {}
    page_of = {page_id: page_hash for page_hash, page_id in latest.items()}
    for chunk in _chunks(list(page_of)):
        rows = session.execute(
            select(ListingLink.page_id, ListingLink.url, ListingLink.hop, ListingLink.not_followed)
            .where(ListingLink.page_id.in_(chunk))
            .order_by(ListingLink.id)
        )
        for page_id, url, hop, not_followed in rows:
            if not_followed:
                refused.setdefault(url, not_followed)
            if url_hash(url) in latest:
                continue
            if hop == LINK:
                seen_on[url].add(page_of[page_id])
            elif hop == PAGE:
                other_pages[url] = None
    estimate = len(latest) == 1
    items = [url for url, pages in seen_on.items() if estimate or len(pages) == 1]
    state = _resolve(session, listing.collection, [*items, *other_pages])
    coverage = ListingCoverage(
        key=listing.key, collection=listing.collection, seed=listing.seed,
        jurisdiction=listing.jurisdiction, pages=len(latest), listed=len(items),
        captured=sum(1 for url in items if state[url].captured),
        catalogued=sum(1 for url in items if state[url].catalogued),
        estimate=estimate,
    )  # fmt: skip
    uncaptured = [url for url in items if not state[url].captured]
    lost_pages = [url for url in other_pages if not state[url].captured]
    chains = [step for url in [*uncaptured, *lost_pages] for step in state[url].chain]
    errors = _fetch_errors(session, listing.collection, chains)
    coverage.missing = [_why(url, state[url], refused, errors) for url in uncaptured]
    coverage.pages_missing = [_why(url, state[url], refused, errors) for url in lost_pages]
    return coverage


@dataclass
class _State:
    chain: list[str]  # the URL and where its redirects led
    captured: bool = False
    catalogued: bool = False
    status: int | None = None  # of the latest error response at the end of the chain


def _resolve(session: Session, collection: str, urls: list[str]) -> dict[str, _State]:
    """What the collection holds of each URL, following redirects up to MAX_REDIRECTS."""
    states = {url: _State([url]) for url in urls}
    open_ = dict.fromkeys(urls)
    for _ in range(MAX_REDIRECTS + 1):
        if not open_:
            break
        held = _holdings(session, collection, {s.chain[-1] for s in map(states.get, open_)})
        following = {}
        for url in open_:
            state = states[url]
            here = held.get(state.chain[-1])
            if here is None:
                continue
            state.captured, state.catalogued = here.ok, here.catalogued
            state.status = here.error_status
            if not here.ok and here.redirect_to and here.redirect_to not in state.chain:
                state.chain.append(here.redirect_to)
                following[url] = None
        open_ = following
    return states


@dataclass
class _Holding:
    ok: bool = False
    catalogued: bool = False
    redirect_to: str | None = None
    error_status: int | None = None


def _holdings(session: Session, collection: str, urls: Iterable[str]) -> dict[str, _Holding]:
    by_hash = {url_hash(url): url for url in urls}
    held: dict[str, _Holding] = {}
    for chunk in _chunks(sorted(by_hash)):
        rows = session.execute(
            select(
                Capture.url_hash, Capture.warc_type, Capture.status, Capture.redirect_to, Record.id
            )  # fmt: skip
            .outerjoin(
                Record,
                (Record.id == Capture.record_id)
                & (Record.kind == KIND_GOVINFO)
                & Record.deleted.is_(False),
            )
            .where(Capture.collection == collection, Capture.url_hash.in_(chunk))
            .order_by(Capture.captured_at, Capture.id)
        )
        for digest, warc_type, status, redirect_to, record_id in rows:
            here = held.setdefault(by_hash[digest], _Holding())
            if warc_type == "revisit" or status is None or 200 <= status < 300:
                here.ok = True
                here.catalogued = here.catalogued or record_id is not None
            elif redirect_to:
                here.redirect_to = redirect_to
            elif status >= 300:
                here.error_status = status
    return held


def _fetch_errors(session: Session, collection: str, urls: list[str]) -> dict[str, str]:
    """The latest fetch-error message of each URL."""
    by_hash = {url_hash(url): url for url in urls}
    errors: dict[str, str] = {}
    for chunk in _chunks(sorted(by_hash)):
        rows = session.execute(
            select(FetchError.url_hash, FetchError.reason)
            .where(FetchError.collection == collection, FetchError.url_hash.in_(chunk))
            .order_by(FetchError.captured_at, FetchError.id)
        )
        errors.update((by_hash[digest], reason) for digest, reason in rows)
    return errors


def _why(url: str, state: _State, refused: dict[str, str], errors: dict[str, str]) -> Missing:
    led = f"→ {state.chain[-1]}" if len(state.chain) > 1 else ""
    if url in refused:
        return Missing(url, refused[url], led)
    for step in state.chain:
        if step in errors:
            return Missing(
                url, fetch_error_token(errors[step]), " ".join(filter(None, (errors[step], led)))
            )
    if state.status is not None:
        return Missing(url, http_token(state.status), led)
    return Missing(url, UNRECORDED, led)


def _chunks(values: list) -> Iterator[list]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]
