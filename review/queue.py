"""The review queue: a finished job's captured HTML pages become review items."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.catalog.models import Capture, WarcFile
from diancang.catalog.records_builder import utcnow
from diancang.jobs.models import CrawlJob
from diancang.media_types import HTML_TYPES
from diancang.review.models import ReviewItem


def page_captures(session: Session, job: CrawlJob) -> list[Capture]:
    """The job's HTML pages as captured (status 200 ``response`` records), in capture order.

    Revisits (unchanged since an earlier crawl) are not pages to review again."""
    if not job.warcs:
        return []
    return list(
        session.scalars(
            select(Capture)
            .join(WarcFile, Capture.warc_file_id == WarcFile.id)
            .where(
                WarcFile.name.in_(job.warcs),
                Capture.warc_type == "response",
                Capture.status == 200,
                Capture.mime.in_(HTML_TYPES),
            )
            .order_by(Capture.id)
        )
    )


def enqueue_job(session: Session, job: CrawlJob) -> list[ReviewItem]:
    """Review items for the job's pages not queued yet; returns every item of the job."""
    captures = page_captures(session, job)
    known = {
        item.capture_id: item
        for item in session.scalars(
            select(ReviewItem).where(ReviewItem.capture_id.in_([c.id for c in captures]))
        )
    }
    now = utcnow()
    items = []
    for capture in captures:
        item = known.get(capture.id)
        if item is None:
            item = ReviewItem(
                capture_id=capture.id,
                record_id=_record_of(capture),
                job_id=job.id,
                library_id=job.library_id,
                seed=capture.seed,
                created_at=now,
                updated_at=now,
            )
            session.add(item)
        items.append(item)
    session.flush()
    return items


def _record_of(capture: Capture) -> int | None:
    """A document page decides its document's record; a website's record is decided on its
    front page (the seed URL), not on every page of the site."""
    if capture.record_id is not None:
        return capture.record_id
    if capture.site_record_id is not None and capture.url == capture.warc_file.seed_url:
        return capture.site_record_id
    return None
