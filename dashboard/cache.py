"""The year's figures, computed once per change of the catalogue rather than per request.

Counting a year over a million records costs a good part of a second; fifty librarians
opening the dashboard must not each pay it. The figures of a year are kept with a
fingerprint of what they were computed from (the newest record, record change, capture,
job and seed, and the counts of failed jobs and seeds: each an index lookup) and reused
while it is unchanged, for at most ``MAX_AGE`` seconds, a backstop for a change that moves
none of them; within ``CHECKED_FOR`` seconds of the last look, not even the fingerprint is
read again. One thread computes a year while the others wait for its result.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diancang.catalog.models import Capture, Record
from diancang.dashboard.figures import Figures, year_figures
from diancang.jobs.models import FAILED, CrawlJob
from diancang.registry.models import RegisteredSeed

MAX_AGE = 30.0  # seconds
CHECKED_FOR = 1.0  # seconds


def fingerprint(db: Session) -> tuple:
    """What the figures depend on, read in one statement of index lookups."""
    return tuple(
        db.execute(
            select(
                select(func.max(Record.id)).scalar_subquery(),
                select(func.max(Record.datestamp)).scalar_subquery(),
                select(func.max(Capture.id)).scalar_subquery(),
                select(func.max(CrawlJob.id)).scalar_subquery(),
                select(func.count()).where(CrawlJob.state == FAILED).scalar_subquery(),
                select(func.max(RegisteredSeed.updated_at)).scalar_subquery(),
                select(func.count(RegisteredSeed.id)).scalar_subquery(),
            )
        ).one()
    )


class FiguresCache:
    def __init__(self, max_age: float = MAX_AGE, checked_for: float = CHECKED_FOR) -> None:
        self.max_age, self.checked_for = max_age, checked_for
        # year -> (fingerprint, computed at, fingerprint read at, figures)
        self._years: dict[int, tuple[tuple, float, float, dict[int, Figures]]] = {}
        self._lock = threading.Lock()

    def year(self, db: Session, year: int) -> dict[int, Figures]:
        with self._lock:  # one computation at a time; the waiters then find it kept
            now = time.monotonic()
            kept = self._years.get(year)
            if kept and now - kept[2] < self.checked_for:
                return kept[3]
            key = fingerprint(db)
            if kept and kept[0] == key and now - kept[1] < self.max_age:
                self._years[year] = (key, kept[1], now, kept[3])
                return kept[3]
            figures = year_figures(db, year)
            self._years[year] = (key, now, now, figures)
            return figures
