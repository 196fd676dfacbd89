"""Crawl-wide state in Redis when the frontier is shared: seeding, robots.txt, budgets, trap
guard counters, report counts.

Built once per crawler, like its context (crawler/context.py), from plain Scrapy settings;
``shared_state(crawler)`` is None for a crawl on the SQLite journal.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time

from diancang.crawler import frontier_lua
from diancang.crawler.budget import SeedBudget
from diancang.crawler.frontier_store import SharedFrontier, connect
from diancang.crawler.urls import TrapGuard
from diancang.seeds.schema import Seed
from diancang.settings import Settings
from diancang.warc_names import OPEN_SUFFIX, WARC_GZ

# Scrapy setting: the name of the shared crawl this worker works on (absent: not shared)
SHARED_JOB = "DIANCANG_SHARED_JOB"
# seconds between looks at Redis while waiting for another worker (seeds, robots.txt)
WAIT_INTERVAL = 0.1
ROBOTS_NONE = b"-"  # stored for a host whose robots.txt fetch failed: no rules
ROBOTS_BODY = b"+"  # prefix of a stored robots.txt body
# Scrapy stats that are one worker's gauges, not counts to add up for the crawl
NOT_SUMMED = ("frontier/pending_at_close", "memusage/")


def worker_id(settings: Settings) -> str:
    """``DIANCANG_WORKER_ID``, or this host's name and process id."""
    return settings.worker_id or f"{socket.gethostname()}-{os.getpid()}"


class SharedRobots:
    """robots.txt bodies of the crawl's hosts: one worker fetches, all use it."""

    def __init__(self, state: SharedState):
        self.state = state
        self.key = state.prefix + "robots"

    async def wait_for(self, netloc: str) -> tuple[bool, bytes | None]:
        """(True, body or None) once some worker stored it; (False, None) when this worker
        is to fetch it (it holds the host's fetch lock)."""
        redis, lock = self.state.redis, f"{self.state.prefix}robots-lock:{netloc}"
        while True:
            stored = redis.hget(self.key, netloc)
            if stored is not None:
                return True, stored[1:] if stored[:1] == ROBOTS_BODY else None
            if redis.set(lock, self.state.owner, nx=True, px=self.state.frontier.ttl_ms):
                return False, None
            await asyncio.sleep(WAIT_INTERVAL)

    def store_if_missing(self, netloc: str, body: bytes | None) -> None:
        value = ROBOTS_NONE if body is None else ROBOTS_BODY + body
        self.state.frontier.robots_stored(netloc, value)


class SharedSeedBudget(SeedBudget):
    """Per-seed pages, bytes and time counted for the whole crawl; kept across --resume."""

    def __init__(self, state: SharedState):
        self.redis = state.redis
        self.prefix = state.prefix
        self._take = self.redis.register_script(frontier_lua.TAKE_PAGE)
        self._age = self.redis.register_script(frontier_lua.SEED_AGE)

    def start(self, seed: Seed) -> None:
        self._age(keys=[self.prefix], args=[seed.id])

    # a seed with no page or byte limit has nothing to count: no round trip per page

    def take_page(self, seed: Seed) -> bool:
        if seed.limits.pages is None:
            return True
        return bool(self._take(keys=[self.prefix], args=[seed.id, seed.limits.pages]))

    def add_bytes(self, seed: Seed, count: int) -> None:
        if seed.limits.bytes is not None:
            self.redis.hincrby(self.prefix + "budget:bytes", seed.id, count)

    def exhausted(self, seed: Seed) -> str | None:
        limits = seed.limits
        if limits.bytes is not None:
            spent = int(self.redis.hget(self.prefix + "budget:bytes", seed.id) or 0)
            if spent >= limits.bytes:
                return "bytes"
        if limits.duration is not None:
            if self._age(keys=[self.prefix], args=[seed.id]) >= limits.duration * 1000:
                return "duration"
        return None


class SharedTrapGuard(TrapGuard):
    """The trap guard with its query-variant counts in Redis, for the whole crawl."""

    def __init__(self, state: SharedState, query_variants_per_path: int, max_url_length: int):
        super().__init__(query_variants_per_path, max_url_length)
        self._variant = state.redis.register_script(frontier_lua.QUERY_VARIANT)
        self.prefix = state.prefix

    def new_variant(self, path_key: str, url: str) -> bool:
        args = [path_key, url, self.query_variants_per_path]
        return bool(self._variant(keys=[self.prefix], args=args))


