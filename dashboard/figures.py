"""The year's numbers of each library, aggregated in SQL: one query per measure over every
library, never one query per library.

What is counted (one rule each, shared by the page, the API and the tests):

- **records** (政府公开信息): catalogue records with ``kind == "govinfo"``, owned by the
  library (``Record.library_id``), created (catalogued) in the year, not withdrawn.
- **websites** (网事典藏): the library's registered seeds in collection ``webarchive`` of
  which the catalogue holds at least one capture made in the year with an HTTP status
  below 400 (``Capture.seed`` is the seed's ``seed_key``). A seed that was crawled but
  answered only errors was not preserved, and a crawl job alone proves nothing was stored.
- **captures per month**: catalogue captures (response, revisit and resource records) of
  the library's registered seeds, by the month they were captured.
- **failures per month**: the library's crawl jobs that ended ``failed``, by the month
  they ended (or were queued, when they never started).
- **projection**: a linear projection to the year's end on the days elapsed: the count so
  far × days in the year ÷ days elapsed (today counted); a past year projects its final
  count, a future year nothing.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Integer, and_, cast, extract, func, select
from sqlalchemy.orm import Session

from diancang.accounts.models import PROVINCE, Library
from diancang.catalog.models import KIND_GOVINFO, Capture, Record
from diancang.jobs.models import FAILED, CrawlJob
from diancang.registry.models import RegisteredSeed

WEBARCHIVE = "webarchive"  # the 网事典藏 collection of the seed lists
PRESERVED_BELOW = 400  # a capture with a status below this preserved something
MONTHS = range(1, 13)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def projection(count: int, year: int, today: date) -> int | None:
    """``count`` projected linearly to the end of ``year`` as seen on ``today``."""
    if year < today.year:
        return count
    if year > today.year:
        return None
    days = 366 if calendar.isleap(year) else 365
    elapsed = today.timetuple().tm_yday
    return round(count * days / elapsed)


@dataclass
class Figures:
    """One library's numbers of a year (or a roll-up of several libraries)."""

    records: int = 0
    websites: int = 0
    captures_by_month: list[int] = field(default_factory=lambda: [0] * 12)
    failures_by_month: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def captures(self) -> int:
        return sum(self.captures_by_month)

    @property
    def failures(self) -> int:
        return sum(self.failures_by_month)

    def add(self, other: Figures) -> None:
        self.records += other.records
        self.websites += other.websites
        for month in range(12):
            self.captures_by_month[month] += other.captures_by_month[month]
            self.failures_by_month[month] += other.failures_by_month[month]


def _month(column) -> object:
    return cast(extract("month", column), Integer)


def _records(year: int):
    start, end = year_bounds(year)
    return (
        select(Record.library_id, func.count())
        .where(  # one index range per library: (library_id, kind, created_at)
            Record.library_id.in_(select(Library.id)),
            Record.kind == KIND_GOVINFO,
            Record.created_at >= start,
            Record.created_at < end,
            Record.deleted.is_(False),
        )
        .group_by(Record.library_id)
    )


def _websites(year: int):
    start, end = year_bounds(year)
    preserved = (
        select(Capture.id)
        .where(
            Capture.seed == RegisteredSeed.seed_key,
            Capture.captured_at >= start,
            Capture.captured_at < end,
            Capture.status < PRESERVED_BELOW,
        )
        .exists()
    )
    return (
        select(RegisteredSeed.library_id, func.count())
        .where(RegisteredSeed.collection == WEBARCHIVE, preserved)
        .group_by(RegisteredSeed.library_id)
    )


def _captures(year: int):
    start, end = year_bounds(year)
    month = _month(Capture.captured_at)
    return (
        select(RegisteredSeed.library_id, month, func.count())
        .select_from(RegisteredSeed)
        .join(Capture, Capture.seed == RegisteredSeed.seed_key)
        .where(Capture.captured_at >= start, Capture.captured_at < end)
        .group_by(RegisteredSeed.library_id, month)
    )


def _failures(year: int):
    start, end = year_bounds(year)
    ended = func.coalesce(CrawlJob.finished_at, CrawlJob.created_at)
    month = _month(ended)
    return (
        select(CrawlJob.library_id, month, func.count())
        .where(CrawlJob.state == FAILED, and_(ended >= start, ended < end))
        .group_by(CrawlJob.library_id, month)
    )


def measure_statements(year: int) -> dict[str, object]:
    """The four statements, each over every library (for EXPLAIN, and ``year_figures``)."""
    return {
        "records": _records(year),
        "websites": _websites(year),
        "captures": _captures(year),
        "failures": _failures(year),
    }


def year_figures(db: Session, year: int) -> dict[int, Figures]:
    """Every library's figures of ``year`` that has any (four queries in all)."""
    figures: dict[int, Figures] = defaultdict(Figures)
    for library_id, count in db.execute(_records(year)):
        figures[library_id].records = count
    for library_id, count in db.execute(_websites(year)):
        figures[library_id].websites = count
    for library_id, month, count in db.execute(_captures(year)):
        figures[library_id].captures_by_month[month - 1] = count
    for library_id, month, count in db.execute(_failures(year)):
        figures[library_id].failures_by_month[month - 1] = count
    return dict(figures)


@dataclass
class LibraryYear:
    """A row of the dashboard: a library, its targets, its figures, and for a provincial
    library whose whole subtree the viewer sees, the roll-up over it."""

    library: Library
    figures: Figures
    rollup: Figures | None = None
    rollup_libraries: int = 0  # libraries in the roll-up, the province itself included
    rollup_records_target: int = 0  # the sums of their targets
    rollup_websites_target: int = 0


def subtrees(libraries: Iterable[Library]) -> dict[int, set[int]]:
    """Each library's id with those of every library below it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for library in libraries:
        children[library.parent_id].append(library.id)
    below: dict[int, set[int]] = {}

    def walk(library_id: int) -> set[int]:
        if library_id not in below:
            below[library_id] = {library_id}
            for child in children.get(library_id, ()):
                below[library_id] |= walk(child)
        return below[library_id]

    for ids in list(children.values()):
        for library_id in ids:
            walk(library_id)
    return below


def dashboard_rows(
    db: Session, visible: frozenset[int], figures: dict[int, Figures]
) -> list[LibraryYear]:
    """The rows ``visible`` libraries show, provinces first with the libraries under them."""
    every = {lib.id: lib for lib in db.scalars(select(Library))}
    tree = subtrees(every.values())
    shown = sorted(
        (lib for lib in every.values() if lib.id in visible),
        key=lambda lib: (lib.jurisdiction, lib.name),
    )
    rows = []
    for library in shown:
        row = LibraryYear(library, figures.get(library.id, Figures()))
        members = tree[library.id]
        if library.level == PROVINCE and members <= visible:
            row.rollup, row.rollup_libraries = Figures(), len(members)
            for member in members:
                row.rollup.add(figures.get(member, Figures()))
                row.rollup_records_target += every[member].records_target
                row.rollup_websites_target += every[member].websites_target
        rows.append(row)
    return rows
