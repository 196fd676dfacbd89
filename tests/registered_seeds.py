"""Libraries and registered seeds made straight in the catalogue database, for the tests of
the jobs and the console (the registry builds them through its service)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from diancang.accounts.libraries import add_library
from diancang.jobs.models import CrawlJob
from diancang.registry.models import RegisteredSeed
from diancang.seeds.schema import DEFAULT_TIMEZONE


def library(db, name: str = "重庆市图书馆", jurisdiction: str = "500000") -> int:
    lib = add_library(db, name, "province", jurisdiction)
    db.flush()
    return lib.id


def add_seed(
    db,
    library_id: int,
    url: str,
    key: str,
    schedule: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    jurisdiction: str = "500000",
    collection: str = "govinfo",
    **fields: str,
) -> RegisteredSeed:
    """A registered seed whose ``fields`` are its seed-list row."""
    row = {
        "url": url,
        "title": fields.pop("title", "重庆市人民政府"),
        "jurisdiction": jurisdiction,
        "collection": collection,
        "schedule": schedule or "",
        "timezone": timezone,
        **fields,
    }
    now = datetime(2026, 1, 1)
    seed = RegisteredSeed(
        library_id=library_id,
        seed_key=key,
        url=url,
        url_key=hashlib.sha1(url.encode()).hexdigest(),
        title=row["title"],
        jurisdiction=jurisdiction,
        collection=collection,
        schedule=schedule,
        timezone=timezone,
        fields=row,
        created_at=now,
        updated_at=now,
    )
    db.add(seed)
    db.flush()
    return seed


def set_state(catalog, job_id: int, state: str) -> None:
    with catalog.session() as db:
        db.get(CrawlJob, job_id).state = state
