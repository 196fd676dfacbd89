"""The shared frontier's Lua scripts against a real Redis: leases, politeness, pending."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from redis_server import RedisServer

from diancang.crawler.frontier_store import SharedFrontier


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def frontier(redis, job, owner, concurrency=2, delay=0.0, ttl=0.3):
    crawl = SimpleNamespace(concurrency_per_host=concurrency, delay=delay, lease_ttl=ttl)
    return SharedFrontier(redis.client(), job, owner, crawl)


def add(f, n, host="h:1"):
    return f.add(f"fp{n}", host, f'{{"n":{n}}}', False, False)


def wait_claim(f, deadline=5.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        entry, _, _ = f.claim()
        if entry is not None:
            return entry
        time.sleep(0.02)
    raise AssertionError("nothing claimed")


def test_an_expired_lease_goes_back_to_the_front_of_its_host_queue(redis):
    a = frontier(redis, "expiry", "a", concurrency=1)
    b = frontier(redis, "expiry", "b", concurrency=1)
    for n in range(3):
        add(a, n)
    first = wait_claim(a)
    assert first.endswith('{"n":0}')
    # a dies: its lease is not renewed; b gets entry 0 again before entries 1 and 2
    assert wait_claim(b) == first
    assert a.done(int(first.split()[0])) == -1  # a's late ack is refused: the lease is b's
    assert b.done(int(first.split()[0])) == 2
    assert b.pending() == 2


def test_a_renewed_lease_is_kept(redis):
    # a TTL with room for a loaded machine's pauses between a renewal and the next claim
    a, b = frontier(redis, "renew", "a", ttl=1.0), frontier(redis, "renew", "b", ttl=1.0)
    add(a, 0)
    entry = wait_claim(a)
    entry_id = int(entry.split()[0])
    for _ in range(10):  # 1.5 s: past the ttl, renewed every 0.15 s
        assert a.renew([entry_id]) == 1
        time.sleep(0.15)
        assert b.claim()[0] is None
    assert a.done(entry_id) == 0


def test_the_host_concurrency_holds_across_workers(redis):
    workers = [frontier(redis, "conc", name, ttl=30) for name in "abc"]
    for n in range(6):
        add(workers[0], n)
    claimed = [w.claim()[0] for w in workers]
    assert sum(entry is not None for entry in claimed) == 2
    holder = workers[claimed.index(next(e for e in claimed if e))]
    holder.fetched(int(next(e for e in claimed if e).split()[0]))
    assert workers[2].claim()[0] is not None  # the freed slot goes to anyone


def test_the_delay_counts_from_the_end_of_the_previous_fetch(redis):
    a, b = (
        frontier(redis, "delay", "a", delay=1.0, ttl=30),  # longer than a loaded machine pauses
        frontier(redis, "delay", "b", delay=1.0, ttl=30),
    )
    for n in range(3):
        add(a, n)
    entry = a.claim()[0]
    time.sleep(1.1)  # longer than the delay, but the fetch has not ended
    assert b.claim()[0] is None  # the concurrency of 2 gives no second fetch with a delay
    ended = time.monotonic()
    a.fetched(int(entry.split()[0]))
    _, _, wait = b.claim()
    assert b.claim()[0] is None and wait > 0
    second = wait_claim(b)
    assert time.monotonic() - ended >= 0.99
    assert second.endswith('{"n":1}')


def test_a_seen_request_is_not_queued_twice_and_pending_counts_to_zero(redis):
    f = frontier(redis, "pending", "a", ttl=30)
    assert add(f, 0) and not add(f, 0)
    entry = f.claim()[0]
    assert f.pending() == 1
    assert f.done(int(entry.split()[0])) == 0


def test_a_request_done_adds_its_counts_to_the_crawl_in_the_same_step(redis):
    f = frontier(redis, "counts", "a", ttl=30)
    add(f, 0)
    entry_id = int(f.claim()[0].split()[0])
    assert f.done(entry_id, {"status/200": 1, "bytes/received": 512}) == 0
    stats = redis.client().hgetall("diancang:counts:stats")
    assert stats == {b"status/200": b"1", b"bytes/received": b"512"}


def test_one_step_ends_fetches_finishes_requests_and_claims_a_batch(redis):
    a, b = frontier(redis, "step", "a", ttl=30), frontier(redis, "step", "b", ttl=30)
    for n in range(3):
        add(a, n, host="h:1")
    for n in range(3, 5):
        add(a, n, host="h:2")
    first = a.step(claim=8)
    # a batch takes what politeness allows: 2 per host, so 4 of the 5
    hosts = sorted(entry.split()[1] for entry in first.entries)
    assert hosts == ["h:1", "h:1", "h:2", "h:2"] and first.pending == 5
    assert b.step(claim=8).entries == []
    ids = [int(entry.split()[0]) for entry in first.entries]
    # one fetch of h:1 ended and that request is done; a stale done of b's is refused
    second = a.step(fetched=[ids[0]], done=[ids[0]], claim=8, counts={"pages": 1})
    assert (second.pending, second.lost) == (4, 0)
    assert [entry.split()[1] for entry in second.entries] == ["h:1"]  # the freed slot
    assert b.step(done=[ids[1]]).lost == 1
    assert a.redis.hget(a.prefix + "stats", "pages") == b"1"
    assert a.redis.hget(a.prefix + "done", "a") == b"1"
