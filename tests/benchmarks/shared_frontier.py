"""Shared-frontier benchmark: one crawl in 1, 2 and 4 processes on one Redis (run by hand):

    .venv/bin/python tests/benchmarks/shared_frontier.py [--hosts 16] [--pages 100]
        [--latency 0.05] [--workers 0,1,2,4] [--queued 1000000]

Serves a generated site on loopback (``--hosts`` hosts of ``--pages`` pages, every request
answered after ``--latency`` seconds) and crawls it with N ``diancang crawl SEEDS --job``
processes sharing a fresh Redis (``tests/redis_server.py``), 2 requests per host and no
delay, so the physical limit is ``hosts x 2 / latency`` pages/s (640 for 16 hosts at 50 ms).
Throughput is the server's own view: requests answered between the first and the last
request it saw (start-up and the end-of-crawl indexing are not in it), and also over the
whole wall time of the processes. Each N is reported as a share of the limit and as a ratio
to one process. ``0`` workers is the peer measured in the same run: one ``diancang crawl``
on the SQLite journal, no Redis. The generated site's last pages of a host repeat each
other's links, so the trap guard leaves a few of them (``trap:repeated-content``); the table
says how many of the site's URLs were captured.

Then Redis memory per queued request: ``INFO memory`` before and after ``--queued`` entries
of the size a crawl queues (a request's JSON and its fingerprint) go through the frontier's
ADD script, spread over 100 hosts; the seen set's share is ``MEMORY USAGE`` of its key.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: sites, helpers
from crawl_helpers import BIN, captured_urls, crawl_env, write_seed_list  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from sites.generated import GeneratedSite  # noqa: E402
from sites.request_probe import RequestProbe  # noqa: E402

from diancang.crawler.frontier_store import SharedFrontier  # noqa: E402

PER_HOST = 2
BATCH = 2000  # ADD calls per pipeline in the memory measurement


def crawl(workers: int, hosts: int, pages: int, latency: float, tmp: Path) -> dict:
    """One crawl of a fresh site by ``workers`` processes; its figures."""
    redis = RedisServer(tmp / "redis").start()
    seen: list[float] = []
    lock = threading.Lock()

    def log(handler) -> None:
        with lock:
            seen.append(time.monotonic())

    probe = RequestProbe(on_request=log)
    try:
        with GeneratedSite(hosts=hosts, pages=pages, latency=latency) as site, probe.installed():
            rows = [
                {"url": url, "title": "站点", "jurisdiction": "500000", "collection": "webarchive"}
                for url in site.seed_urls()
            ]
            seeds = write_seed_list(tmp / "sites.csv", rows)
            env = {
                "DIANCANG_CONCURRENCY_PER_HOST": str(PER_HOST),
                "DIANCANG_DELAY": "0",
                "DIANCANG_BROWSER_DETECT": "false",
            }
            command = [str(BIN / "diancang"), "crawl", str(seeds)]
            if workers:
                command += ["--job", "bench"]
                env["DIANCANG_FRONTIER_URL"] = redis.url
            started = time.monotonic()
            cpu_before = os.times()
            processes = [
                subprocess.Popen(
                    command,
                    env=crawl_env(tmp / "data", DIANCANG_WORKER_ID=f"w{n}", **env),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                for n in range(max(1, workers))
            ]
            for process in processes:
                _, err = process.communicate()
                if process.returncode != 0:
                    raise SystemExit(f"worker exited {process.returncode}: {err[-2000:]!r}")
            wall = time.monotonic() - started
            cpu_after = os.times()
            expected = site.all_urls()
        captured = captured_urls(tmp / "data")
    finally:
        redis.stop()
    span = seen[-1] - seen[0]
    cpu = (cpu_after.children_user + cpu_after.children_system) - (
        cpu_before.children_user + cpu_before.children_system
    )
    return {
        "workers": workers,
        "requests": len(seen),
        "pages_per_s": (len(seen) - 1) / span,
        "wall_pages_per_s": len(seen) / wall,
        "cpu_ms_per_page": 1000 * cpu / len(seen),
        "peak_per_host": max(probe.peak.values()),
        "captured": f"{len(captured & expected)}/{len(expected)}",
    }


def redis_memory(queued: int, tmp: Path) -> dict:
    """Bytes of Redis memory per request queued through the ADD script."""
    redis = RedisServer(tmp / "redis-memory").start()
    try:
        client = redis.client()
        crawl = SimpleNamespace(concurrency_per_host=PER_HOST, delay=0.0, lease_ttl=30)
        frontier = SharedFrontier(client, "memory", "bench", crawl)
        script = frontier._scripts["ADD"]
        before = client.info("memory")["used_memory"]
        for start in range(0, queued, BATCH):
            pipe = client.pipeline(transaction=False)
            for n in range(start, min(start + BATCH, queued)):
                host = f"www{n % 100}.example.gov.cn"
                url = f"http://{host}/zwgk/zfxxgkml/202612/t20261201_{n:08d}.html"
                entry = (
                    f'{{"url":"{url}","method":"GET","headers":{{}},"body":"",'
                    f'"meta":{{"seed_id":"cq-{n % 100}","hops":"LL","link_depth":2,'
                    f'"depth":2,"via":"http://{host}/zwgk/index_{n % 50}.html"}},'
                    '"priority":0,"dont_filter":false,"callback":null,"errback":null}'
                )
                fingerprint = f"govinfo-500000 {n:040x}"
                args = (fingerprint, host, entry, 0, 0, PER_HOST, 0)
                script(keys=[frontier.prefix], args=args, client=pipe)
            pipe.execute()
        after = client.info("memory")["used_memory"]
        seen = client.memory_usage(frontier.prefix + "seen", samples=0)
        return {
            "queued": queued,
            "bytes_per_request": (after - before) / queued,
            "seen_bytes_per_url": seen / queued,
            "entry_bytes": len(entry),
        }
    finally:
        redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", default="0,1,2,4")
    parser.add_argument("--queued", type=int, default=1_000_000)
    args = parser.parse_args()
    limit = args.hosts * PER_HOST / args.latency
    runs = []
    for workers in (int(n) for n in args.workers.split(",") if n):
        with tempfile.TemporaryDirectory(prefix="diancang-shared-bench-") as tmp:
            runs.append(crawl(workers, args.hosts, args.pages, args.latency, Path(tmp)))
    print(
        f"{args.hosts} hosts x {args.pages} pages, {args.latency * 1000:.0f} ms latency, "
        f"{PER_HOST} per host: limit {limit:.0f} pages/s; {os.cpu_count()} CPUs\n"
    )
    print(
        "| processes | pages/s (server) | % of limit | × one process | pages/s (wall) "
        "| CPU ms / page | max in flight per host | site URLs captured |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    one = next((run for run in runs if run["workers"] == 1), runs[0])
    for run in runs:
        name = run["workers"] or "1, SQLite journal"
        print(
            f"| {name} | {run['pages_per_s']:.1f} "
            f"| {100 * run['pages_per_s'] / limit:.0f} % "
            f"| {run['pages_per_s'] / one['pages_per_s']:.2f} | {run['wall_pages_per_s']:.1f} "
            f"| {run['cpu_ms_per_page']:.2f} | {run['peak_per_host']} | {run['captured']} |"
        )
    if args.queued:
        with tempfile.TemporaryDirectory(prefix="diancang-shared-bench-") as tmp:
            memory = redis_memory(args.queued, Path(tmp))
        print(
            f"\nRedis: {memory['bytes_per_request']:.0f} B per queued request "
            f"({memory['queued']:,} queued, entries of {memory['entry_bytes']} B of JSON), "
            f"of which the seen set {memory['seen_bytes_per_url']:.0f} B"
        )


if __name__ == "__main__":
    main()
