"""A catalogue with the dashboard's inputs, each row written directly: records, registered
seeds, captures and crawl jobs of the libraries of ``console_helpers.add_accounts``, with
rows that must not count beside those that must (withdrawn, other kinds, other years,
failed captures, unowned records)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from diancang.accounts.models import Library
from diancang.catalog.db import Catalog
from diancang.catalog.models import Capture, Record, WarcFile
from diancang.jobs.models import CrawlJob
from diancang.registry.models import RegisteredSeed

SJZ, HEBEI, ZHENGDING, LIAONING = "石家庄市图书馆", "河北省图书馆", "正定县图书馆", "辽宁省图书馆"


@dataclass
class Expected:
    """What the dashboard must show for one library in ``year``."""

    records: int = 0
    websites: int = 0
    captures_by_month: list[int] = field(default_factory=lambda: [0] * 12)
    failures_by_month: list[int] = field(default_factory=lambda: [0] * 12)


def record(library_id, created: datetime, kind="govinfo", deleted=False) -> Record:
    return Record(
        kind=kind, datestamp=datetime(2020, 1, 1), created_at=created, deleted=deleted,
        library_id=library_id, title="某某通知", jurisdiction_code="130100", raw_values={},
        provenance={},
    )  # fmt: skip


def seed(library_id: int, key: str, collection: str) -> RegisteredSeed:
    url = f"http://{key}.example.gov.cn/"
    now = datetime(2020, 1, 1)
    return RegisteredSeed(
        library_id=library_id, seed_key=key, url=url,
        url_key=hashlib.sha1(url.encode()).hexdigest(), title=key, jurisdiction="130100",
        collection=collection, schedule=None, timezone="Asia/Shanghai",
        fields={"id": key, "url": url, "collection": collection}, created_at=now, updated_at=now,
    )  # fmt: skip


def capture(warc: WarcFile, offset: int, seed_key: str, when: datetime, status=200) -> Capture:
    url = f"http://{seed_key}.example.gov.cn/{offset}"
    return Capture(
        warc_file=warc, offset=offset, length=100, warc_type="response", url=url,
        url_hash=hashlib.sha1(url.encode()).hexdigest(), captured_at=when, status=status,
        seed=seed_key, replay_url=url,
    )  # fmt: skip


def job(library_id: int, state: str, ended: datetime | None, created: datetime) -> CrawlJob:
    return CrawlJob(
        library_id=library_id, state=state, origin="manual", created_at=created,
        finished_at=ended,
    )  # fmt: skip


def fill(database_url: str, year: int) -> dict[str, Expected]:
    """Write the rows; the figures each library must show for ``year``."""
    catalog = Catalog(database_url)
    expected = {name: Expected() for name in (SJZ, HEBEI, ZHENGDING, LIAONING)}
    try:
        with catalog.session() as db:
            ids = {lib.name: lib.id for lib in db.query(Library)}
            rows: list = []
            for name, months in ((SJZ, [1, 1, 3, 7]), (HEBEI, [2, 5]), (ZHENGDING, [4])):
                for n, month in enumerate(months):
                    rows.append(record(ids[name], datetime(year, month, 3 + n, 10)))
                    expected[name].records += 1
            rows += [
                record(ids[SJZ], datetime(year, 2, 1), deleted=True),  # withdrawn
                record(ids[SJZ], datetime(year, 2, 1), kind="website"),  # not govinfo
                record(ids[SJZ], datetime(year - 1, 12, 31, 23, 59)),  # last year
                record(ids[HEBEI], datetime(year + 1, 1, 1)),  # next year
                record(None, datetime(year, 3, 1)),  # a seed list outside the registry
            ]
            warc = WarcFile(
                name="w.warc.gz", path="/w.warc.gz", size=1, ingested_at=datetime(year, 1, 1)
            )
            seeds = [
                seed(ids[SJZ], "sjz-web-1", "webarchive"),
                seed(ids[SJZ], "sjz-web-2", "webarchive"),  # only errors: not preserved
                seed(ids[SJZ], "sjz-gov", "govinfo"),  # preserved, but not 网事典藏
                seed(ids[HEBEI], "hebei-web", "webarchive"),  # captured last year only
                seed(ids[ZHENGDING], "zd-web", "webarchive"),
            ]
            captures = [
                ("sjz-web-1", datetime(year, 1, 5), 200, SJZ, True),
                ("sjz-web-1", datetime(year, 1, 6), 304, SJZ, True),
                ("sjz-web-1", datetime(year, 6, 6), 200, SJZ, True),
                ("sjz-web-2", datetime(year, 6, 7), 404, SJZ, True),
                ("sjz-gov", datetime(year, 6, 8), 200, SJZ, True),
                ("hebei-web", datetime(year - 1, 6, 8), 200, HEBEI, False),
                ("zd-web", datetime(year, 12, 31, 23), 200, ZHENGDING, True),
                ("unregistered", datetime(year, 6, 8), 200, None, False),
            ]
            for offset, (key, when, status, owner, counted) in enumerate(captures):
                rows.append(capture(warc, offset, key, when, status))
                if counted:
                    expected[owner].captures_by_month[when.month - 1] += 1
            expected[SJZ].websites, expected[ZHENGDING].websites = 1, 1
            jobs = [
                (SJZ, "failed", datetime(year, 3, 2), True),
                (SJZ, "failed", datetime(year, 3, 9), True),
                (SJZ, "finished", datetime(year, 3, 9), False),
                (SJZ, "failed", None, True),  # never started: counted when queued (May)
                (HEBEI, "failed", datetime(year - 1, 3, 2), False),
                (LIAONING, "failed", datetime(year, 11, 30), True),
            ]
            for name, state, ended, counted in jobs:
                created = ended or datetime(year, 5, 1)
                rows.append(job(ids[name], state, ended, created))
                if counted:
                    expected[name].failures_by_month[created.month - 1] += 1
            db.add_all([warc, *seeds, *rows])
    finally:
        catalog.dispose()
    return expected
