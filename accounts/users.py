"""Console accounts: a role, a library for every role but admin, a hashed password."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (as slowly either way)."""
    user = find_user(session, username) if USERNAME.fullmatch(username.strip()) else None
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
