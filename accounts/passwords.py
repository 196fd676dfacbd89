"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's second choice)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from diancang.accounts.errors import AccountError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # bounds the work one login attempt can ask for

_hasher = PasswordHasher()
# Verified when the user name is unknown, so that answering takes as long either way.
_UNKNOWN_USER_HASH = _hasher.hash("no such user: this hash only spends the same time")


def check_password_rules(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise AccountError(
            "password",
            f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters",
            f"密码应为 {MIN_LENGTH} 至 {MAX_LENGTH} 个字符",
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; ``None`` (no such user) spends the time and is False."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _UNKNOWN_USER_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
