"""The shared frontier's keys in Redis and the scripts that change them (crawler/frontier_lua.py).

See crawler/shared_frontier.py for the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import valkey

from diancang.crawler import frontier_lua

KEY_PREFIX = "diancang:"
CRAWLS_KEY = KEY_PREFIX + "crawls"  # set of the names of the crawls put into this Redis


def crawl_prefix(job: str) -> str:
    """The prefix of every Redis key of the crawl ``job``."""
    return f"{KEY_PREFIX}{job}:"


def connect(url: str, timeout: float = 30) -> valkey.Valkey:
    """A client of the Redis at ``url`` (redis://[:PASSWORD@]HOST:PORT/DB), checked."""
    try:
        client = valkey.Valkey.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
        )
        client.ping()
    except (valkey.ValkeyError, ValueError) as exc:
        raise ValueError(f"DIANCANG_FRONTIER_URL: cannot use Redis at {_safe(url)}: {exc}") from exc
    return client


def _safe(url: str) -> str:
    """``url`` without its password."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}"


class Step(NamedTuple):
    entries: list[str]  # claimed: "ID HOST JSON" each
    pending: int  # entries queued or leased, after the dones
    wait: int  # ms until a host may be ready, -1: nothing queued; 0 when one was claimed
    lost: int  # requests done whose lease had expired (another worker does them again)


class SharedFrontier:
    """The crawl's keys in Redis and the scripts that change them."""

    def __init__(self, client: valkey.Valkey, job: str, owner: str, crawl):
        self.redis = client
        self.prefix = crawl_prefix(job)
        self.owner = owner
        self.delay_ms = round(crawl.delay * 1000)
        # the delay counts from the end of the host's previous fetch, so with a delay a host
        # has one fetch at a time; its concurrency holds when there is no delay
        self.concurrency = 1 if self.delay_ms > 0 else crawl.concurrency_per_host
        self.ttl_ms = round(crawl.lease_ttl * 1000)
        self._scripts = {
            name: client.register_script(getattr(frontier_lua, name))
            for name in ("ADD", "STEP", "REPLACE", "RENEW", "ROBOTS_STORED")
        }

    def _run(self, name: str, *args):
        # register_script's Script runs EVALSHA and loads the script again on NOSCRIPT
        return self._scripts[name](keys=[self.prefix], args=args)

    def add(
        self,
        fingerprint: str,
        host: str,
        entry: str,
        front: bool,
        dont_filter: bool,
        robots: bool = False,
    ) -> int:
        args = (int(front), int(dont_filter), self.concurrency, int(robots))
        return self._run("ADD", fingerprint, host, entry, *args)

    def robots_stored(self, host: str, stored: bytes) -> None:
        self._run("ROBOTS_STORED", host, stored, self.concurrency, self.delay_ms)

    def step(
        self,
        fetched: Sequence[int] = (),
        done: Sequence[int] = (),
        claim: int = 0,
        counts: dict[str, int] | None = None,
    ) -> Step:
        """In one round trip: the fetches of ``fetched`` ended, the requests ``done`` are
        done (with ``counts``, what this worker counted since it last sent its counts), and
        up to ``claim`` requests are claimed."""
        args = (self.owner, self.concurrency, self.delay_ms, self.ttl_ms, claim)
        ids = (len(fetched), *fetched, len(done), *done)
        pending, wait, lost, *entries = self._run("STEP", *args, *ids, *_pairs(counts))
        return Step([entry.decode() for entry in entries], pending, wait, lost)

    def claim(self) -> tuple[str | None, int, int]:
        """(entry or None, pending count, ms until a host may be ready or -1)."""
        found = self.step(claim=1)
        return (found.entries[0] if found.entries else None), found.pending, found.wait

    def fetched(self, entry_id: int) -> None:
        self.step(fetched=[entry_id])

    def done(self, entry_id: int, counts: dict[str, int] | None = None) -> int:
        """The pending count left, or -1 when the lease was lost."""
        found = self.step(done=[entry_id], counts=counts)
        return -1 if found.lost else found.pending

    def replace(
        self,
        entry_id: int,
        fingerprint: str,
        host: str,
        entry: str,
        front: bool,
        again: bool,
        counts: dict[str, int] | None = None,
    ) -> int:
        return self._run(
            "REPLACE",
            entry_id,
            self.owner,
            fingerprint,
            host,
            entry,
            int(front),
            int(again),
            self.concurrency,
            self.delay_ms,
            *_pairs(counts),
        )

    def renew(self, entry_ids: list[int]) -> int:
        if not entry_ids:
            return 0
        return self._run("RENEW", self.owner, self.ttl_ms, *entry_ids)

    def pending(self) -> int:
        return int(self.redis.get(self.prefix + "pending") or 0)


def _pairs(counts: dict[str, int] | None) -> list:
    return [item for pair in (counts or {}).items() for item in pair]
