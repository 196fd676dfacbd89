"""Console accounts: a role, a library for every role but admin, a hashed password."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from diancang.accounts.errors import AccountError
from diancang.accounts.libraries import find_library
from diancang.accounts.models import (
    ADMIN,
    AUDITOR,
    PROVINCE,
    ROLES,
    User,
)
from diancang.accounts.passwords import (
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)
from diancang.catalog.db import Catalog

USERNAME = re.compile(r"[\w.@-]{1,64}")  # letters of any script, digits, _ . @ -


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip()))


def add_user(
    session: Session, username: str, role: str, password: str, library: str | None = None
) -> User:
    """Create an account; an ``AccountError`` names the first input at fault."""
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "username",
            "a user name has 1 to 64 letters, digits or . _ @ -",
            "用户名应为 1 至 64 个字母、数字或 . _ @ -",
        )
    if find_user(session, username) is not None:
        raise AccountError("username", f"user {username!r} exists", f"用户名“{username}”已存在")
    if role not in ROLES:
        raise AccountError(
            "role", f"unknown role {role!r}; expected one of {', '.join(ROLES)}", "角色无效"
        )
    home = None
    if role == ADMIN:
        if library:
            raise AccountError(
                "library", "an admin belongs to no library", "系统管理员不属于任何图书馆"
            )
    else:
        if not library:
            raise AccountError(
                "library", f"a {role} needs a library (--library NAME)", "请选择所属图书馆"
            )
        home = find_library(session, library)
        if home is None:
            raise AccountError(
                "library", f"no library is named {library!r}", f"没有名为“{library}”的图书馆"
            )
        if role == AUDITOR and home.level != PROVINCE:
            raise AccountError(
                "library",
                f"an auditor belongs to a provincial library; {home.name} is a {home.level} one",
                "督导员只能属于省级图书馆",
            )
    check_password_rules(password)
    user = User(
        username=username,
        role=role,
        library=home,
        password_hash=hash_password(password),
        active=True,
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(catalog: Catalog, username: str, password: str) -> User | None:
    """The active user with this name and password, its library loaded, or None (as slowly
    either way).

    No database connection is held while the password is checked: argon2 takes tens of
    milliseconds of a core, and fifty librarians logging in at once would otherwise hold
    every pooled connection through it and keep the pages of everyone else waiting. The
    account is read again afterwards; a password changed in between refuses the login.
    """
    stored = None
    if USERNAME.fullmatch(username.strip()):
        with catalog.session() as session:
            stored = session.scalar(
                select(User.password_hash).where(User.username == username.strip())
            )
    if not verify_password(stored, password):
        return None
    rehashed = hash_password(password) if needs_rehash(stored) else None
    with catalog.session() as session:
        user = session.scalar(
            select(User).where(User.username == username.strip()).options(joinedload(User.library))
        )
        if user is None or not user.active or user.password_hash != stored:
            return None
        if rehashed is not None:
            user.password_hash = rehashed
        return user
