"""What the review pages and the review API share: the queue a user sees, one item with its
QA evidence, the item and the record as JSON, and the decisions they take.

Who sees what is ``accounts.visibility.access``: an item of a library the user does not see
is 404 (its existence is not shown); who decides is ``review.decisions.decide`` alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from urllib.parse import urlencode

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from diancang.accounts.visibility import Access
from diancang.catalog.export import COLUMNS
from diancang.catalog.models import Capture, Record
from diancang.catalog.records_builder import commit_with_datestamps
from diancang.jobs.models import CrawlJob
from diancang.jobs.queue import queue_patch
from diancang.pywb_collections import replay_url
from diancang.replay.qa.text import normalise_text
from diancang.review.decisions import (
    NOT_YOUR_LIBRARY,
    NotAllowed,
    ReviewError,
    decide,
    may_decide,
    may_decide_for,
)
from diancang.review.models import Decision, QaScore, ReviewItem
from diancang.review.states import APPROVE, PATCH, PENDING, SEVERITY_NAMES, STATES

PER_PAGE = 50
JOB_CHOICES = 200  # the newest jobs the job filter offers
STAFF_REPLAY_PATH = "/staff-replay"  # the console route that hands a frame to staff replay
ASCENDING, DESCENDING = "asc", "desc"  # by score: worst first, or best first
# the record fields a curator checks, with the labels the catalogue's export gives them
RECORD_FIELDS = tuple(
    (name, label)
    for name, label in COLUMNS
    if name
    not in ("id", "replay_url", "captures", "attachments", "deleted", "review_state", "published")
) + (("site_name", "网站名称"), ("body", "正文"))
QA_IMAGES = {"capture": "capture_image", "replay": "replay_image", "diff": "diff_image"}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_COMPARED_PARTS = 3000  # sentences of each text the comparison looks at (bounded time)
THRESHOLD_ERROR = "阈值应为 0 到 1 之间的数字"
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;]) ?")


class Refused(Exception):
    """A request the review pages answer with ``status`` and a zh-CN ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = PENDING  # None: every state
    job: int | None = None
    severity: str | None = None
    order: str = ASCENDING
    page: int = 1

    @classmethod
    def of(cls, args, default_state: str | None) -> QueueFilter:
        """The filter of a query string; unknown values fall back to the defaults."""
        state = args.get("state", default_state)
        job, page = args.get("job", ""), args.get("page", "")
        return cls(
            state=state if state in STATES else None,
            job=int(job) if job.isdigit() else None,
            severity=args.get("severity") if args.get("severity") in SEVERITY_NAMES else None,
            order=DESCENDING if args.get("order") == DESCENDING else ASCENDING,
            page=int(page) if page.isdigit() and int(page) > 0 else 1,
        )

    def args(self, **changes) -> dict:
        """The query string of this filter with ``changes`` (for links)."""
        values = {
            "state": self.state or "all",
            "job": self.job,
            "severity": self.severity,
            "order": self.order,
            "page": self.page,
        }
        values.update(changes)
        return {name: value for name, value in values.items() if value is not None}


@dataclass
class Group:
    job_id: int | None
    seed: str | None
    items: list[ReviewItem]


@dataclass
class QueuePage:
    groups: list[Group]
    total: int
    page: int
    pages: int
    jobs: list[int]  # the newest jobs with items the user sees, for the job filter

    @property
    def items(self) -> list[ReviewItem]:
        return [item for group in self.groups for item in group.items]


