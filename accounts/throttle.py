"""Failed logins slow down: an exponential lock-out window per user name and per address.

After ``free`` failed logins in a row for one key (a user name, or a client address), the
next attempt for that key is refused until ``base * 2**(failures - free)`` seconds after the
last failure, at most ``cap``. A refused attempt checks no password and counts no failure;
a successful login clears its user name's count (not its address's: one valid account must
not let an address guess others' passwords faster).

No request sleeps, so a flood of wrong passwords ties up no server threads. Memory is
bounded: each kind of key keeps at most ``max_keys`` entries, the least recently failed one
dropped first, and an entry is forgotten once ``forget_after`` seconds pass with no failure.
Counts live in the process; ``diancang serve`` is one process.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before the first wait
    base: float = 30.0  # seconds of the first wait
    cap: float = 900.0  # longest wait
    forget_after: float = 86_400.0  # a key with no failure for this long starts afresh
    max_keys: int = 10_000


USERNAME_POLICY = Policy(free=5)
# Many librarians of one library may share one public address (NAT): more tries there.
ADDRESS_POLICY = Policy(free=30)


class _Window:
    def __init__(self, policy: Policy, clock: Callable[[], float]) -> None:
        self.policy = policy
        self.clock = clock
        self.failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (n, last)

    def wait(self, key: str) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        entry = self.failures.get(key)
        if entry is None:
            return 0.0
        count, last = entry
        now = self.clock()
        if now - last >= self.policy.forget_after:
            del self.failures[key]
            return 0.0
        if count < self.policy.free:
            return 0.0
        window = min(self.policy.base * 2 ** (count - self.policy.free), self.policy.cap)
        return max(0.0, last + window - now)

    def fail(self, key: str) -> None:
        count, _ = self.failures.pop(key, (0, 0.0))
        self.failures[key] = (count + 1, self.clock())  # moved to the most recent end
        while len(self.failures) > self.policy.max_keys:
            self.failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self.failures.pop(key, None)


class LoginThrottle:
    """Thread-safe failed-login counts by user name and by client address."""

    def __init__(
        self,
        username_policy: Policy = USERNAME_POLICY,
        address_policy: Policy = ADDRESS_POLICY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._users = _Window(username_policy, clock)
        self._addresses = _Window(address_policy, clock)

    def retry_after(self, username: str, address: str) -> int:
        """Whole seconds to wait before this attempt may be checked (0: go ahead)."""
        with self._lock:
            wait = max(self._users.wait(_user_key(username)), self._addresses.wait(address))
        return math.ceil(wait)

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._users.fail(_user_key(username))
            self._addresses.fail(address)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._users.clear(_user_key(username))


def _user_key(username: str) -> str:
    return username.strip().casefold()[:64]
