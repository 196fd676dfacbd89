"""What the shared frontier's Redis shows of each crawl: its workers, their leases and
throughput, its queue per host, what is pending (the console's ``/workers`` page).

Read-only, and bounded: the crawls announced in ``CRAWLS_KEY``, each crawl's leases (one per
request in flight) and at most ``HOSTS_SHOWN`` hosts, those with the most queued first.
Key names are crawler/frontier_lua.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

import valkey

from diancang.crawler.frontier_store import CRAWLS_KEY, crawl_prefix

HOSTS_SHOWN = 100


@dataclass(frozen=True)
class WorkerStatus:
    owner: str
    leases: int  # requests it holds a live lease on
    last_minute: int  # requests it did in about the last 60 s (Redis time)
    done: int  # requests it did in this crawl
    seen_ago: int | None  # seconds since it last renewed its leases; None: never
    live: bool  # renewed within the lease time


@dataclass(frozen=True)
class HostQueue:
    host: str
    queued: int
    in_flight: int


@dataclass(frozen=True)
class CrawlStatus:
    job: str
    pending: int  # queued or leased: 0 when the crawl is done
    seen: int  # URLs the crawl has queued, ever
    workers: list[WorkerStatus]
    hosts: list[HostQueue]  # the HOSTS_SHOWN hosts with the most queued
    hosts_queued: int  # hosts with something queued, all of them


def crawl_statuses(client: valkey.Valkey, lease_ttl: float) -> list[CrawlStatus]:
    """Every announced crawl still in Redis, by name."""
    jobs = sorted(name.decode() for name in client.smembers(CRAWLS_KEY))
    found = [crawl_status(client, job, lease_ttl) for job in jobs]
    return [status for status in found if status is not None]


def crawl_status(client: valkey.Valkey, job: str, lease_ttl: float) -> CrawlStatus | None:
    p = crawl_prefix(job)
    pipe = client.pipeline(transaction=False)
    pipe.get(p + "pending")
    pipe.scard(p + "seen")
    pipe.hvals(p + "leases")
    pipe.hgetall(p + "workers")
    pipe.hgetall(p + "done")
    pipe.time()
    pipe.zrange(p + "ready", 0, -1)
    pipe.hgetall(p + "busy")
    pending, seen, leases, heartbeats, done, (now_s, _), ready, busy = pipe.execute()
    if pending is None and not heartbeats:
        return None  # announced, then cleared for a fresh start that has not begun
    minute, second = divmod(now_s, 60)
    pipe.hgetall(f"{p}rate:{minute}")
    pipe.hgetall(f"{p}rate:{minute - 1}")
    this_minute, minute_before = pipe.execute()
    held: dict[str, int] = {}
    for lease in leases:
        owner = lease.split(b" ", 1)[0].decode()
        held[owner] = held.get(owner, 0) + 1
    owners = set(held) | {o.decode() for o in heartbeats} | {o.decode() for o in done}
    workers = []
    for owner in sorted(owners):
        key = owner.encode()
        beat = heartbeats.get(key)
        seen_ago = None if beat is None else max(0, now_s - int(beat))
        workers.append(
            WorkerStatus(
                owner=owner,
                leases=held.get(owner, 0),
                # the last 60 s: this minute's count and the share of the minute before
                # that falls in them
                last_minute=int(this_minute.get(key, 0))
                + round(int(minute_before.get(key, 0)) * (60 - second) / 60),
                done=int(done.get(key, 0)),
                seen_ago=seen_ago,
                live=seen_ago is not None and seen_ago <= lease_ttl,
            )
        )
    in_flight = {host.decode(): int(n) for host, n in busy.items()}
    hosts, hosts_queued = _host_queues(client, p, {h.decode() for h in ready}, in_flight)
    return CrawlStatus(
        job=job,
        pending=int(pending or 0),
        seen=seen,
        workers=workers,
        hosts=hosts,
        hosts_queued=hosts_queued,
    )


def _host_queues(
    client: valkey.Valkey, prefix: str, ready: set[str], busy: dict[str, int]
) -> tuple[list[HostQueue], int]:
    """Hosts with something queued or in flight, most queued first; how many have a queue.

    A host with queued requests is in ``ready`` (a free slot) or ``busy`` (all its slots
    taken), so these two name every host of the queue (crawler/frontier_lua.py)."""
    names = sorted(ready | set(busy))
    pipe = client.pipeline(transaction=False)
    for host in names:
        pipe.llen(f"{prefix}q:{host}")
    queues = [
        HostQueue(host, queued, busy.get(host, 0))
        for host, queued in zip(names, pipe.execute(), strict=True)
        if queued or busy.get(host, 0)
    ]
    queues.sort(key=lambda q: (-q.queued, -q.in_flight, q.host))
    return queues[:HOSTS_SHOWN], sum(1 for q in queues if q.queued)
