"""A finished crawl job with captured pages, their records, QA scores and review items, made
straight in the catalogue database (the QA engine and the worker are other stages')."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from diancang.catalog.models import KIND_GOVINFO, Capture, Record, WarcFile
from diancang.jobs.models import FINISHED, MANUAL, CrawlJob, JobSeed
from diancang.review.models import QaRun, QaScore, ReviewItem
from diancang.review.queue import enqueue_job
from diancang.review.states import severity

CAPTURED_AT = datetime(2026, 11, 20, 8, 0, 0)
_numbers = itertools.count(1)


@dataclass
class Page:
    """One captured HTML page and what QA found on it (``scores=None``: not scored)."""

    url: str
    scores: tuple[float | None, float | None] | None = (1.0, 1.0)
    missing: list[str] = field(default_factory=list)
    live_leaks: list[str] = field(default_factory=list)
    seed: str = "sjz"
    record: bool = True
    published: bool = False
    images: dict[str, str] = field(default_factory=dict)  # capture/replay/diff → DATA_DIR/qa path
    capture_text: str = "第一条。第二条。"
    replay_text: str = "第一条。第二条。"


def finished_job(
    db: Session, library_id: int, pages: list[Page]
) -> tuple[CrawlJob, list[ReviewItem]]:
    """A finished job of ``library_id`` that captured ``pages``, queued for review and
    scored; its items in the order of ``pages``."""
    number = next(_numbers)
    now = datetime(2026, 11, 20, 9, 0, 0)
    warcs = {}
    for seed in dict.fromkeys(page.seed for page in pages):
        warcs[seed] = WarcFile(
            name=f"govinfo-130100-{number:06d}-{seed}.warc.gz",
            path=f"/nowhere/{number}-{seed}.warc.gz",
            size=1000,
            ingested_at=now,
            captures_count=len(pages),
            complete=True,
            collection="govinfo",
            jurisdiction="130100",
            seed=seed,
            seed_url=f"http://{seed}.example/",
        )
    db.add_all(warcs.values())
    db.flush()
    job = CrawlJob(
        library_id=library_id,
        state=FINISHED,
        origin=MANUAL,
        created_at=now,
        started_at=now,
        finished_at=now + timedelta(minutes=5),
        warcs=[warc.name for warc in warcs.values()],
        seeds=[JobSeed(seed_id=None, seed_key=seed) for seed in warcs],
    )
    db.add(job)
    db.flush()
    captures = []
    for offset, page in enumerate(pages):
        record = None
        if page.record:
            record = Record(
                kind=KIND_GOVINFO,
                datestamp=now,
                created_at=now,
                library_id=library_id,
                collection="govinfo",
                jurisdiction_code="130100",
                title=f"关于{page.url}的通知",
                index_no=f"130100-{number}-{offset}",
                agency="石家庄市人民政府办公室",
                pub_date="2026-11-01",
                source_url=page.url,
                review_state="approved" if page.published else "pending",
                published=page.published,
                provenance={"title": "label:名称", "agency": "label:发布机构"},
            )
            db.add(record)
            db.flush()
        capture = Capture(
            warc_file_id=warcs[page.seed].id,
            offset=offset * 1000,
            length=900,
            warc_type="response",
            url=page.url,
            url_hash=hashlib.sha1(page.url.encode()).hexdigest(),
            captured_at=CAPTURED_AT,
            status=200,
            mime="text/html",
            seed=page.seed,
            collection="govinfo",
            jurisdiction="130100",
            title=f"页面 {page.url}",
            replay_url="",
            record_id=record.id if record else None,
        )
        db.add(capture)
        captures.append(capture)
    db.flush()
    items = {item.capture_id: item for item in enqueue_job(db, job)}
    run = QaRun(job_id=job.id, started_at=now, finished_at=now, population=len(pages))
    db.add(run)
    db.flush()
    for page, capture in zip(pages, captures, strict=True):
        if page.scores is None:
            continue
        shot, text = page.scores
        score = QaScore(
            run_id=run.id,
            capture_id=capture.id,
            computed_at=now,
            screenshot_match=shot,
            text_match=text,
            missing=page.missing,
            live_leaks=page.live_leaks,
            severity=severity(shot, text),
            capture_image=page.images.get("capture"),
            replay_image=page.images.get("replay"),
            diff_image=page.images.get("diff"),
            capture_text=page.capture_text,
            replay_text=page.replay_text,
        )
        db.add(score)
        db.flush()
        item = items[capture.id]
        item.score_id, item.severity = score.id, score.severity
        item.score = min(s for s in (shot, text) if s is not None)
    db.flush()
    return job, [items[capture.id] for capture in captures]
