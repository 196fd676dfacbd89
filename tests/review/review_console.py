"""The served console of the review tests and what they ask of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from console.console_helpers import Browser
from review_helpers import Page, finished_job
from sqlalchemy import select

from diancang.accounts.models import User
from diancang.accounts.tokens import issue_token
from diancang.catalog.db import Catalog
from diancang.catalog.records_builder import commit_with_datestamps


@dataclass
class ReviewConsole:
    served: object
    catalog: Catalog
    ids: dict[str, int]
    data_dir: Path

    @property
    def base(self) -> str:
        return self.served.base

    def browser(self, username: str | None = None) -> Browser:
        browser = Browser(self.base)
        if username:
            assert browser.login(username).url.endswith("/libraries")
        return browser

    def token(self, username: str) -> dict[str, str]:
        with self.catalog.session() as db:
            user = db.scalars(select(User).where(User.username == username)).one()
            return {"Authorization": f"Bearer {issue_token(db, user)}"}

    def api(self, method: str, path: str, username: str | None, **kwargs):
        import requests

        headers = self.token(username) if username else {}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

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
