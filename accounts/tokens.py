"""Personal API tokens: 32 random bytes shown once; only their SHA-256 is stored.

A token of 256 random bits needs no slow hash: nobody can guess it from its digest, and
the digest is looked up by its unique index.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.accounts.models import ApiToken, User

PREFIX = "dc_"  # tells a Diancang token apart when it turns up in a log or a paste
MAX_LENGTH = 128


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """A new token for ``user``; the caller shows it once, it is never kept."""
    token = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC).replace(tzinfo=None)
    session.add(ApiToken(user_id=user.id, digest=digest_of(token), created_at=now))
    session.flush()
    return token


def user_of_token(session: Session, token: str) -> User | None:
    """The active user holding ``token``, or None."""
    if not token.startswith(PREFIX) or len(token) > MAX_LENGTH:
        return None
    user = session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.digest == digest_of(token))
    )
    return user if user is not None and user.active else None
