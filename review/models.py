"""QA runs and scores, review items, the audit log and provincial samples.

The audit log (``review_decisions``) is append-only: the database itself refuses UPDATE and
DELETE on it (triggers of migration 0006). QA scores are never overwritten either: each
run adds rows, and a review item points at its latest score.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diancang.accounts.models import Library
from diancang.catalog.models import Base, Capture, Record
from diancang.review.states import PENDING


class QaRun(Base):
    """One scoring pass over a job's HTML captures (all of them, or a random sample)."""

    __tablename__ = "review_qa_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs_crawl_jobs.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    population: Mapped[int] = mapped_column(Integer, default=0)  # HTML pages of the job
    sample_size: Mapped[int] = mapped_column(Integer, default=0)  # pages scored
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)  # a random sample
    pages_per_minute: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)  # why it failed, if it did


class QaScore(Base):
    """Replay of one capture compared with what was seen at capture time."""

    __tablename__ = "review_qa_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("review_qa_runs.id"), index=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("catalog_captures.id"), index=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    screenshot_match: Mapped[float | None] = mapped_column(Float)  # 0–1; None: no capture shot
    text_match: Mapped[float | None] = mapped_column(Float)  # 0–1
    # share of the replayed page's requests to the archive that it could answer (0–1)
    resource_match: Mapped[float | None] = mapped_column(Float)
    missing: Mapped[list] = mapped_column(JSON, default=list)  # URLs pywb could not find
    live_leaks: Mapped[list] = mapped_column(JSON, default=list)  # requests to the live web
    severity: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)  # why a match is None, or what failed
    # images under DATA_DIR/qa/ (relative paths), for the review page
    capture_image: Mapped[str | None] = mapped_column(Text)
    replay_image: Mapped[str | None] = mapped_column(Text)
    diff_image: Mapped[str | None] = mapped_column(Text)
    capture_text: Mapped[str | None] = mapped_column(Text)
    replay_text: Mapped[str | None] = mapped_column(Text)

    run: Mapped[QaRun] = relationship()


class ReviewItem(Base):
    """A captured HTML page awaiting (or past) a curator's decision."""

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("capture_id", name="uq_review_item_capture"),
        Index("ix_review_item_library_state", "library_id", "state", "job_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("catalog_captures.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_records.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs_crawl_jobs.id"), index=True)
    library_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_libraries.id"))
    seed: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # the latest QA score, copied for sorting the queue
    score_id: Mapped[int | None] = mapped_column(ForeignKey("review_qa_scores.id"))
    score: Mapped[float | None] = mapped_column(Float)  # the lowest of its matches
    severity: Mapped[str | None] = mapped_column(String(16))
    patch_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs_crawl_jobs.id"))

    capture: Mapped[Capture] = relationship()
    record: Mapped[Record | None] = relationship()
    library: Mapped[Library | None] = relationship()
    latest_score: Mapped[QaScore | None] = relationship()


class Decision(Base):
    """One line of the audit log: who decided what, when, why, and the state before."""

    __tablename__ = "review_decisions"
    __table_args__ = (Index("ix_review_decision_library_at", "library_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id"))
    username: Mapped[str] = mapped_column(String(64))  # kept even if the account goes
    role: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_libraries.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("catalog_captures.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_records.id"))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    state_before: Mapped[str] = mapped_column(String(16))
    state_after: Mapped[str] = mapped_column(String(16))
    published_before: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # patch job, URLs, sample


class AuditSample(Base):
    """抽检: a random sample of a library's approved items drawn by a provincial auditor."""

    __tablename__ = "review_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("accounts_libraries.id"), index=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    population: Mapped[int] = mapped_column(Integer)  # approved items it was drawn from
    size: Mapped[int] = mapped_column(Integer)

    library: Mapped[Library] = relationship()
    items: Mapped[list[AuditSampleItem]] = relationship(
        back_populates="sample", order_by="AuditSampleItem.id", cascade="all, delete-orphan"
    )


class AuditSampleItem(Base):
    __tablename__ = "review_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "item_id", name="uq_sample_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("review_samples.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    verdict: Mapped[str | None] = mapped_column(String(16))  # None, CONFIRM or SEND_BACK
    reason: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    sample: Mapped[AuditSample] = relationship(back_populates="items")
    item: Mapped[ReviewItem] = relationship()