class SharedState:
    def __init__(self, settings: Settings, job: str):
        self.redis = connect(settings.frontier_url)
        self.owner = worker_id(settings)
        self.frontier = SharedFrontier(self.redis, job, self.owner, settings.crawl)
        self.prefix = self.frontier.prefix
        self.robots = SharedRobots(self)
        self.counts = SharedCounts(self)
        self._seeded = False

    # -- seeding: whichever worker comes first queues the seeds; a worker that dies while
    # seeding lets another seed again (the seen set makes that harmless)

    async def take_seeding(self) -> bool:
        """True when this worker is to queue the seeds; False once they are queued."""
        while True:
            if self.seeding_done():
                return False
            lock = self.prefix + "seeding"
            if self.redis.set(lock, self.owner, nx=True, px=self.frontier.ttl_ms):
                return True
            await asyncio.sleep(WAIT_INTERVAL)

    def seeded(self) -> None:
        self.redis.set(self.prefix + "seeded", self.owner)
        self._seeded = True

    def seeding_done(self) -> bool:
        if not self._seeded:
            self._seeded = bool(self.redis.exists(self.prefix + "seeded"))
        return self._seeded

    def seeding(self) -> bool:
        """Whether seeds may still be queued (the scheduler then keeps the worker open)."""
        return not self.seeding_done()

    def crawl_counts(self, stats: dict) -> dict[str, int]:
        """Send this worker's last counts; the crawl's counts so far, summed over its workers."""
        self.counts.send(stats)
        return {k.decode(): int(v) for k, v in self.redis.hgetall(self.prefix + "stats").items()}


class SharedCounts:
    """This worker's counts for the crawl report, added to the crawl's in Redis as the crawl
    goes: with each request done, in the script that ends it (crawler/frontier_lua.py DONE),
    and with each lease renewal. A worker that is killed loses only what it counted since it
    last sent its counts, and the requests of those counts, not done, are fetched again."""

    def __init__(self, state: SharedState):
        self.state = state
        self._sent: dict[str, int] = {}

    def since_sent(self, stats: dict) -> dict[str, int]:
        """Increments of the counts in ``stats`` since they were last sent."""
        return {
            name: value - self._sent.get(name, 0)
            for name, value in stats.items()
            if isinstance(value, int)
            and not isinstance(value, bool)
            and not name.startswith(NOT_SUMMED)
            and value != self._sent.get(name, 0)
        }

    def sent(self, increments: dict[str, int]) -> None:
        for name, value in increments.items():
            self._sent[name] = self._sent.get(name, 0) + value

    def send(self, stats: dict) -> None:
        increments = self.since_sent(stats)
        pipe = self.state.redis.pipeline(transaction=True)
        for name, value in increments.items():
            pipe.hincrby(self.state.prefix + "stats", name, value)
        pipe.hset(self.state.prefix + "workers", self.state.owner, int(time.time()))
        pipe.execute()
        self.sent(increments)


def shared_state(crawler) -> SharedState | None:
    """The crawler's shared state, built on first use; None for a crawl of its own."""
    job = crawler.settings.get(SHARED_JOB)
    if not job:
        return None
    state = getattr(crawler, "_diancang_shared", None)
    if state is None:
        from diancang.crawler.context import SETTINGS_VALUES

        settings = Settings.from_values(crawler.settings[SETTINGS_VALUES])
        state = crawler._diancang_shared = SharedState(settings, job)
    return state


def owns_warc(settings: Settings):
    """Which ``.open`` WARC files this worker's recovery may close: those named with its
    worker id; with the default id (host name and pid), those of any process of this host
    (a live one holds its files' locks, so recovery leaves them alone)."""
    own = re.escape(settings.worker_id) if settings.worker_id else re.escape(socket.gethostname())
    pid = "" if settings.worker_id else r"-\d+"
    pattern = re.compile(rf".*-{own}{pid}{re.escape(WARC_GZ + OPEN_SUFFIX)}")
    return lambda name: pattern.fullmatch(name) is not None
