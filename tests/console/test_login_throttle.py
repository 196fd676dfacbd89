"""The failed-login throttle alone, on a clock the test moves (no waiting, no timing)."""

from __future__ import annotations

from diancang.accounts.throttle import LoginThrottle, Policy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, **users) -> LoginThrottle:
    return LoginThrottle(
        Policy(free=3, base=10, cap=40, forget_after=600, max_keys=users.pop("max_keys", 100)),
        Policy(free=100),
        clock,
    )


def test_the_wait_doubles_after_the_free_failures_up_to_the_cap():
    clock = Clock()
    limiter = throttle(clock)
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


def test_success_clears_the_user_name_and_quiet_time_forgets_it():
    clock = Clock()
    limiter = throttle(clock)
    for _ in range(3):
        limiter.failed("li", "10.0.0.1")
    assert limiter.retry_after("li", "10.0.0.1") == 10
    limiter.succeeded("li")
    assert limiter.retry_after("li", "10.0.0.1") == 0
    for _ in range(3):
        limiter.failed("wang", "10.0.0.1")
    clock.now += 600
    assert limiter.retry_after("wang", "10.0.0.1") == 0


def test_memory_is_bounded_by_dropping_the_least_recent_failure():
    clock = Clock()
    limiter = throttle(clock, max_keys=10)
    for _ in range(3):
        limiter.failed("target", "10.0.0.1")
    for number in range(9):
        limiter.failed(f"other-{number}", "10.0.0.1")
    assert limiter.retry_after("target", "10.0.0.9") == 10  # still among the 10 kept
    limiter.failed("one-more", "10.0.0.1")
    assert len(limiter._users.failures) == 10
    assert limiter.retry_after("target", "10.0.0.9") == 0
