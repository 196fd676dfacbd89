"""The transfer listing: stored WARCs by collection, jurisdiction and crawl date, paged.

In the spirit of WASAPI (the Web Archiving Systems API): each file comes with its size,
SHA-256 and where to download it. Only files with a fixity record are listed: a file still
in the spool is not yet stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.fixity import FixityRecord

MAX_PAGE_SIZE = 1000
_JURISDICTION = re.compile(r"\d{6}")
_STAMP = re.compile(r"(?<!\d)(\d{14})\d{0,6}(?!\d)")


class QueryError(ValueError):
    """A query parameter is wrong; the message names it."""


def split_collection(store_collection: str) -> tuple[str, str]:
    """``govinfo-500000`` -> (``govinfo``, ``500000``); no code -> (name, "")."""
    head, _, tail = store_collection.rpartition("-")
    if head and _JURISDICTION.fullmatch(tail):
        return head, tail
    return store_collection, ""


def crawl_start(name: str) -> datetime | None:
    """The capture time in a WARC file name (ours, Heritrix's and wget's carry one)."""
    match = _STAMP.search(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def parse_time(value: str, parameter: str) -> datetime:
    """An ISO 8601 date or date-time (UTC unless it says otherwise)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise QueryError(f"{parameter}={value!r}: expected an ISO 8601 date or time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TransferQuery:
    collection: str | None = None  # "govinfo", or a whole store collection "govinfo-500000"
    jurisdiction: str | None = None  # GB/T 2260 code, e.g. "500000"
    after: datetime | None = None  # crawl-start-after
    before: datetime | None = None  # crawl-start-before
    filename: str | None = None
    page: int = 1
    page_size: int = 100

    @classmethod
    def from_args(cls, args: dict[str, str], default_page_size: int = 100) -> TransferQuery:
        def number(name: str, default: int, top: int) -> int:
            raw = args.get(name)
            if raw is None or raw == "":
                return default
            if not raw.isdigit() or not 1 <= int(raw) <= top:
                raise QueryError(f"{name}={raw!r}: expected a whole number from 1 to {top}")
            return int(raw)

        jurisdiction = args.get("jurisdiction") or None
        if jurisdiction is not None and not _JURISDICTION.fullmatch(jurisdiction):
            raise QueryError(f"jurisdiction={jurisdiction!r}: expected a six-digit GB/T 2260 code")
        after = args.get("crawl-start-after")
        before = args.get("crawl-start-before")
        return cls(
            collection=args.get("collection") or None,
            jurisdiction=jurisdiction,
            after=parse_time(after, "crawl-start-after") if after else None,
            before=parse_time(before, "crawl-start-before") if before else None,
            filename=args.get("filename") or None,
            page=number("page", 1, 10**9),
            page_size=number("page_size", default_page_size, MAX_PAGE_SIZE),
        )

    @property
    def store_collection(self) -> str | None:
        """The one store collection the query names, if it names one."""
        if self.collection and self.jurisdiction:
            return f"{self.collection}-{self.jurisdiction}"
        if self.collection and split_collection(self.collection)[1]:
            return self.collection
        return None

    def matches_name(self, store_collection: str, name: str) -> bool:
        collection, jurisdiction = split_collection(store_collection)
        if self.collection and self.collection not in (collection, store_collection):
            return False
        if self.jurisdiction and self.jurisdiction != jurisdiction:
            return False
        return not self.filename or self.filename == name

    def matches_time(self, when: datetime) -> bool:
        if self.after and when < self.after:
            return False
        return not (self.before and when >= self.before)


@dataclass(frozen=True)
class TransferFile:
    record: FixityRecord
    crawl_start: datetime | None

    def to_dict(self, locations: list[str]) -> dict:
        collection, jurisdiction = split_collection(self.record.collection)
        start = self.crawl_start
        return {
            "filename": self.record.name,
            "filetype": "warc",
            "checksums": {"sha256": self.record.sha256},
            "size": self.record.size,
            "collection": collection,
            "jurisdiction": jurisdiction,
            "store-collection": self.record.collection,
            "crawl-start": start.strftime("%Y-%m-%dT%H:%M:%SZ") if start else None,
            "store-time": self.record.stored,
            "locations": locations,
        }


@dataclass(frozen=True)
class TransferPage:
    count: int
    page: int
    page_size: int
    files: list[TransferFile]

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.count


class ListingSource:
    """What the listing needs from a store."""

    def manifest_names(self, collection: str | None = None) -> Iterable[tuple[str, str]]: ...

    def fixity_record(self, collection: str, name: str) -> FixityRecord | None: ...


def list_transfers(store: ListingSource, query: TransferQuery) -> TransferPage:
    """One page of the files ``query`` selects, in collection and file-name order.

    Names are filtered first, so records are read only for the page (and, with a date
    filter, for names that carry no capture time).
    """
    names = sorted(
        (collection, name)
        for collection, name in store.manifest_names(query.store_collection)
        if query.matches_name(collection, name)
    )
    records: dict[tuple[str, str], FixityRecord] = {}
    if query.after or query.before:
        kept = []
        for key in names:
            when = crawl_start(key[1])
            if when is None:
                record = store.fixity_record(*key)
                if record is None:
                    continue
                records[key] = record
                when = parse_time(record.stored, "stored")
            if query.matches_time(when):
                kept.append(key)
        names = kept
    start = (query.page - 1) * query.page_size
    files = []
    for key in names[start : start + query.page_size]:
        record = records.get(key) or store.fixity_record(*key)
        if record is not None:
            files.append(TransferFile(record, crawl_start(key[1])))
    return TransferPage(len(names), query.page, query.page_size, files)
