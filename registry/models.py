"""A registered seed: one row of a seed list, owned by a library.

``fields`` holds the seed-list row as its flat field names (``diancang.seeds.raw.FIELDS``)
and text values, exactly what a CSV export writes and an import reads; the columns beside it
are copies of the fields the registry lists, filters and schedules by. ``seed_key`` is the
seed id the crawler writes into every WARC record (``Capture.seed``), unique across all
libraries. ``url_key`` is the URL as compared for duplicates, within a library and across
libraries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diancang.accounts.models import Library
from diancang.catalog.models import Base


class RegisteredSeed(Base):
    __tablename__ = "registry_seeds"
    __table_args__ = (
        UniqueConstraint("library_id", "url_key", name="uq_registry_seed_library_url"),
        Index("ix_registry_seed_next_run", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("accounts_libraries.id"), index=True)
    seed_key: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(64), index=True)  # SHA-1 of the compared URL
    title: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    collection: Mapped[str] = mapped_column(String(16), index=True)
    schedule: Mapped[str | None] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # the scheduler's state (UTC): the next due time, and the due time last queued
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_job_id: Mapped[int | None] = mapped_column(Integer, index=True)

    library: Mapped[Library] = relationship()
