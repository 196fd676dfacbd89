"""The scheduler: queues a crawl job for each seed whose schedule is due.

Our own loop on croniter, not APScheduler. The due state lives on the seed row in the
catalogue database (``next_run_at``, ``last_due_at``), and one transaction queues the job and
advances the seed, so a restart can neither lose nor double a due time; the seed page reads
the same columns to show the next run and an overdue one. APScheduler's SQLAlchemy job store
would hold a second copy of every schedule (pickled), to be kept in step with the registry
on every edit, and its misfire rules would decide apart from our one rule below.

The rule, per seed with a schedule (``seeds.schema.SCHEDULE_WORDS`` or cron, in the seed's
time zone):

- ``next_run_at`` None (a new seed, or its schedule or time zone changed): set to the first
  due time after now (``once``: now, until it has been queued once).
- due (``next_run_at`` ≤ now) and no queued or running job of the seed: one job is queued
  for it, ``last_due_at`` = that due time, ``next_run_at`` = the first due time after now.
  However many due times passed meanwhile (the scheduler was down), they run once.
- due while a job of the seed is queued or running: nothing yet; the due time waits (the
  seed shows it overdue) and is coalesced with any later ones into one job once the seed is
  free, so two crawls of one seed never run at once.

Several schedulers may run: advancing a seed is a conditional UPDATE on its old
``next_run_at``, so only one of them queues the job.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import select, update

from diancang.catalog.db import Catalog
from diancang.jobs.models import ACTIVE, SCHEDULED, CrawlJob, JobSeed
from diancang.jobs.queue import queue_job, utcnow
from diancang.jobs.schedules import next_due
from diancang.registry.models import RegisteredSeed

log = logging.getLogger(__name__)


def schedule_pass(catalog: Catalog, now: datetime | None = None) -> list[int]:
    """One pass over the seeds at ``now`` (UTC, naive; default the clock): fill missing due
    times, queue the due seeds' jobs. The ids of the jobs queued."""
    now = now or utcnow()
    _fill_next_runs(catalog, now)
    queued = []
    with catalog.session() as db:
        due = list(
            db.execute(
                select(RegisteredSeed.id, RegisteredSeed.next_run_at)
                .where(
                    RegisteredSeed.schedule.is_not(None),
                    RegisteredSeed.next_run_at <= now,
                    ~_active_job_of(RegisteredSeed.id),
                )
                .order_by(RegisteredSeed.next_run_at, RegisteredSeed.id)
            )
        )
    for seed_id, due_at in due:
        with catalog.session() as db:
            job_id = _queue_due(db, seed_id, due_at, now)
        if job_id is not None:
            queued.append(job_id)
    return queued


def _active_job_of(seed_id):
    """EXISTS a queued or running job of the seed ``seed_id`` (an id or a column)."""
    return (
        select(JobSeed.id)
        .join(CrawlJob, CrawlJob.id == JobSeed.job_id)
        .where(JobSeed.seed_id == seed_id, CrawlJob.state.in_(ACTIVE))
        .exists()
    )


def _fill_next_runs(catalog: Catalog, now: datetime) -> None:
    with catalog.session() as db:
        seeds = db.scalars(
            select(RegisteredSeed).where(
                RegisteredSeed.schedule.is_not(None), RegisteredSeed.next_run_at.is_(None)
            )
        )
        for seed in seeds:
            try:
                seed.next_run_at = next_due(seed.schedule, seed.timezone, now, seed.last_due_at)
            except (ValueError, KeyError) as exc:  # bad cron, unknown zone: this seed only
                log.warning("seed %s: schedule %r (%s) unusable: %s", seed.seed_key,
                            seed.schedule, seed.timezone, exc)  # fmt: skip


def _queue_due(db, seed_id: int, due_at: datetime, now: datetime) -> int | None:
    """Queue the job of one due seed and advance it, in the caller's one transaction."""
    seed = db.get(RegisteredSeed, seed_id)
    if seed is None or seed.next_run_at != due_at or db.scalar(select(_active_job_of(seed_id))):
        return None  # deleted, rescheduled, or taken by another scheduler meanwhile
    advanced = db.execute(
        update(RegisteredSeed)
        .where(RegisteredSeed.id == seed_id, RegisteredSeed.next_run_at == due_at)
        .values(last_due_at=due_at, next_run_at=next_due(seed.schedule, seed.timezone, now, due_at))
        .execution_options(synchronize_session=False)
    )
    if advanced.rowcount != 1:
        return None
    job = queue_job(db, seed.library_id, [seed_id], SCHEDULED, due_at=due_at)
    log.info("queued job %s for seed %s (due %s UTC)", job.id, seed.seed_key, due_at)
    return job.id


def run_scheduler(catalog: Catalog, interval: float) -> None:
    """Pass over the seeds every ``interval`` seconds, until a stop signal."""
    log.info("scheduler: a pass every %g s", interval)
    while True:
        started = time.monotonic()
        try:
            queued = schedule_pass(catalog)
        except Exception:  # noqa: BLE001 - a database hiccup costs one pass, not the scheduler
            log.exception("scheduler pass failed; trying again in %g s", interval)
        else:
            if queued:
                log.info("scheduler: queued jobs %s", ", ".join(map(str, queued)))
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
