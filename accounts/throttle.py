"""Failed logins slow down: an exponential lock-out window per user name and per address.

After ``free`` failed logins in a row for one key (a user name, or a client address), the
next attempt for that key is refused until ``base * 2**(failures - free)`` seconds after the
last failure, at most ``cap``. A refused attempt checks no password and counts no failure;
a successful login clears its user name's count (not its address's: one valid account must
not let an address guess others' passwords faster).

No request sleeps, so a flood of wrong passwords ties up no server threads. The counts live
in the catalogue database (``accounts_login_failures``), on wall-clock time: every gunicorn
worker of ``diancang serve``, and every console server, counts together. A count is
forgotten once ``forget_after`` seconds pass with no failure; each kind of key keeps at most
``max_keys`` rows, the least recently failed dropped first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from diancang.accounts.models import LoginFailure
from diancang.catalog.db import Catalog

USERNAME, ADDRESS = "username", "address"  # LoginFailure.kind


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before the first wait
    base: float = 30.0  # seconds of the first wait
    cap: float = 900.0  # longest wait
    forget_after: float = 86_400.0  # a key with no failure for this long starts afresh
    max_keys: int = 10_000

    def wait(self, failures: int, last_at: float, now: float) -> float:
        if now - last_at >= self.forget_after or failures < self.free:
            return 0.0
        window = min(self.base * 2 ** (failures - self.free), self.cap)
        return max(0.0, last_at + window - now)


USERNAME_POLICY = Policy(free=5)
# Many librarians of one library may share one public address (NAT): more tries there.
ADDRESS_POLICY = Policy(free=30)


class LoginThrottle:
    """Failed-login counts by user name and by client address, shared through ``catalog``."""

    def __init__(
        self,
        catalog: Catalog,
        username_policy: Policy = USERNAME_POLICY,
        address_policy: Policy = ADDRESS_POLICY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.policies = {USERNAME: username_policy, ADDRESS: address_policy}
        self.clock = clock

    def retry_after(self, username: str, address: str) -> int:
        """Whole seconds to wait before this attempt may be checked (0: go ahead)."""
        now = self.clock()
        keys = {USERNAME: _user_key(username), ADDRESS: address[:64]}
        wanted = or_(
            *(and_(LoginFailure.kind == k, LoginFailure.key == v) for k, v in keys.items())
        )
        with self.catalog.session() as db:
            rows = db.execute(
                select(LoginFailure.kind, LoginFailure.failures, LoginFailure.last_at).where(wanted)
            ).all()
        waits = [self.policies[kind].wait(failures, last, now) for kind, failures, last in rows]
        return math.ceil(max(waits, default=0.0))

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self.catalog.session() as db:
            for kind, key in ((USERNAME, _user_key(username)), (ADDRESS, address[:64])):
                _count_failure(db, kind, key, now, self.policies[kind])
                _prune(db, kind, now, self.policies[kind])

    def succeeded(self, username: str) -> None:
        with self.catalog.session() as db:
            db.execute(
                delete(LoginFailure).where(
                    LoginFailure.kind == USERNAME, LoginFailure.key == _user_key(username)
                )
            )

    def count(self, kind: str) -> int:
        """Rows kept for ``kind`` (the bound on the table's size)."""
        with self.catalog.session() as db:
            return db.scalar(select(func.count()).where(LoginFailure.kind == kind))


def _count_failure(db: Session, kind: str, key: str, now: float, policy: Policy) -> None:
    """One more failure for ``key``, atomic under concurrent workers (no read-modify-write)."""
    bump = (
        update(LoginFailure)
        .where(LoginFailure.kind == kind, LoginFailure.key == key)
        .values(
            failures=case(
                (LoginFailure.last_at <= now - policy.forget_after, 1),
                else_=LoginFailure.failures + 1,
            ),
            last_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if db.execute(bump).rowcount:
        return
    try:
        with db.begin_nested():  # another worker may insert the same key first
            db.add(LoginFailure(kind=kind, key=key, failures=1, last_at=now))
    except IntegrityError:
        db.execute(bump)


def _prune(db: Session, kind: str, now: float, policy: Policy) -> None:
    db.execute(
        delete(LoginFailure)
        .where(LoginFailure.kind == kind, LoginFailure.last_at <= now - policy.forget_after)
        .execution_options(synchronize_session=False)
    )
    oldest = db.scalars(
        select(LoginFailure.id)
        .where(LoginFailure.kind == kind)
        .order_by(LoginFailure.last_at.desc(), LoginFailure.id.desc())
        .offset(policy.max_keys)
    ).all()
    if oldest:
        db.execute(
            delete(LoginFailure)
            .where(LoginFailure.id.in_(oldest))
            .execution_options(synchronize_session=False)
        )


def _user_key(username: str) -> str:
    return username.strip().casefold()[:64]
