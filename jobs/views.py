"""What the jobs pages and the jobs API share: who may see or change a job, a job as JSON,
starting a job for a user, the list of visible jobs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, object_session, selectinload

from diancang.accounts.visibility import EDIT, Access
from diancang.jobs.after_crawl import read_report
from diancang.jobs.models import (
    KIND_NAMES,
    MANUAL,
    PATCH,
    STATE_NAMES,
    STATES,
    CrawlJob,
    JobSeed,
)
from diancang.jobs.patch import PatchTarget, patch_target
from diancang.jobs.queue import queue_job
from diancang.pywb_collections import replay_url
from diancang.registry.models import RegisteredSeed
from diancang.review.models import QaRun, QaScore

PER_PAGE = 50
REPORT_FIGURES = (
    "finish_reason", "elapsed_seconds", "responses", "by_status", "errors", "out_of_scope",
    "robots_blocked", "refused_addresses", "revisits", "warc_records", "frontier_pending",
    "stopped_by",
)  # fmt: skip


def job_for(db: Session, rights: Access, job_id: int, edit: bool = False) -> CrawlJob:
    """The job ``job_id`` if the user may see it (and with ``edit``, change it); else 404
    (no such job) or 403 (the app answers HTML, or JSON under /api)."""
    job = db.get(CrawlJob, job_id)
    if job is None:
        abort(404)
    if not rights.can_see(job.library_id) or (edit and not rights.can(EDIT, job.library_id)):
        abort(403)
    return job


def start_job(db: Session, rights: Access, user_id: int, seed_ids: list[int]) -> CrawlJob:
    """A job crawling ``seed_ids`` now, of their library: 403 when the user may not
    run that library's crawls; JobError when a seed is unknown or of another library."""
    seeds = {
        seed.id: seed
        for seed in db.scalars(select(RegisteredSeed).where(RegisteredSeed.id.in_(seed_ids)))
    }
    if any(not rights.can(EDIT, seed.library_id) for seed in seeds.values()):
        abort(403)
    first = next((seeds[i] for i in seed_ids if i in seeds), None)
    library_id = first.library_id if first is not None else 0  # 0: queue_job names the seed
    return queue_job(db, library_id, seed_ids, MANUAL, created_by=user_id)


@dataclass
class JobPage:
    jobs: list[CrawlJob]
    total: int
    page: int
    pages: int


def visible_jobs(db: Session, rights: Access, state: str | None, page: int) -> JobPage:
    """The jobs of the libraries the user sees, newest first, ``PER_PAGE`` a page."""
    where = [CrawlJob.library_id.in_(rights.see)]
    if state in STATES:
        where.append(CrawlJob.state == state)
    total = db.scalar(select(func.count(CrawlJob.id)).where(*where)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    jobs = db.scalars(
        select(CrawlJob)
        .where(*where)
        .options(  # what the list shows of each job, in two queries rather than two a job
            joinedload(CrawlJob.library),
            selectinload(CrawlJob.seeds).joinedload(JobSeed.seed),
        )
        .order_by(CrawlJob.created_at.desc(), CrawlJob.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return JobPage(list(jobs), total, page, pages)


def report_summary(job: CrawlJob) -> dict | None:
    report = read_report(Path(job.report_path) if job.report_path else None)
    if report is None:
        return None
    return {name: report.get(name) for name in REPORT_FIGURES}


def qa_progress(db: Session, job: CrawlJob) -> dict | None:
    """The job's latest QA run, which goes on after the job has ended: pages scored of the
    pages it scores, of the job's HTML pages; None before any run."""
    run = db.scalars(
        select(QaRun).where(QaRun.job_id == job.id).order_by(QaRun.id.desc()).limit(1)
    ).first()
    if run is None:
        return None
    return {
        "scored": db.scalar(select(func.count(QaScore.id)).where(QaScore.run_id == run.id)),
        "total": run.sample_size,
        "population": run.population,
        "finished": run.finished_at is not None,
        "message": run.message,
    }


def replay_links(job: CrawlJob, replay_base: str, target: PatchTarget | None = None) -> list[dict]:
    """A pywb link per seed of the job, at the time the job started (pywb shows the nearest
    capture); for a patch job, one per URL it patched, in the collection of its page."""
    if job.started_at is None or not job.warcs:
        return []
    if target is not None:
        return [
            {
                "seed": target.seed_key,
                "url": url,
                "replay": replay_url(
                    replay_base, target.collection, target.jurisdiction, job.started_at, url
                ),
            }
            for url in job.patch_urls
        ]
    links = []
    for link in job.seeds:
        seed = link.seed
        if seed is not None:
            url = replay_url(
                replay_base, seed.collection, seed.jurisdiction, job.started_at, seed.url
            )
            links.append({"seed": seed.seed_key, "url": seed.url, "replay": url})
    return links


def job_json(job: CrawlJob, replay_base: str, detail: bool = False) -> dict:
    """The job as the API returns it; ``detail`` adds its crawl report summary and its QA
    progress."""
    target = patch_target(object_session(job), job) if job.kind == PATCH else None
    value = {
        "id": job.id,
        "kind": job.kind,
        "kind_name": KIND_NAMES[job.kind],
        "patch_urls": list(job.patch_urls or []),
        "patch_capture_id": target.capture_id if target else None,
        "state": job.state,
        "state_name": STATE_NAMES[job.state],
        "pages": job.pages,
        "queued": job.queued_urls,
        "bytes": job.bytes,
        "errors": job.errors,
        "pages_per_minute": job.pages_per_minute,
        "warcs": list(job.warcs or []),
        "library": job.library.name,
        "seeds": [
            {
                "id": link.seed_id,
                "seed_key": link.seed_key,
                "url": link.seed.url if link.seed else None,
            }
            for link in job.seeds
        ],
        "origin": job.origin,
        "due_at": _iso(job.due_at),
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "resume": job.resume,
        "stop_requested": job.stop_requested,
        "message": job.message,
        "replay": replay_links(job, replay_base, target),
    }
    if detail:
        value["report"] = report_summary(job)
        value["qa"] = qa_progress(object_session(job), job)
    return value


def _iso(when) -> str | None:
    return when.isoformat() + "Z" if when is not None else None
