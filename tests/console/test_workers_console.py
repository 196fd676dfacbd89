"""The console's /workers page through `diancang serve` against a real Redis holding a shared
crawl made by the frontier's own scripts: workers with their leases and throughput, the queue
per host, pending; who may read it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from console_helpers import Browser, add_accounts
from redis_server import RedisServer
from served_app import Served

from diancang.crawler import shared_crawl
from diancang.crawler.frontier_status import crawl_statuses
from diancang.crawler.frontier_store import SharedFrontier
from diancang.crawler.shared_state import SharedCounts

JOB = "province-2026-12"
LEASE_TTL = 30


@dataclass
class Cluster:
    redis: RedisServer
    base: str


def frontier(redis: RedisServer, owner: str) -> SharedFrontier:
    crawl = SimpleNamespace(concurrency_per_host=2, delay=0.0, lease_ttl=LEASE_TTL)
    return SharedFrontier(redis.client(), JOB, owner, crawl)


def heartbeat(f: SharedFrontier) -> None:
    """What a live worker's lease renewal sends (crawler/shared_frontier.py _renew)."""
    SharedCounts(SimpleNamespace(redis=f.redis, prefix=f.prefix, owner=f.owner)).send({})


def make_crawl(redis: RedisServer, tmp: Path) -> None:
    """Crawl JOB: 5 requests of www.a.gov.cn and 2 of www.b.gov.cn queued; worker w1 holds
    one lease and has done one request, worker w2 holds two leases."""
    seeds = tmp / "province.csv"
    seeds.write_text("url,title\nhttp://www.a.gov.cn/,甲\n", encoding="utf-8")
    shared_crawl.announce(SimpleNamespace(frontier_url=redis.url), JOB, seeds, None, False)
    w1, w2 = frontier(redis, "w1"), frontier(redis, "w2")
    for n in range(5):
        w1.add(f"fp-a{n}", "www.a.gov.cn", f'{{"n":{n}}}', False, False)
    for n in range(2):
        w1.add(f"fp-b{n}", "www.b.gov.cn", f'{{"n":{n}}}', False, False)
    claimed = []
    for worker in (w1, w1, w2, w2):
        entry, _, _ = worker.claim()
        assert entry is not None
        claimed.append(int(entry.split()[0]))
    w1.fetched(claimed[0])
    assert w1.done(claimed[0]) == 6


def renewed(redis: RedisServer) -> None:
    """w1 and w2 renew their leases now (a worker is live while it renews them)."""
    for owner in ("w1", "w2"):
        heartbeat(frontier(redis, owner))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("workers-page")
    redis = RedisServer(tmp / "redis").start()
    data_dir = tmp / "data"
    data_dir.mkdir()
    add_accounts(f"sqlite:///{data_dir / 'catalog.sqlite'}")
    make_crawl(redis, tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env.update(DIANCANG_DATA_DIR=str(data_dir), DIANCANG_FRONTIER_URL=redis.url)
    served = Served(env, tmp / "serve.log")
    try:
        yield Cluster(redis, served.base)
    finally:
        served.stop()
        redis.stop()


def page_of(cluster: Cluster, username: str):
    browser = Browser(cluster.base)
    assert browser.login(username).url.endswith("/libraries")
    return browser.get("/workers")


def cells(row, name: str) -> str:
    return row.find_class(name)[0].text_content().strip()


def test_the_page_shows_each_workers_leases_and_throughput_and_the_queue_per_host(cluster):
    renewed(cluster.redis)
    got = page_of(cluster, "admin")
    assert got.status_code == 200, got.text
    page = lxml.html.fromstring(got.text)
    (crawl,) = page.find_class("crawl")
    assert crawl.get("data-job") == JOB
    assert cells(crawl, "pending") == "6"
    assert cells(crawl, "seen") == "7"
    assert cells(crawl, "hosts-queued") == "1"
    workers = {row.get("data-worker"): row for row in crawl.xpath(".//tr[@data-worker]")}
    assert sorted(workers) == ["w1", "w2"]
    assert [cells(workers["w1"], c) for c in ("state", "leases", "last-minute", "done")] == [
        "运行中", "1", "1", "1",
    ]  # fmt: skip
    assert [cells(workers["w2"], c) for c in ("state", "leases", "last-minute", "done")] == [
        "运行中", "2", "0", "0",
    ]  # fmt: skip
    hosts = {
        row.get("data-host"): (cells(row, "queued"), cells(row, "in-flight"))
        for row in crawl.xpath(".//tr[@data-host]")
    }
    # 2 per host: www.a.gov.cn has 2 claimed, one of them done; then www.b.gov.cn got 2
    assert hosts == {"www.a.gov.cn": ("3", "1"), "www.b.gov.cn": ("0", "2")}
    assert page.xpath("//nav/a[@href='/workers']"), "the console's menu links the page"


def test_librarians_read_the_page_and_other_roles_may_not(cluster):
    assert page_of(cluster, "sjz-librarian").status_code == 200
    assert page_of(cluster, "sjz-curator").status_code == 403
    assert page_of(cluster, "hebei-auditor").status_code == 403
    anonymous = Browser(cluster.base).get("/workers")
    assert "/login" in anonymous.url


def test_a_worker_that_stopped_renewing_shows_as_silent(cluster):
    client = cluster.redis.client()
    prefix = frontier(cluster.redis, "w3").prefix
    client.hset(prefix + "workers", "w3", 1)  # renewed last in 1970
    renewed(cluster.redis)
    (status,) = crawl_statuses(client, LEASE_TTL)
    w3 = next(w for w in status.workers if w.owner == "w3")
    assert (w3.live, w3.leases, w3.done) == (False, 0, 0)
    assert next(w for w in status.workers if w.owner == "w1").live
    client.hdel(prefix + "workers", "w3")
