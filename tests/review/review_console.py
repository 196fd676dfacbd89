"""The served console of the review tests and what they ask of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from console.console_helpers import SignedIn
from review_helpers import Page, finished_job

from diancang.catalog.db import Catalog
from diancang.catalog.records_builder import commit_with_datestamps


@dataclass
class ReviewConsole(SignedIn):
    served: object
    catalog: Catalog
    ids: dict[str, int]
    data_dir: Path

    @property
    def base(self) -> str:
        return self.served.base

    def job(self, library: str, pages: list[Page]) -> tuple[int, list[int]]:
        """A finished, scored job of ``library``: its id and its pages' capture ids."""
        with self.catalog.session() as db:
            job, items = finished_job(db, self.ids[library], pages)
            commit_with_datestamps(db)
            return job.id, [item.capture_id for item in items]


def queue_rows(html: str) -> list[tuple[str, int, str]]:
    """(seed, capture id, score) of every row of a /review page, in page order."""
    rows = []
    for section in re.findall(r'<section class="panel wide review-group".*?</section>', html, re.S):
        seed = re.search(r'data-seed="([^"]*)"', section).group(1)
        for capture_id, score in re.findall(
            r'<tr data-capture-id="(\d+)"[^>]*data-score="([^"]*)"', section
        ):
            rows.append((seed, int(capture_id), score))
    return rows
