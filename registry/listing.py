"""The seed list's search, filters and pages: one indexed query, one small page at a time.

Filters: ``q`` (in the URL or title), ``jurisdiction`` (a division and everything inside
it, as a range of codes), ``collection``, ``schedule`` (a word, ``cron`` for an expression,
``none`` for no schedule), ``state`` (the state of the seed's last crawl job, ``never``
when it has none) and ``library`` (an id, for users who see several libraries).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from diancang import jurisdictions
from diancang.jobs.models import STATES, CrawlJob
from diancang.registry.models import RegisteredSeed
from diancang.registry.service import FieldError
from diancang.seeds.schema import COLLECTIONS, SCHEDULE_WORDS

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
NEVER, CRON, NO_SCHEDULE = "never", "cron", "none"
SCHEDULE_FILTERS = (*SCHEDULE_WORDS, CRON, NO_SCHEDULE)
STATE_FILTERS = (*STATES, NEVER)
MAX_QUERY = 200


@dataclass(frozen=True)
class SeedFilters:
    q: str = ""
    jurisdiction: str = ""
    collection: str = ""
    schedule: str = ""
    state: str = ""
    library: int | None = None
    page: int = 1
    per_page: int = PAGE_SIZE

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> tuple[SeedFilters, list[FieldError]]:
        """The filters of a request's arguments; an unusable one is an error and not applied."""
        errors = []
        values = {
            name: (args.get(name) or "").strip()
            for name in (
                "q",
                "jurisdiction",
                "collection",
                "schedule",
                "state",
                "library",
                "page",
                "per_page",
            )
        }
        checks = {
            "jurisdiction": (
                lambda v: jurisdictions.is_valid(v) and re.fullmatch(r"\d{6}", v),
                "不是已知的 GB/T 2260 六位代码",
            ),
            "collection": (lambda v: v in COLLECTIONS, f"应为 {'、'.join(COLLECTIONS)} 之一"),
            "schedule": (
                lambda v: v in SCHEDULE_FILTERS,
                f"应为 {'、'.join(SCHEDULE_FILTERS)} 之一",
            ),
            "state": (lambda v: v in STATE_FILTERS, f"应为 {'、'.join(STATE_FILTERS)} 之一"),
            "library": (str.isdigit, "应为图书馆编号"),
        }
        for name, (ok, message) in checks.items():
            if values[name] and not ok(values[name]):
                errors.append(FieldError(name, f"{values[name][:40]} {message}"))
                values[name] = ""
        page = int(values["page"]) if values["page"].isdigit() else 1
        per_page = int(values["per_page"]) if values["per_page"].isdigit() else PAGE_SIZE
        filters = cls(
            q=values["q"][:MAX_QUERY],
            jurisdiction=values["jurisdiction"],
            collection=values["collection"],
            schedule=values["schedule"],
            state=values["state"],
            library=int(values["library"]) if values["library"] else None,
            page=max(page, 1),
            per_page=min(max(per_page, 1), MAX_PAGE_SIZE),
        )
        return filters, errors

    def args(self, **changes) -> dict[str, str | int]:
        """The filters as request arguments (without the defaults), with ``changes``."""
        given = {**asdict(self), **changes}
        return {
            k: v
            for k, v in given.items()
            if v not in ("", None)
            and not (k == "page" and v == 1)
            and not (k == "per_page" and v == PAGE_SIZE)
        }


def filtered(library_ids: frozenset[int], filters: SeedFilters) -> Select:
    """Seeds of ``library_ids`` (and ``filters.library``) that pass the filters, with the
    state of each seed's last job."""
    query = select(RegisteredSeed, CrawlJob.state).outerjoin(
        CrawlJob, CrawlJob.id == RegisteredSeed.last_job_id
    )
    return query.where(*_conditions(library_ids, filters))


def seed_page(
    db: Session, library_ids: frozenset[int], filters: SeedFilters
) -> tuple[list[tuple[RegisteredSeed, str | None]], int]:
    """One page of the filtered seeds (newest first) and how many pass the filters."""
    count = select(func.count(RegisteredSeed.id))
    if filters.state and filters.state != NEVER:  # only this filter needs the jobs
        count = count.join(CrawlJob, CrawlJob.id == RegisteredSeed.last_job_id)
    total = db.scalar(count.where(*_conditions(library_ids, filters))) or 0
    rows = db.execute(
        filtered(library_ids, filters)
        .options(joinedload(RegisteredSeed.library))
        .order_by(RegisteredSeed.id.desc())
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    ).all()
    return [(seed, state) for seed, state in rows], total


def _conditions(library_ids: frozenset[int], filters: SeedFilters) -> list:
    seeds = RegisteredSeed
    conditions = [seeds.library_id.in_(library_ids)]
    if filters.library is not None:
        conditions.append(seeds.library_id == filters.library)
    if filters.q:
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            or_(seeds.url.ilike(pattern, escape="\\"), seeds.title.ilike(pattern, escape="\\"))
        )
    if filters.jurisdiction:
        conditions.append(seeds.jurisdiction.between(*code_range(filters.jurisdiction)))
    if filters.collection:
        conditions.append(seeds.collection == filters.collection)
    if filters.schedule == NO_SCHEDULE:
        conditions.append(seeds.schedule.is_(None))
    elif filters.schedule == CRON:
        conditions.append(seeds.schedule.not_in(tuple(SCHEDULE_WORDS)))
    elif filters.schedule:
        conditions.append(seeds.schedule == filters.schedule)
    if filters.state == NEVER:
        conditions.append(seeds.last_job_id.is_(None))
    elif filters.state:
        conditions.append(CrawlJob.state == filters.state)
    return conditions


def code_range(code: str) -> tuple[str, str]:
    """The GB/T 2260 codes inside ``code``: a province's 13xxxx, a city's 1301xx, a county."""
    if code.endswith("0000"):
        return code[:2] + "0000", code[:2] + "9999"
    if code.endswith("00"):
        return code[:4] + "00", code[:4] + "99"
    return code, code
