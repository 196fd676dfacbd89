"""The scheduler, one pass at a time with explicit times: one job per due time, one catch-up
job after downtime, never two jobs of one seed at once, schedules read in their time zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from registered_seeds import add_seed, library, set_state
from sqlalchemy import select

from diancang.catalog.db import Catalog
from diancang.jobs.models import FINISHED, QUEUED, RUNNING, SCHEDULED, CrawlJob
from diancang.jobs.scheduler import schedule_pass
from diancang.jobs.schedules import next_due
from diancang.registry.models import RegisteredSeed

START = datetime(2026, 3, 2, 8, 0, 30)  # UTC, half a minute past 08:00


@pytest.fixture
def catalog(tmp_path) -> Iterator[Catalog]:
    db = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    yield db
    db.dispose()


def _seed(catalog: Catalog, schedule: str, timezone: str = "Asia/Shanghai") -> int:
    with catalog.session() as db:
        return add_seed(db, library(db), "http://gov.example/", "s1", schedule, timezone).id


def _jobs(catalog: Catalog) -> list[CrawlJob]:
    with catalog.session() as db:
        return list(db.scalars(select(CrawlJob).order_by(CrawlJob.id)))


def _seed_row(catalog: Catalog, seed_id: int) -> RegisteredSeed:
    with catalog.session() as db:
        return db.get(RegisteredSeed, seed_id)


def test_a_one_minute_schedule_gives_one_job_per_due_minute(catalog):
    seed_id = _seed(catalog, "* * * * *")
    assert schedule_pass(catalog, START) == []  # the first due time is 08:01
    assert _seed_row(catalog, seed_id).next_run_at == datetime(2026, 3, 2, 8, 1)
    queued = []
    # passes every 20 s over ten minutes; each job ends before the next minute
    for step in range(1, 31):
        now = START + timedelta(seconds=20 * step)
        for job_id in schedule_pass(catalog, now):
            queued.append(job_id)
            set_state(catalog, job_id, FINISHED)
    jobs = _jobs(catalog)
    assert [job.id for job in jobs] == queued
    due = [job.due_at for job in jobs]
    assert due == [datetime(2026, 3, 2, 8, minute) for minute in range(1, 11)]
    assert {job.origin for job in jobs} == {SCHEDULED}
    seed = _seed_row(catalog, seed_id)
    assert seed.last_due_at == datetime(2026, 3, 2, 8, 10)
    assert seed.last_job_id == jobs[-1].id
    assert seed.next_run_at == datetime(2026, 3, 2, 8, 11)


def test_a_scheduler_down_over_three_due_times_runs_one_catch_up_job(catalog):
    seed_id = _seed(catalog, "*/5 * * * *")
    schedule_pass(catalog, START)  # next: 08:05
    # down from 08:00:30 to 08:17:00: 08:05, 08:10 and 08:15 passed
    back = datetime(2026, 3, 2, 8, 17)
    (job_id,) = schedule_pass(catalog, back)
    assert schedule_pass(catalog, back + timedelta(seconds=30)) == []
    (job,) = _jobs(catalog)
    assert job.id == job_id and job.due_at == datetime(2026, 3, 2, 8, 5)
    assert _seed_row(catalog, seed_id).next_run_at == datetime(2026, 3, 2, 8, 20)


def test_a_due_time_waits_while_the_seed_is_crawled_and_then_runs_once(catalog):
    seed_id = _seed(catalog, "* * * * *")
    schedule_pass(catalog, START)
    (first,) = schedule_pass(catalog, datetime(2026, 3, 2, 8, 1, 5))
    set_state(catalog, first, RUNNING)
    for minute in (2, 3, 4):  # the crawl runs over three more due times
        assert schedule_pass(catalog, datetime(2026, 3, 2, 8, minute, 5)) == []
    seed = _seed_row(catalog, seed_id)
    assert seed.next_run_at == datetime(2026, 3, 2, 8, 2)  # overdue, shown so on the seed
    assert [job.state for job in _jobs(catalog)] == [RUNNING]
    set_state(catalog, first, FINISHED)
    (second,) = schedule_pass(catalog, datetime(2026, 3, 2, 8, 4, 10))
    jobs = _jobs(catalog)
    assert [job.state for job in jobs] == [FINISHED, QUEUED]
    assert jobs[1].due_at == datetime(2026, 3, 2, 8, 2)
    assert _seed_row(catalog, seed_id).next_run_at == datetime(2026, 3, 2, 8, 5)
    assert schedule_pass(catalog, datetime(2026, 3, 2, 8, 5, 5)) == []  # second still queued


def test_daily_in_shanghai_is_due_at_1800_utc(catalog):
    seed_id = _seed(catalog, "daily", "Asia/Shanghai")
    schedule_pass(catalog, START)
    assert _seed_row(catalog, seed_id).next_run_at == datetime(2026, 3, 2, 18, 0)
    assert schedule_pass(catalog, datetime(2026, 3, 2, 17, 59, 59)) == []
    assert len(schedule_pass(catalog, datetime(2026, 3, 2, 18, 0, 1))) == 1
    assert _seed_row(catalog, seed_id).next_run_at == datetime(2026, 3, 3, 18, 0)


def test_daily_keeps_its_local_hour_across_daylight_saving_time():
    # New York springs forward on 2026-03-08: 02:00 local is 07:00 UTC before, 06:00 after
    before = next_due("0 3 * * *", "America/New_York", datetime(2026, 3, 7, 0, 0))
    after = next_due("0 3 * * *", "America/New_York", datetime(2026, 3, 9, 0, 0))
    assert before == datetime(2026, 3, 7, 8, 0)
    assert after == datetime(2026, 3, 9, 7, 0)


def test_once_runs_once(catalog):
    seed_id = _seed(catalog, "once")
    (job_id,) = schedule_pass(catalog, START)
    set_state(catalog, job_id, FINISHED)
    for hours in (1, 24, 24 * 40):
        assert schedule_pass(catalog, START + timedelta(hours=hours)) == []
    seed = _seed_row(catalog, seed_id)
    assert seed.next_run_at is None and seed.last_due_at == START
    assert len(_jobs(catalog)) == 1


def test_a_seed_without_a_schedule_is_never_queued(catalog):
    with catalog.session() as db:
        add_seed(db, library(db), "http://gov.example/", "s1", None)
    assert schedule_pass(catalog, START) == []
    assert schedule_pass(catalog, START + timedelta(days=400)) == []


def test_a_seed_with_an_unusable_schedule_does_not_hold_up_the_others(catalog):
    with catalog.session() as db:
        lib = library(db)
        add_seed(db, lib, "http://bad.example/", "bad", "61 * * * *")  # not a minute
        add_seed(db, lib, "http://zone.example/", "zone", "daily", "Mars/Olympus_Mons")
        good = add_seed(db, lib, "http://gov.example/", "good", "once").id
    (job_id,) = schedule_pass(catalog, START)
    with catalog.session() as db:
        assert [link.seed_id for link in db.get(CrawlJob, job_id).seeds] == [good]
