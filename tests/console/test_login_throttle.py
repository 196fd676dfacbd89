"""The failed-login throttle over a real catalogue (SQLite and PostgreSQL), on a clock the test
moves (no waiting, no timing)."""

from __future__ import annotations

import pytest

from diancang.accounts.throttle import USERNAME, LoginThrottle, Policy
from diancang.catalog.db import Catalog


@pytest.fixture
def catalog(database_url: str) -> Catalog:
    """A fresh catalogue on each backend (tests/conftest.py ``database_url``)."""
    return Catalog(database_url)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(catalog: Catalog, clock: Clock, **users) -> LoginThrottle:
    return LoginThrottle(
        catalog,
        Policy(free=3, base=10, cap=40, forget_after=600, max_keys=users.pop("max_keys", 100)),
        Policy(free=100),
        clock,
    )


def test_the_wait_doubles_after_the_free_failures_up_to_the_cap(catalog: Catalog):
    clock = Clock()
    limiter = throttle(catalog, clock)
    waits = []
    for _ in range(7):
        waits.append(limiter.retry_after("Zhang", "10.0.0.1"))
        limiter.failed("zhang", "10.0.0.1")  # user names match without case
    assert waits == [0, 0, 0, 10, 20, 40, 40]
    assert limiter.retry_after("ZHANG", "10.0.0.2") == 40
    clock.now += 39.5
    assert limiter.retry_after("zhang", "10.0.0.2") == 1
    clock.now += 0.5
    assert limiter.retry_after("zhang", "10.0.0.2") == 0


def test_success_clears_the_user_name_and_quiet_time_forgets_it(catalog: Catalog):
    clock = Clock()
    limiter = throttle(catalog, clock)
    for _ in range(3):
        limiter.failed("li", "10.0.0.1")
    assert limiter.retry_after("li", "10.0.0.1") == 10
    limiter.succeeded("li")
    assert limiter.retry_after("li", "10.0.0.1") == 0
    for _ in range(3):
        limiter.failed("wang", "10.0.0.1")
    clock.now += 600
    assert limiter.retry_after("wang", "10.0.0.1") == 0


def test_memory_is_bounded_by_dropping_the_least_recent_failure(catalog: Catalog):
    clock = Clock()
    limiter = throttle(catalog, clock, max_keys=10)
    for _ in range(3):
        limiter.failed("target", "10.0.0.1")
    for number in range(9):
        limiter.failed(f"other-{number}", "10.0.0.1")
    assert limiter.retry_after("target", "10.0.0.9") == 10  # still among the 10 kept
    limiter.failed("one-more", "10.0.0.1")
    assert limiter.count(USERNAME) == 10
    assert limiter.retry_after("target", "10.0.0.9") == 0


def test_two_throttles_on_one_database_count_together(catalog: Catalog):
    """Two console workers each hold their own throttle: the database counts for both."""
    clock = Clock()
    first, second = throttle(catalog, clock), throttle(catalog, clock)
    first.failed("zhao", "10.0.0.1")
    second.failed("zhao", "10.0.0.2")
    first.failed("zhao", "10.0.0.3")
    assert second.retry_after("zhao", "10.0.0.4") == 10
    second.succeeded("zhao")
    assert first.retry_after("zhao", "10.0.0.4") == 0
