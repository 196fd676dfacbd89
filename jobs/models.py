"""A crawl job: the seeds it crawls, its state, its live progress and what it produced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diancang.accounts.models import Library
from diancang.catalog.models import Base
from diancang.registry.models import RegisteredSeed

QUEUED, RUNNING, FINISHED, FAILED, STOPPED = "queued", "running", "finished", "failed", "stopped"
STATES = (QUEUED, RUNNING, FINISHED, FAILED, STOPPED)
ACTIVE = (QUEUED, RUNNING)
STATE_NAMES = {
    QUEUED: "排队中",
    RUNNING: "运行中",
    FINISHED: "已完成",
    FAILED: "失败",
    STOPPED: "已停止",
}
MANUAL, SCHEDULED = "manual", "schedule"  # who queued it: a person, or the scheduler
CRAWL, PATCH = "crawl", "patch"  # a crawl of its seeds, or a patch crawl of a page's URLs
KIND_NAMES = {CRAWL: "采集", PATCH: "补采"}


class CrawlJob(Base):
    __tablename__ = "jobs_crawl_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("accounts_libraries.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    origin: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime | None] = mapped_column(DateTime)  # the schedule time it runs for
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    resume: Mapped[bool] = mapped_column(Boolean, default=False)  # continue its frontier
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(255))  # host:pid of the worker
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    # live progress, then the final figures
    pages: Mapped[int] = mapped_column(Integer, default=0)
    queued_urls: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    pages_per_minute: Mapped[float] = mapped_column(Float, default=0.0)
    job_dir: Mapped[str | None] = mapped_column(Text)
    report_path: Mapped[str | None] = mapped_column(Text)
    warcs: Mapped[list] = mapped_column(JSON, default=list)  # WARC file names
    message: Mapped[str | None] = mapped_column(Text)  # why it failed or stopped
    ingested_at: Mapped[datetime | None] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16), default=CRAWL)
    # a patch crawl: the review item whose page it patches, and the URLs it fetches
    patch_item_id: Mapped[int | None] = mapped_column(Integer)  # review_items.id
    patch_urls: Mapped[list] = mapped_column(JSON, default=list)

    library: Mapped[Library] = relationship()
    seeds: Mapped[list[JobSeed]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="JobSeed.id"
    )


class JobSeed(Base):
    __tablename__ = "jobs_job_seeds"
    __table_args__ = (UniqueConstraint("job_id", "seed_id", name="uq_job_seed"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs_crawl_jobs.id"), index=True)
    # None once the seed is deleted from the registry; seed_key still names it
    seed_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_seeds.id", ondelete="SET NULL"), index=True
    )
    seed_key: Mapped[str] = mapped_column(String(100))

    job: Mapped[CrawlJob] = relationship(back_populates="seeds")
    seed: Mapped[RegisteredSeed | None] = relationship()
