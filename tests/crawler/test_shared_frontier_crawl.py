"""Three crawl processes on one shared frontier, one SIGKILLed mid-crawl: every URL is
captured, the servers' own logs show cluster-wide politeness, every process exits 0."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections import defaultdict

import pytest
import valkey
from crawl_helpers import BIN, captured_urls, crawl_env, write_seed_list
from redis_server import RedisServer
from sites.generated import GeneratedSite
from sites.request_probe import RequestProbe
from warcio.archiveiterator import ArchiveIterator

from diancang.crawler.frontier_store import crawl_prefix
from diancang.crawler.shared_crawl import SEED_LIST_KEY

DELAY = 0.15
PER_HOST = 2


def start_worker(data_dir, seed_list, redis_url, worker, *args):
    env = crawl_env(
        data_dir,
        DIANCANG_FRONTIER_URL=redis_url,
        DIANCANG_WORKER_ID=worker,
        DIANCANG_CONCURRENCY_PER_HOST=str(PER_HOST),
        DIANCANG_DELAY=str(DELAY),
        DIANCANG_LEASE_TTL="10",  # renewed every 3.3 s: room for a loaded machine's stalls
        DIANCANG_BROWSER_DETECT="false",
    )
    if seed_list is None:  # joins the crawl knowing only its name
        command = [str(BIN / "diancang"), "worker", "--job", "cluster", *args]
    else:
        command = [str(BIN / "diancang"), "crawl", str(seed_list), "--job", "cluster", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_three_workers_share_one_frontier_and_survive_a_kill(tmp_path):
    redis = RedisServer(tmp_path / "redis").start()
    starts: dict[str, list[tuple[float, str]]] = defaultdict(list)
    fetched = threading.Event()

    def log(handler):
        host = "{}:{}".format(*handler.server.server_address[:2])
        starts[host].append((time.monotonic(), handler.path))
        if sum(map(len, starts.values())) >= 30:
            fetched.set()

    probe = RequestProbe(on_request=log)
    data = tmp_path / "data"
    try:
        with GeneratedSite(hosts=3, pages=40, latency=0.05) as site, probe.installed():
            rows = [
                {"url": url, "title": "站点", "jurisdiction": "500000", "collection": "webarchive"}
                for url in site.seed_urls()
            ]
            seeds = write_seed_list(tmp_path / "sites.csv", rows)
            workers = [start_worker(data, seeds, redis.url, f"w{n}") for n in range(2)]
            client = valkey.Valkey.from_url(redis.url)
            deadline = time.monotonic() + 60
            while not client.exists(crawl_prefix("cluster") + SEED_LIST_KEY):  # w2 may join
                assert time.monotonic() < deadline and workers[0].poll() is None
                time.sleep(0.1)
            workers.append(start_worker(data, None, redis.url, "w2"))
            assert fetched.wait(120)
            workers[1].send_signal(signal.SIGKILL)
            outs = [workers[n].communicate(timeout=300) for n in (0, 2)]
            assert [workers[n].returncode for n in (0, 2)] == [0, 0], outs[0][1][-3000:]
            assert workers[1].wait() == -signal.SIGKILL
            # the killed worker, started again, closes its own torn files and exits 0
            again = start_worker(data, seeds, redis.url, "w1", "--resume")
            out, err = again.communicate(timeout=120)
            assert again.returncode == 0, err[-3000:]
        expected = site.all_urls()

        assert captured_urls(data) >= expected
        assert not list(data.rglob("*.open"))
        for path in sorted((data / "warcs").glob("*/*.warc.gz")):
            assert any(f"-w{n}.warc.gz" in path.name for n in range(3))
            with path.open("rb") as fh:
                for record in ArchiveIterator(fh, check_digests=True):
                    record.content_stream().read()

        # the servers' own view: never more than PER_HOST at once, never two requests to a
        # host (robots.txt included) closer than DELAY, robots.txt once for the cluster
        assert max(probe.peak.values()) <= PER_HOST
        for host, seen in starts.items():
            times = sorted(t for t, _ in seen)
            gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
            assert min(gaps) >= DELAY, (host, sorted(gaps)[:5])
            assert [path for _, path in seen].count("/robots.txt") == 1

        # every URL fetched once, but those the killed worker held (fetched again)
        counts = defaultdict(int)
        for host, seen in starts.items():
            for _, path in seen:
                counts[host, path] += 1
        refetched = sum(count - 1 for count in counts.values())
        assert refetched <= 2 * PER_HOST * 3

        assert int(client.get("diancang:cluster:pending")) == 0
        for key in client.scan_iter("diancang:cluster:*"):
            kind = client.type(key)
            values = []
            if kind == b"list":
                values = client.lrange(key, 0, -1)
            elif kind == b"hash":
                values = client.hvals(key)
            elif kind == b"string":
                values = [client.get(key)]
            assert not any(v.startswith(b"\x80") for v in values), key  # no pickle
        # every worker's report counts the whole crawl so far; the last one written (the
        # killed worker's, started again) counts every response, the killed worker's
        # included: each URL once, and a refetch only as often as the servers saw one
        reports = sorted((data / "warcs" / "reports").glob("cluster-*.json"))
        own = {}
        for path in reports:
            report = json.loads(path.read_text(encoding="utf-8"))
            own[report["worker"]] = report
        assert set(own) == {"w0", "w1", "w2"}
        assert len(counts) <= own["w1"]["responses"] <= len(counts) + refetched
    finally:
        redis.stop()