def review_queue(db: Session, rights: Access, wanted: QueueFilter) -> QueuePage:
    """The items of the libraries the user sees, by job (newest first) and seed, each group
    sorted by score (unscored pages last), ``PER_PAGE`` a page."""
    where = [ReviewItem.library_id.in_(rights.see)]
    jobs = list(
        db.scalars(
            select(ReviewItem.job_id)
            .where(*where, ReviewItem.job_id.is_not(None))
            .distinct()
            .order_by(ReviewItem.job_id.desc())
            .limit(JOB_CHOICES)
        )
    )
    if wanted.state:
        where.append(ReviewItem.state == wanted.state)
    if wanted.job is not None:
        where.append(ReviewItem.job_id == wanted.job)
    if wanted.severity:
        where.append(ReviewItem.severity == wanted.severity)
    total = db.scalar(select(func.count(ReviewItem.id)).where(*where)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(wanted.page, pages)
    score = ReviewItem.score.asc() if wanted.order == ASCENDING else ReviewItem.score.desc()
    items = db.scalars(
        select(ReviewItem)
        .where(*where)
        .options(joinedload(ReviewItem.capture), joinedload(ReviewItem.library))
        .order_by(
            ReviewItem.job_id.desc().nulls_last(),
            ReviewItem.seed.asc().nulls_last(),
            score.nulls_last(),
            ReviewItem.id,
        )
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    groups = [
        Group(job_id, seed, list(members))
        for (job_id, seed), members in groupby(items, key=lambda i: (i.job_id, i.seed))
    ]
    return QueuePage(groups, total, page, pages, jobs)


def item_for(db: Session, rights: Access, capture_id: int) -> ReviewItem:
    """The review item of capture ``capture_id``; 404 when there is none or the user does
    not see its library."""
    item = db.scalar(select(ReviewItem).where(ReviewItem.capture_id == capture_id))
    if item is None or not rights.can_see(item.library_id):
        abort(404)
    return item


def staff_frame_src(capture: Capture) -> str:
    """The console route that shows ``capture`` in staff replay (access rules lifted)."""
    target = replay_url(
        "", capture.collection, capture.jurisdiction, capture.captured_at, capture.url
    )
    return f"{STAFF_REPLAY_PATH}?{urlencode({'target': target})}"


def qa_image(qa_root: Path, score: QaScore | None, which: str) -> tuple[Path, str] | None:
    """The file and media type of one of ``score``'s images, if it lies under ``qa_root``
    (a stored path that climbs out of it, or names no image, is refused)."""
    relative = getattr(score, QA_IMAGES[which], None) if score is not None else None
    if not relative:
        return None
    root = qa_root.resolve()
    path = (root / relative).resolve()
    media_type = IMAGE_TYPES.get(path.suffix.lower())
    if not path.is_relative_to(root) or media_type is None or not path.is_file():
        return None
    return path, media_type


def text_comparison(captured: str | None, replayed: str | None) -> list[tuple[str, str, str]]:
    """(tag, capture text, replay text) runs, sentence by sentence: ``equal``, ``delete``
    (only at capture time), ``insert`` (only in replay) or ``replace``."""
    old, new = _sentences(captured), _sentences(replayed)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        (tag, "".join(old[i1:i2]), "".join(new[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def _sentences(text: str | None) -> list[str]:
    # the text as QA's score compares it, so what is marked equal is what scored as equal
    parts = [p for p in _SENTENCE_END.split(normalise_text(text or "")) if p]
    return parts[:MAX_COMPARED_PARTS]


def history(db: Session, item: ReviewItem) -> list[Decision]:
    """The item's audit lines, oldest first."""
    return list(
        db.scalars(
            select(Decision).where(Decision.item_id == item.id).order_by(Decision.at, Decision.id)
        )
    )


def scores(db: Session, item: ReviewItem) -> list[QaScore]:
    """Every QA score of the item's capture, newest first (scores are never overwritten)."""
    return list(
        db.scalars(
            select(QaScore)
            .where(QaScore.capture_id == item.capture_id)
            .order_by(QaScore.computed_at.desc(), QaScore.id.desc())
        )
    )


def record_json(record: Record | None) -> dict | None:
    if record is None:
        return None
    value = {"id": record.id, "kind": record.kind}
    value.update({name: getattr(record, name) for name, _label in RECORD_FIELDS})
    value.update(
        review_state=record.review_state,
        published=record.published,
        withdrawn=record.deleted,
        provenance=dict(record.provenance or {}),
    )
    return value


def qa_json(score: QaScore | None) -> dict:
    if score is None:
        return {
            "screenshot_match": None,
            "text_match": None,
            "missing": [],
            "live_leaks": [],
            "severity": None,
        }
    return {
        "screenshot_match": score.screenshot_match,
        "text_match": score.text_match,
        "missing": list(score.missing or []),
        "live_leaks": list(score.live_leaks or []),
        "severity": score.severity,
    }


def item_json(item: ReviewItem) -> dict:
    """The issue's shape: ``{"id", "url", "state", "record", "qa"}``; id is the capture's."""
    return {
        "id": item.capture_id,
        "url": item.capture.url,
        "state": item.state,
        "record": record_json(item.record),
        "qa": qa_json(item.latest_score),
    }


def summary_json(item: ReviewItem) -> dict:
    """An item as the queue lists it."""
    return {
        "id": item.capture_id,
        "url": item.capture.url,
        "state": item.state,
        "job": item.job_id,
        "seed": item.seed,
        "library": item.library.name if item.library else None,
        "score": item.score,
        "severity": item.severity,
        "patch_job": item.patch_job_id,
    }


def take_decision(
    db: Session,
    item: ReviewItem,
    user,
    action: str,
    reasons: tuple[str, ...],
    reason: str | None = None,
    comment: str | None = None,
    urls: list[str] | None = None,
) -> CrawlJob | None:
    """``action`` on ``item`` through ``decide``, committed with the records' datestamps;
    a patch queues its crawl first and returns it. ``ReviewError`` / ``NotAllowed`` (and
    ``JobError`` for a patch's URLs) leave nothing changed."""
    job = None
    if action == PATCH:
        if not may_decide(user, item):
            raise NotAllowed(NOT_YOUR_LIBRARY)
        seed_key = item.seed or item.capture.warc_file.seed
        if not seed_key:
            raise ReviewError("无法确定此页面的种子站点，不能补采")
        job = queue_patch(db, item.library_id, seed_key, item.id, urls or [], user.id)
        item.patch_job_id = job.id
        decide(
            db, item, user, PATCH, comment=comment, detail={"job": job.id, "urls": job.patch_urls}
        )
    else:
        decide(db, item, user, action, reason=reason or None, comment=comment, reasons=reasons)
    commit_with_datestamps(db)
    return job


def bulk_approve(
    db: Session, rights: Access, user, job_id: int, threshold: float
) -> list[ReviewItem]:
    """Approve every pending item of job ``job_id`` whose score is at least ``threshold``,
    one audit line each; committed. 404 for a job the user does not see; ``NotAllowed``
    when they may not decide for its library; ``ReviewError`` for a threshold outside 0–1."""
    job = db.get(CrawlJob, job_id)
    if job is None or not rights.can_see(job.library_id):
        abort(404)
    if not may_decide_for(user, job.library_id):
        raise NotAllowed(NOT_YOUR_LIBRARY)
    if not 0 <= threshold <= 1:  # NaN too
        raise ReviewError(THRESHOLD_ERROR)
    items = list(
        db.scalars(
            select(ReviewItem)
            .where(
                ReviewItem.job_id == job_id,
                ReviewItem.state == PENDING,
                ReviewItem.score >= threshold,
            )
            .order_by(ReviewItem.id)
        )
    )
    for item in items:
        decide(db, item, user, APPROVE, comment=f"批量通过（分数 ≥ {threshold:g}）")
    commit_with_datestamps(db)
    return items


def parse_threshold(value) -> float:
    """A bulk approval's threshold from a form or JSON value; ``ReviewError`` if it is none."""
    if isinstance(value, bool):
        raise ReviewError(THRESHOLD_ERROR)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ReviewError(THRESHOLD_ERROR) from None
