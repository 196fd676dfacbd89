"""The review figures of a library's 质检报告, each one rule:

- **pages**: the library's review items (captured HTML pages of its jobs) queued in the year.
- **reviewed / approved / rejected**: those pages by their state now (reviewed: not pending).
- **rejected by reason**: each rejected page counted once, under the reason of the decision
  that rejected it (the latest reject or send-back).
- **patched**: pages with at least one patch decision.
- **QA sample coverage**: of the pages of the library's jobs that QA ran on (the latest run of
  each job), the share it scored (``review_qa_runs``: sample size ÷ population).
- **QA error rate**: of the scored pages that a curator has decided, the share rejected
  (pages still pending say nothing yet, so they are not counted).
- **抽检 error rate**: of the sampled items an auditor has decided, the share sent back;
  given for the samples drawn from this library, and for a provincial library also for the
  samples its auditors drew from the libraries under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from diancang.accounts.models import Library, User
from diancang.review.models import AuditSample, AuditSampleItem, Decision, QaRun, ReviewItem
from diancang.review.states import APPROVED, PATCH, PENDING, REJECT, REJECTED, SEND_BACK


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent (one decimal), None when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class SampleFigures:
    """抽检 of one library: samples drawn, items, decided, sent back."""

    library: str
    samples: int = 0
    items: int = 0
    decided: int = 0
    sent_back: int = 0

    @property
    def error_rate(self) -> float | None:
        return share(self.sent_back, self.decided)


@dataclass
class ReviewFigures:
    pages: int = 0
    approved: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    patched: int = 0
    qa_population: int = 0
    qa_scored: int = 0
    qa_decided: int = 0
    qa_rejected: int = 0
    sampled: SampleFigures | None = None  # samples drawn from this library
    drawn: list[SampleFigures] = field(default_factory=list)  # by its auditors, per library

    @property
    def reviewed(self) -> int:
        return self.approved + self.rejected

    @property
    def qa_coverage(self) -> float | None:
        return share(self.qa_scored, self.qa_population)

    @property
    def qa_error_rate(self) -> float | None:
        return share(self.qa_rejected, self.qa_decided)

    def percent(self, count: int) -> float | None:
        return share(count, self.pages)


def review_figures(db: Session, library: Library, year: int) -> ReviewFigures:
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    items = [
        ReviewItem.library_id == library.id,
        ReviewItem.created_at >= start,
        ReviewItem.created_at < end,
    ]
    found = ReviewFigures()
    states = dict(
        db.execute(
            select(ReviewItem.state, func.count()).where(*items).group_by(ReviewItem.state)
        ).all()
    )
    found.pages = sum(states.values())
    found.approved, found.rejected = states.get(APPROVED, 0), states.get(REJECTED, 0)
    latest_reject = (
        select(func.max(Decision.id))
        .where(Decision.action.in_((REJECT, SEND_BACK)))
        .group_by(Decision.item_id)
    )
    found.rejected_by_reason = dict(
        db.execute(
            select(Decision.reason, func.count())
            .join(ReviewItem, ReviewItem.id == Decision.item_id)
            .where(*items, ReviewItem.state == REJECTED, Decision.id.in_(latest_reject))
            .group_by(Decision.reason)
        ).all()
    )
    patched = select(Decision.item_id).where(Decision.action == PATCH)
    found.patched = db.scalar(select(func.count()).where(*items, ReviewItem.id.in_(patched)))
    latest_run = (
        select(func.max(QaRun.id))
        .where(
            QaRun.job_id.in_(select(ReviewItem.job_id).where(*items)),
            QaRun.finished_at.is_not(None),
        )
        .group_by(QaRun.job_id)
    )
    population, scored = db.execute(
        select(func.sum(QaRun.population), func.sum(QaRun.sample_size)).where(
            QaRun.id.in_(latest_run)
        )
    ).one()
    found.qa_population, found.qa_scored = population or 0, scored or 0
    scored_states = dict(
        db.execute(
            select(ReviewItem.state, func.count())
            .where(*items, ReviewItem.score_id.is_not(None), ReviewItem.state != PENDING)
            .group_by(ReviewItem.state)
        ).all()
    )
    found.qa_decided = sum(scored_states.values())
    found.qa_rejected = scored_states.get(REJECTED, 0)
    samples = [AuditSample.created_at >= start, AuditSample.created_at < end]
    own = _sample_figures(db, [*samples, AuditSample.library_id == library.id])
    found.sampled = own.get(library.id) or SampleFigures(library.name)
    drawn_by = select(User.id).where(User.library_id == library.id)
    found.drawn = sorted(
        _sample_figures(db, [*samples, AuditSample.auditor_id.in_(drawn_by)]).values(),
        key=lambda s: s.library,
    )
    return found


def _sample_figures(db: Session, where: list) -> dict[int, SampleFigures]:
    """Per sampled library: samples, items, decided and sent back of the samples ``where``
    selects."""
    decided = func.count(AuditSampleItem.verdict)
    sent_back = func.sum(case((AuditSampleItem.verdict == SEND_BACK, 1), else_=0))
    rows = db.execute(
        select(
            AuditSample.library_id,
            Library.name,
            func.count(func.distinct(AuditSample.id)),
            func.count(AuditSampleItem.id),
            decided,
            sent_back,
        )
        .join(Library, Library.id == AuditSample.library_id)
        .outerjoin(AuditSampleItem, AuditSampleItem.sample_id == AuditSample.id)
        .where(*where)
        .group_by(AuditSample.library_id, Library.name)
    )
    return {
        library_id: SampleFigures(name, samples, items, decided or 0, int(back or 0))
        for library_id, name, samples, items, decided, back in rows
    }
