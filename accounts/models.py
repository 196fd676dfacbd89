"""Libraries, console accounts and personal API tokens, in the catalogue database.

The tables live beside the catalogue's (one database, one Alembic history: migration 0002)
and share its declarative ``Base``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diancang.catalog.models import Base

PROVINCE, CITY, COUNTY = "province", "city", "county"
LEVELS = (PROVINCE, CITY, COUNTY)
LEVEL_NAMES = {PROVINCE: "省级", CITY: "市级", COUNTY: "县级"}

# Yearly catalogue targets of the national programme: >= 24,000 government-information
# records for a provincial library, >= 12,000 for a city library. The programme sets none
# for county libraries; 6,000 (half a city's) is Diancang's default. Each library's own
# target is stored on it and can be changed.
RECORDS_TARGETS = {PROVINCE: 24_000, CITY: 12_000, COUNTY: 6_000}
WEBSITES_TARGET = 100  # websites preserved a year (网事典藏), every level

ADMIN, LIBRARIAN, CURATOR, AUDITOR = "admin", "librarian", "curator", "auditor"
ROLES = (ADMIN, LIBRARIAN, CURATOR, AUDITOR)
ROLE_NAMES = {ADMIN: "系统管理员", LIBRARIAN: "馆员", CURATOR: "审核员", AUDITOR: "督导员"}


class Library(Base):
    """A provincial, city or county library and the jurisdiction it collects."""

    __tablename__ = "accounts_libraries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    level: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_libraries.id"), index=True)
    records_target: Mapped[int] = mapped_column(Integer)
    websites_target: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    parent: Mapped[Library | None] = relationship(remote_side=[id])


class User(Base):
    """A console account. ``password_hash`` is an argon2id hash, never the password."""

    __tablename__ = "accounts_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_libraries.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    library: Mapped[Library | None] = relationship()


class ApiToken(Base):
    """A personal API token: only the SHA-256 of the token is kept."""

    __tablename__ = "accounts_api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """Failed logins in a row for one user name or one client address (accounts.throttle).

    In the database, not in a process: every console worker and server counts together.
    ``last_at`` is wall-clock seconds since the epoch of the latest failure.
    """

    __tablename__ = "accounts_login_failures"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_login_failure_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float, index=True)
