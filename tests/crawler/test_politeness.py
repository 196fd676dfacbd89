"""Per-host politeness: the server never sees more requests at once than configured."""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager

from crawl_helpers import run_crawl_cli, write_seed_list

from demo_portal.generated import GeneratedSite
from demo_portal.serving import PageHandler


@contextmanager
def in_flight_per_host():
    """Peak requests in flight per host, seen by the (in-process) generated site."""
    lock = threading.Lock()
    current: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    original = PageHandler.wait_latency

    def wait_latency(handler, seconds):
        host = handler.headers.get("Host", "")
        with lock:
            current[host] += 1
            peak[host] = max(peak[host], current[host])
        try:
            original(handler, seconds)
        finally:
            with lock:
                current[host] -= 1

    PageHandler.wait_latency = wait_latency
    try:
        yield peak
    finally:
        PageHandler.wait_latency = original


def test_requests_in_flight_per_host_never_exceed_the_setting(tmp_path):
    with GeneratedSite(hosts=2, pages=60, latency=0.05) as site, in_flight_per_host() as peak:
        rows = [
            {"url": url, "title": "站点", "jurisdiction": "500000", "collection": "webarchive"}
            for url in site.seed_urls()
        ]
        crawl = run_crawl_cli(
            tmp_path,
            write_seed_list(tmp_path / "sites.csv", rows),
            DIANCANG_CONCURRENCY_PER_HOST="2",
        )
    assert crawl.report["responses"] >= len(site.all_urls())
    assert len(peak) == 2
    assert max(peak.values()) == 2
