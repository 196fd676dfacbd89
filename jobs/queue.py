"""The job queue in the catalogue database: queue, claim, stop, resume, run again.

A worker claims a queued job with one conditional UPDATE (``… WHERE state = 'queued' AND no
running job shares a seed``), so two workers never take one job and two crawls of one seed
never run at once. SQLite runs that statement under its write lock; PostgreSQL first locks
the job's seed rows (``SELECT … FOR UPDATE``), so a second worker claiming another job of the
same seed waits, then sees the first one running. A job whose seeds overlap a running job's
stays queued until that job ends.

A running job whose worker died (its process is gone on this host, or its heartbeat is older
than ``worker_stale_after``) is marked failed, which frees its seeds.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from diancang.jobs.models import (
    FAILED,
    MANUAL,
    PATCH,
    QUEUED,
    RUNNING,
    STOPPED,
    CrawlJob,
    JobSeed,
)
from diancang.registry.models import RegisteredSeed

CANDIDATES = 50  # queued jobs a worker looks at per claim, oldest first


class JobError(Exception):
    """A job that cannot be queued or changed; ``message`` is zh-CN, fit for a page."""

    def __init__(self, message: str, field: str = "seeds"):
        super().__init__(message)
        self.message = message
        self.field = field


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def worker_name() -> str:
    """``host:pid`` of this process, as a job's ``worker`` column holds it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def queue_job(
    db: Session,
    library_id: int,
    seed_ids: list[int],
    origin: str = MANUAL,
    created_by: int | None = None,
    due_at: datetime | None = None,
) -> CrawlJob:
    """A queued job of ``library_id`` crawling ``seed_ids`` (flushed, not committed); sets
    each seed's ``last_job_id``. JobError when a seed is unknown or of another library."""
    wanted = list(dict.fromkeys(seed_ids))
    if not wanted:
        raise JobError("请选择至少一个种子站点")
    found = {
        seed.id: seed
        for seed in db.scalars(select(RegisteredSeed).where(RegisteredSeed.id.in_(wanted)))
    }
    for seed_id in wanted:
        seed = found.get(seed_id)
        if seed is None:
            raise JobError(f"种子站点 {seed_id} 不存在")
        if seed.library_id != library_id:
            raise JobError(f"种子站点 {seed_id}（{seed.title}）不属于本馆")
    job = CrawlJob(
        library_id=library_id,
        state=QUEUED,
        origin=origin,
        due_at=due_at,
        created_by=created_by,
        created_at=utcnow(),
        warcs=[],
        seeds=[JobSeed(seed_id=seed_id, seed_key=found[seed_id].seed_key) for seed_id in wanted],
    )
    db.add(job)
    db.flush()
    for seed_id in wanted:
        found[seed_id].last_job_id = job.id
    return job


def queue_patch(
    db: Session,
    library_id: int,
    seed_key: str,
    item_id: int,
    urls: list[str],
    created_by: int | None = None,
) -> CrawlJob:
    """A queued patch crawl of ``urls`` for review item ``item_id``: the URLs are fetched
    into the collection of the seed ``seed_key`` (flushed, not committed)."""
    wanted = list(dict.fromkeys(url.strip() for url in urls if url and url.strip()))
    if not wanted:
        raise JobError("请至少给出一个要补采的网址", field="urls")
    for url in wanted:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise JobError(f"不是有效的网址：{url}", field="urls")
    seed = db.scalar(select(RegisteredSeed).where(RegisteredSeed.seed_key == seed_key))
    job = CrawlJob(
        library_id=library_id,
        state=QUEUED,
        origin=MANUAL,
        kind=PATCH,
        created_by=created_by,
        created_at=utcnow(),
        warcs=[],
        patch_item_id=item_id,
        patch_urls=wanted,
        seeds=[JobSeed(seed_id=seed.id if seed else None, seed_key=seed_key)],
    )
    db.add(job)
    db.flush()
    return job


def request_stop(db: Session, job: CrawlJob) -> None:
    """Ask the job's worker to stop its crawl (what was captured is kept); a job still
    queued is stopped at once. JobError when it has ended already."""
    if job.state == QUEUED:
        job.state, job.finished_at, job.message = STOPPED, utcnow(), "开始前已停止"
    elif job.state == RUNNING:
        job.stop_requested = True
    else:
        raise JobError("任务已结束，无需停止", field="state")


