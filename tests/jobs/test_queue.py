"""The job queue on SQLite and PostgreSQL: queue_job checks its seeds, workers claiming at
once never share a job, a job waits while another crawls one of its seeds, and the running
jobs of a dead worker are failed so their seeds are free."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from registered_seeds import add_seed, library
from sqlalchemy import select

from diancang.catalog.db import Catalog
from diancang.jobs.models import FAILED, FINISHED, PATCH, QUEUED, RUNNING, STOPPED, CrawlJob
from diancang.jobs.queue import (
    JobError,
    _claim,
    claim_job,
    fail_stale,
    queue_job,
    queue_patch,
    request_stop,
    rerun_job,
    resume_job,
    utcnow,
)
from diancang.registry.models import RegisteredSeed

WORKERS = 8


@pytest.fixture
def catalog(database_url) -> Iterator[Catalog]:
    db = Catalog(database_url)
    yield db
    db.dispose()


def _library_with_seeds(catalog: Catalog, count: int) -> tuple[int, list[int]]:
    with catalog.session() as db:
        lib = library(db)
        ids = [add_seed(db, lib, f"http://gov{i}.example/", f"s{i}").id for i in range(count)]
    return lib, ids


def test_queue_job_refuses_unknown_seeds_and_other_libraries_seeds(catalog):
    lib, (seed,) = _library_with_seeds(catalog, 1)
    with catalog.session() as db:
        other = library(db, "辽宁省图书馆", "210000")
        theirs = add_seed(db, other, "http://ln.example/", "ln").id
    with catalog.session() as db:
        with pytest.raises(JobError, match="不存在"):
            queue_job(db, lib, [seed, 9999])
        with pytest.raises(JobError, match="不属于本馆"):
            queue_job(db, lib, [seed, theirs])
        with pytest.raises(JobError, match="至少一个"):
            queue_job(db, lib, [])
        job = queue_job(db, lib, [seed, seed])
        assert job.state == QUEUED and [link.seed_id for link in job.seeds] == [seed]
        assert db.get(RegisteredSeed, seed).last_job_id == job.id


def test_queue_patch_refuses_what_is_not_a_web_address_in_zh(catalog):
    lib, _ = _library_with_seeds(catalog, 1)
    with catalog.session() as db:
        for urls, message in (
            (["javascript:void(0)"], "不是有效的网址：javascript:void(0)"),
            (["http://gov0.example/a.png", "/images/b.png"], "不是有效的网址：/images/b.png"),
            (["ftp://gov0.example/c.png"], "不是有效的网址：ftp://gov0.example/c.png"),
            (["  ", ""], "请至少给出一个要补采的网址"),
        ):
            with pytest.raises(JobError) as refused:
                queue_patch(db, lib, "s0", 1, urls)
            assert (refused.value.message, refused.value.field) == (message, "urls")
        assert db.scalar(select(CrawlJob.id)) is None


def test_a_patch_job_run_again_is_a_patch_of_the_same_urls(catalog):
    lib, _ = _library_with_seeds(catalog, 1)
    urls = ["http://gov0.example/a.png", "http://gov0.example/b.css"]
    with catalog.session() as db:
        job = queue_patch(db, lib, "s0", 7, urls)
        job.state = FINISHED
        again = rerun_job(db, job)
        assert (again.kind, again.patch_item_id, again.patch_urls) == (PATCH, 7, urls)
        assert [link.seed_key for link in again.seeds] == ["s0"] and again.state == QUEUED


def test_workers_claiming_at_once_never_take_the_same_job(catalog):
    lib, seeds = _library_with_seeds(catalog, WORKERS * 2)
    with catalog.session() as db:
        for seed in seeds:
            queue_job(db, lib, [seed])
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(WORKERS)

    def work(name: str) -> None:
        barrier.wait()
        mine = claimed.setdefault(name, [])
        while True:
            session = catalog.session_factory()
            try:
                job = claim_job(session, name)
                if job is None:
                    return
                mine.append(job.id)
            finally:
                session.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    taken = [job_id for ids in claimed.values() for job_id in ids]
    assert sorted(taken) == sorted(set(taken)) and len(taken) == len(seeds)
    with catalog.session() as db:
        jobs = db.scalars(select(CrawlJob)).all()
        assert {job.state for job in jobs} == {RUNNING}
        owner = {job_id: name for name, ids in claimed.items() for job_id in ids}
        assert {job.id: job.worker for job in jobs} == owner


def test_jobs_of_one_seed_claimed_at_once_run_one_at_a_time(catalog):
    lib, (seed,) = _library_with_seeds(catalog, 1)
    with catalog.session() as db:
        for _ in range(WORKERS):
            queue_job(db, lib, [seed])
    barrier = threading.Barrier(WORKERS)
    claimed = []

    def work(name: str) -> None:
        barrier.wait()
        session = catalog.session_factory()
        try:
            job = claim_job(session, name)
            if job is not None:
                claimed.append(job.id)
        finally:
            session.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(claimed) == 1
    with catalog.session() as db:
        first = db.get(CrawlJob, claimed[0])
        assert first.state == RUNNING
        assert claim_job(db, "late") is None  # the others wait for it
        db.get(CrawlJob, claimed[0]).state = FINISHED
        db.commit()
        second = claim_job(db, "late")
        assert second is not None and second.id != claimed[0]


def test_a_job_sharing_one_seed_with_a_running_job_waits_and_others_pass_it(catalog):
    lib, (a, b, c) = _library_with_seeds(catalog, 3)
    with catalog.session() as db:
        running = queue_job(db, lib, [a]).id
        waiting = queue_job(db, lib, [b, a]).id
        free = queue_job(db, lib, [c]).id
    with catalog.session() as db:
        assert claim_job(db, "w1").id == running
        assert claim_job(db, "w2").id == free  # the older job of a waits
        assert claim_job(db, "w3") is None
        db.get(CrawlJob, running).state = FINISHED
        db.commit()
        assert claim_job(db, "w3").id == waiting


def test_running_jobs_of_a_dead_or_silent_worker_are_failed_and_free_their_seeds(catalog):
    lib, (a, b, c) = _library_with_seeds(catalog, 3)
    with catalog.session() as db:
        dead = queue_job(db, lib, [a]).id
        silent = queue_job(db, lib, [b]).id
        alive = queue_job(db, lib, [c]).id
        queue_job(db, lib, [a])  # waits for the dead worker's job
    import socket

    host = socket.gethostname()
    with catalog.session() as db:
        for job_id, worker in ((dead, f"{host}:999999999"), (silent, "elsewhere:1"),
                               (alive, f"{host}:1")):  # fmt: skip
            job = db.get(CrawlJob, job_id)
            job.state, job.worker, job.heartbeat_at = RUNNING, worker, utcnow()
        db.get(CrawlJob, silent).heartbeat_at = utcnow() - timedelta(minutes=10)
        db.commit()
        assert claim_job(db, "w") is None
        assert sorted(fail_stale(db, stale_after=120)) == [dead, silent]
        for job_id in (dead, silent):
            job = db.get(CrawlJob, job_id)
            assert job.state == FAILED and "可继续采集" in job.message, job.message
        assert db.get(CrawlJob, alive).state == RUNNING  # pid 1 runs; its heartbeat is fresh
        assert claim_job(db, "w") is not None  # the seed of the dead worker's job is free


def test_stop_and_resume(catalog):
    lib, (a, b) = _library_with_seeds(catalog, 2)
    with catalog.session() as db:
        queued = queue_job(db, lib, [a])
        request_stop(db, queued)
        assert queued.state == STOPPED
        running = queue_job(db, lib, [b])
        running.state, running.job_dir = RUNNING, "/data/jobs/job-2"
        request_stop(db, running)
        assert running.state == RUNNING and running.stop_requested
        running.state = STOPPED
        resume_job(db, running)
        assert running.state == QUEUED and running.resume and not running.stop_requested
        with pytest.raises(JobError):
            resume_job(db, running)
        running.state = FINISHED
        with pytest.raises(JobError):
            request_stop(db, running)


def test_a_claim_waits_for_a_claim_of_the_same_seed_under_way(catalog):
    """Deterministic form of the race: the first claim has run its UPDATE but not yet
    committed when a second worker claims another job of the same seed."""
    lib, (seed,) = _library_with_seeds(catalog, 1)
    with catalog.session() as db:
        older = queue_job(db, lib, [seed]).id
        newer = queue_job(db, lib, [seed]).id
    holder = catalog.session_factory()
    assert _claim(holder, newer, "w1", utcnow())  # not committed; the older job is free
    found: list = []

    def second_worker() -> None:
        session = catalog.session_factory()
        try:
            job = claim_job(session, "w2")
            found.append(job.id if job else None)
        finally:
            session.close()

    thread = threading.Thread(target=second_worker)
    thread.start()
    thread.join(timeout=3)  # it waits for the first claim's lock (or has taken a job)
    holder.commit()
    holder.close()
    thread.join(timeout=60)
    assert found == [None]
    with catalog.session() as db:
        assert db.get(CrawlJob, older).state == QUEUED


def test_the_jobs_list_reads_libraries_and_seeds_with_the_page_not_per_job(catalog):
    from sqlalchemy import event

    from diancang.accounts.visibility import Access
    from diancang.jobs.views import visible_jobs

    lib, seeds = _library_with_seeds(catalog, 12)
    rights = Access(frozenset([lib]), frozenset([lib]), frozenset())

    def statements_for_a_page_of(count: int) -> int:
        with catalog.session() as db:
            for seed_id in seeds[:count]:
                queue_job(db, lib, [seed_id])
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(catalog.engine, "before_cursor_execute", listener)
        try:
            with catalog.session() as db:
                for job in visible_jobs(db, rights, None, 1).jobs:  # what /jobs shows of each
                    _ = job.library.name, [link.seed.title for link in job.seeds]
        finally:
            event.remove(catalog.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements_for_a_page_of(2)
    assert statements_for_a_page_of(10) == few  # 12 jobs listed now, as many statements
