"""The transfer listing: stored WARCs selected by WASAPI query parameters, paged.

It answers the query parameters of the WASAPI Data Transfer API as Archive-It specifies
them and py-wasapi-client sends them (``filename``, ``filetype``, ``collection``,
``crawl``, ``crawl-time-after``/``-before``, ``crawl-start-after``/``-before``, ``page``,
``page_size``), plus ``jurisdiction``. Each file comes with its size, SHA-256 and where to
download it. Only files with a fixity record are listed: a file still in the spool is not
yet stored.

A repeated parameter matches when any of its values matches, and ``filename`` and
``filetype`` also take semicolon-separated lists; different parameters must all match.
Times are ISO 8601 / RFC 3339, UTC unless they say otherwise, and may be partial (``2026``,
``2026-11``, ``2026-11-05``); ``…-after`` includes the instant, ``…-before`` excludes it.

Diancang's words for the spec's: a *crawl* is one run of a crawl job, named by its report
(``JOB-YYYYMMDDHHMMSS``; ``crawl=JOB`` selects every run of the job); its start is the
report's ``started``. A file's *crawl time* is the capture time in its name (the time the
file was begun). A file that no report names (brought in from elsewhere) has no crawl, and
its crawl start is taken to be its own crawl time.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from diancang.pywb_collections import JURISDICTION_CODE, collection_name, split_collection
from diancang.storage.fixity import FixityRecord

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000
FILETYPE = "warc"  # every file the store holds
PARAMETERS = (
    "collection",
    "jurisdiction",
    "crawl",
    "crawl-time-after",
    "crawl-time-before",
    "crawl-start-after",
    "crawl-start-before",
    "filename",
    "filetype",
    "page",
    "page_size",
)
_LISTS = ("filename", "filetype")  # the spec's semicolon-separated lists
_MAX_VALUES = 100  # values of one parameter
_STAMP = re.compile(r"(?<!\d)(\d{14})\d{0,6}(?!\d)")
_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")
_REPORT_STAMP = re.compile(r"(.+)-(\d{14})")


class QueryError(ValueError):
    """A query parameter is wrong; the message names it."""


def crawl_time(name: str) -> datetime | None:
    """The capture time in a WARC file name (ours, Heritrix's and wget's carry one)."""
    match = _STAMP.search(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def parse_time(value: str, parameter: str) -> datetime:
    """An ISO 8601 year, month, date or date-time (UTC unless it says otherwise)."""
    text = value.strip()
    try:
        partial = _YEAR_MONTH.fullmatch(text)
        if partial:
            parsed = datetime(int(partial.group(1)), int(partial.group(2) or 1), 1)
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise QueryError(
            f"{parameter}={value!r}: expected an ISO 8601 time such as 2026, 2026-11, "
            "2026-11-05 or 2026-11-05T08:00:00Z"
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CrawlRun:
    """One run of a crawl job, as its report tells it."""

    id: str  # the report's name: JOB-YYYYMMDDHHMMSS
    job: str
    started: datetime | None


class CrawlReports:
    """Which crawl run wrote each WARC, from the crawl reports in ``reports_dir``.

    Reports are re-read only when they change, so each listing request sees new crawls.
    """

    def __init__(self, reports_dir: Path | None):
        self.reports_dir = reports_dir
        # report -> ((mtime, size), its run and files, or None if it is unreadable)
        self._seen: dict[Path, tuple[tuple[int, int], tuple[CrawlRun, list[str]] | None]] = {}

    def runs_by_file(self) -> dict[str, CrawlRun]:
        if self.reports_dir is None or not self.reports_dir.is_dir():
            return {}
        paths = sorted(self.reports_dir.glob("*.json"))
        present = set(paths)
        self._seen = {path: seen for path, seen in self._seen.items() if path in present}
        by_file: dict[str, CrawlRun] = {}
        for path in paths:
            loaded = self._load(path)
            if loaded is not None:
                run, names = loaded
                for name in names:
                    by_file.setdefault(name, run)
        return by_file

    def _load(self, path: Path) -> tuple[CrawlRun, list[str]] | None:
        """The run of one report and its files; None (warned once) if it is unreadable."""
        if not _REPORT_STAMP.fullmatch(path.stem):
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        if path in self._seen and self._seen[path][0] == key:
            return self._seen[path][1]
        self._seen[path] = (key, self._read(path))
        return self._seen[path][1]

    @staticmethod
    def _read(path: Path) -> tuple[CrawlRun, list[str]] | None:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            names = [str(name) for name in report.get("warc_files") or []]
            started = report.get("started")
            when = datetime.fromisoformat(started) if started else None
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("%s: not a readable crawl report, its files are listed without "
                        "a crawl: %s", path, exc)  # fmt: skip
            return None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        job = str(report.get("job") or _REPORT_STAMP.fullmatch(path.stem).group(1))
        return CrawlRun(path.stem, job, when), names


@dataclass(frozen=True)
class TimeRange:
    after: datetime | None = None  # included
    before: datetime | None = None  # excluded

    def __bool__(self) -> bool:
        return self.after is not None or self.before is not None

    def holds(self, when: datetime) -> bool:
        if self.after and when < self.after:
            return False
        return not (self.before and when >= self.before)


@dataclass(frozen=True)
class TransferQuery:
    collections: tuple[str, ...] = ()  # "govinfo", or a whole store collection
    jurisdictions: tuple[str, ...] = ()  # GB/T 2260 codes, e.g. "500000"
    crawls: tuple[str, ...] = ()  # crawl runs (JOB-STAMP) or jobs (JOB)
    crawl_time: TimeRange = TimeRange()
    crawl_start: TimeRange = TimeRange()
    filenames: tuple[str, ...] = ()  # globs: * any run of characters, ? one character
    filetypes: tuple[str, ...] = ()
    page: int = 1
    page_size: int = 100

    @classmethod
    def from_args(
        cls, args: Mapping[str, Sequence[str]], default_page_size: int = 100
    ) -> TransferQuery:
        """From query parameters, each with the list of values it was given."""
        unknown = sorted(set(args) - set(PARAMETERS))
        if unknown:
            raise QueryError(
                f"unknown parameter {', '.join(unknown)}; this listing answers "
                f"{', '.join(PARAMETERS)}"
            )

        def values(name: str) -> tuple[str, ...]:
            found = [v.strip() for v in args.get(name, ())]
            if name in _LISTS:
                found = [part.strip() for v in found for part in v.split(";")]
            found = [v for v in found if v]
            if len(found) > _MAX_VALUES:
                raise QueryError(f"{name}: more than {_MAX_VALUES} values")
            return tuple(dict.fromkeys(found))

        def single(name: str) -> str | None:
            found = values(name)
            if len(found) > 1:
                raise QueryError(f"{name}: given {len(found)} times; give it once")
            return found[0] if found else None

        def number(name: str, default: int, top: int) -> int:
            raw = single(name)
            if raw is None:
                return default
            if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= top:
                raise QueryError(f"{name}={raw!r}: expected a whole number from 1 to {top}")
            return int(raw)

        def time(name: str) -> datetime | None:
            raw = single(name)
            return parse_time(raw, name) if raw is not None else None

        jurisdictions = values("jurisdiction")
        for code in jurisdictions:
            if not JURISDICTION_CODE.fullmatch(code):
                raise QueryError(f"jurisdiction={code!r}: expected a six-digit GB/T 2260 code")
        return cls(
            collections=values("collection"),
            jurisdictions=jurisdictions,
            crawls=values("crawl"),
            crawl_time=TimeRange(time("crawl-time-after"), time("crawl-time-before")),
            crawl_start=TimeRange(time("crawl-start-after"), time("crawl-start-before")),
            filenames=values("filename"),
            filetypes=tuple(t.lower() for t in values("filetype")),
            page=number("page", 1, 10**9),
            page_size=number("page_size", default_page_size, MAX_PAGE_SIZE),
        )

    @property
    def store_collection(self) -> str | None:
        """The one store collection the query names, if it names only one."""
        if len(self.collections) != 1 or len(self.jurisdictions) > 1:
            return None
        collection = self.collections[0]
        if self.jurisdictions:
            return collection_name(collection, self.jurisdictions[0])
        return collection if split_collection(collection)[1] else None

    def matches_name(self, store_collection: str, name: str, run: CrawlRun | None) -> bool:
        collection, jurisdiction = split_collection(store_collection)
        if self.collections and not {collection, store_collection} & set(self.collections):
            return False
        if self.jurisdictions and jurisdiction not in self.jurisdictions:
            return False
        if self.filetypes and FILETYPE not in self.filetypes:
            return False
        if self.crawls and (run is None or not {run.id, run.job} & set(self.crawls)):
            return False
        return not self.filenames or any(fnmatch.fnmatchcase(name, glob) for glob in self.filenames)


@dataclass(frozen=True)
class TransferFile:
    record: FixityRecord
    crawl_time: datetime | None
    run: CrawlRun | None

    @property
    def crawl_start(self) -> datetime | None:
        return self.run.started if self.run and self.run.started else self.crawl_time

    def to_dict(self, locations: list[str]) -> dict:
        collection, jurisdiction = split_collection(self.record.collection)
        return {
            "filename": self.record.name,
            "filetype": FILETYPE,
            "checksums": {"sha256": self.record.sha256},
            "size": self.record.size,
            "collection": collection,
            "jurisdiction": jurisdiction,
            "store-collection": self.record.collection,
            "crawl": self.run.id if self.run else None,
            "crawl-start": _rfc3339(self.crawl_start),
            "crawl-time": _rfc3339(self.crawl_time),
            "store-time": self.record.stored,
            "locations": locations,
        }


def _rfc3339(when: datetime | None) -> str | None:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


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


def list_transfers(
    store: ListingSource, query: TransferQuery, runs: Mapping[str, CrawlRun] | None = None
) -> TransferPage:
    """One page of the files ``query`` selects, in collection and file-name order.

    ``runs`` maps file names to the crawl run that wrote them. Names are filtered first,
    so fixity records are read only for the page (and, with a time filter, for names that
    carry no capture time).
    """
    runs = runs or {}
    names = sorted(
        (collection, name)
        for collection, name in store.manifest_names(query.store_collection)
        if query.matches_name(collection, name, runs.get(name))
    )
    records: dict[tuple[str, str], FixityRecord] = {}
    if query.crawl_time or query.crawl_start:
        kept = []
        for key in names:
            when = crawl_time(key[1])
            if when is None:
                record = store.fixity_record(*key)
                if record is None:
                    continue
                records[key] = record
                when = parse_time(record.stored, "stored")
            run = runs.get(key[1])
            start = run.started if run and run.started else when
            if query.crawl_time.holds(when) and query.crawl_start.holds(start):
                kept.append(key)
        names = kept
    start = (query.page - 1) * query.page_size
    files = []
    for key in names[start : start + query.page_size]:
        record = records.get(key) or store.fixity_record(*key)
        if record is not None:
            files.append(TransferFile(record, crawl_time(key[1]), runs.get(key[1])))
    return TransferPage(len(names), query.page, query.page_size, files)
