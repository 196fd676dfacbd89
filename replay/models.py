"""Access rules of replay, by URL prefix, applied through pywb's access-control files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from diancang.catalog.models import Base

ALLOW, BLOCK, EXCLUDE = "allow", "block", "exclude"  # pywb's own access words
ACCESS = (ALLOW, BLOCK, EXCLUDE)
ACCESS_NAMES = {ALLOW: "允许", BLOCK: "屏蔽", EXCLUDE: "排除"}


class AccessRule(Base):
    """A rule of one URL prefix: allow, block (451) or exclude (as if not archived), or an
    embargo (blocked until a date, or for a number of days after capture)."""

    __tablename__ = "replay_access_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_libraries.id"), index=True
    )  # None: a rule of every collection (admins only)
    url_prefix: Mapped[str] = mapped_column(Text)
    access: Mapped[str] = mapped_column(String(16))
    embargo_until: Mapped[date | None] = mapped_column(Date)
    embargo_days: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