def resume_job(db: Session, job: CrawlJob) -> None:
    """Queue a stopped or failed job again, to continue its crawl where it ended."""
    if job.state not in (STOPPED, FAILED):
        raise JobError("只有已停止或失败的任务可以继续采集", field="state")
    job.state, job.stop_requested, job.message = QUEUED, False, None
    job.resume = job.job_dir is not None  # it started: its frontier is there to continue
    job.worker, job.finished_at = None, None
    for link in job.seeds:
        if link.seed is not None:
            link.seed.last_job_id = job.id


def rerun_job(db: Session, job: CrawlJob, created_by: int | None = None) -> CrawlJob:
    """A new job crawling the same seeds again (those still registered); a patch job's
    rerun is a patch of the same URLs."""
    if job.kind == PATCH:
        seed_key = job.seeds[0].seed_key
        return queue_patch(
            db, job.library_id, seed_key, job.patch_item_id, job.patch_urls, created_by
        )
    seed_ids = [link.seed_id for link in job.seeds if link.seed_id is not None]
    if not seed_ids:
        raise JobError("任务的种子站点均已删除，无法重新采集")
    return queue_job(db, job.library_id, seed_ids, MANUAL, created_by)


def claim_job(db: Session, worker: str, now: datetime | None = None) -> CrawlJob | None:
    """Take the oldest queued job whose seeds no running job crawls, for ``worker``; commits.

    None when there is none."""
    now = now or utcnow()
    candidates = list(
        db.scalars(
            select(CrawlJob.id)
            .where(CrawlJob.state == QUEUED)
            .order_by(CrawlJob.created_at, CrawlJob.id)
            .limit(CANDIDATES)
        )
    )
    db.rollback()  # end the read: each claim below is a transaction of its own
    for job_id in candidates:
        if _claim(db, job_id, worker, now):
            db.commit()
            return db.get(CrawlJob, job_id)
        db.rollback()
    return None


def _claim(db: Session, job_id: int, worker: str, now: datetime) -> bool:
    seed_keys = select(JobSeed.seed_key).where(JobSeed.job_id == job_id)
    seed_ids = select(JobSeed.seed_id).where(JobSeed.job_id == job_id)
    # PostgreSQL: wait for a claim of the same seeds under way (SQLite renders no FOR UPDATE)
    db.execute(
        select(RegisteredSeed.id)
        .where(RegisteredSeed.id.in_(seed_ids))
        .order_by(RegisteredSeed.id)
        .with_for_update()
    ).all()
    other_seed, other_job = aliased(JobSeed), aliased(CrawlJob)
    seed_busy = (
        select(other_seed.id)
        .join(other_job, other_job.id == other_seed.job_id)
        .where(other_job.state == RUNNING, other_seed.seed_key.in_(seed_keys))
        .exists()
    )
    claimed = db.execute(
        update(CrawlJob)
        .where(CrawlJob.id == job_id, CrawlJob.state == QUEUED, ~seed_busy)
        .values(
            state=RUNNING,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            stop_requested=False,
        )
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def fail_stale(db: Session, stale_after: float, now: datetime | None = None) -> list[int]:
    """Mark failed every running job whose worker is gone: its process no longer runs on this
    host, or its heartbeat is older than ``stale_after`` seconds. Commits; the ids."""
    now = now or utcnow()
    host = socket.gethostname()
    silent_since = now - timedelta(seconds=stale_after)
    failed = []
    for job in list(db.scalars(select(CrawlJob).where(CrawlJob.state == RUNNING))):
        worker_host, _, pid = (job.worker or "").rpartition(":")
        if worker_host == host and pid.isdigit() and not _process_exists(int(pid)):
            why = "工作进程已退出"
        elif job.heartbeat_at is None or job.heartbeat_at < silent_since:
            why = f"工作进程超过 {stale_after:g} 秒无响应"
        else:
            continue
        ended = db.execute(
            update(CrawlJob)
            .where(CrawlJob.id == job.id, CrawlJob.state == RUNNING, CrawlJob.worker == job.worker)
            .values(
                state=FAILED,
                finished_at=now,
                message=f"{why}（{job.worker}），采集中断；已采集的内容保留，可继续采集",
            )
            .execution_options(synchronize_session=False)
        )
        if ended.rowcount == 1:
            failed.append(job.id)
    db.commit()
    return failed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True
