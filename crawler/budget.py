"""Per-seed limits: pages, bytes and duration (applied by crawler/policy.py)."""

from __future__ import annotations

import time
from collections import Counter

from diancang.seeds.schema import Seed


class SeedBudget:
    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._scheduled: Counter[str] = Counter()
        self._bytes: Counter[str] = Counter()

    def start(self, seed: Seed) -> None:
        self._started.setdefault(seed.id, time.monotonic())

    def take_page(self, seed: Seed) -> bool:
        """Reserve one page of the seed's page limit; False when the limit is reached."""
        if seed.limits.pages is not None and self._scheduled[seed.id] >= seed.limits.pages:
            return False
        self._scheduled[seed.id] += 1
        return True

    def add_bytes(self, seed: Seed, count: int) -> None:
        self._bytes[seed.id] += count

    def exhausted(self, seed: Seed) -> str | None:
        """Why the seed may fetch nothing more, or None."""
        limits = seed.limits
        if limits.bytes is not None and self._bytes[seed.id] >= limits.bytes:
            return "bytes"
        started = self._started.get(seed.id)
        if limits.duration is not None and started is not None:
            if time.monotonic() - started >= limits.duration:
                return "duration"
        return None
