"""A crawl stopped because it cannot keep what it fetches marks nothing done after the stop,
not even a redirect to a URL already seen, so ``--resume`` fetches again what was in flight."""

from __future__ import annotations

import json
import os
import pickle
import resource
import sqlite3
import subprocess
from pathlib import Path

import pytest
from crawl_helpers import BIN, captured_urls, crawl_env, diancang, portal_seed, write_seed_list
from redis_server import RedisServer
from sites.pages import site

from diancang.crawler.frontier_store import crawl_prefix
from diancang.demo_portal.serving import Page

FILE_SIZE_LIMIT = 150_000  # bytes any one file may grow to, as on a nearly full disk
BIG = os.urandom(400_000)  # a response whose capture outgrows the limit: its write fails
# in flight when the big capture stops the crawl; answers after the stop with a redirect to
# the seed, which is already seen
SLOW = "/moved"
STALL = 2.0


def _pages() -> dict[str, Page]:
    home = b'<html><body><a href="/big">big</a> <a href="/moved">moved</a></body></html>'
    return {
        "/": Page(home, "text/html"),
        "/big": Page(BIG, "application/octet-stream"),
        SLOW: Page(b"", "text/html", 302, (("Location", "/"),)),
    }


def _limit_file_size() -> None:
    # Writes past the limit fail with EFBIG, as writes to a full disk fail with ENOSPC.
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def _stopped_crawl(command: list[str], env: dict[str, str]) -> None:
    failed = subprocess.run(
        command, env=env, capture_output=True, text=True, preexec_fn=_limit_file_size, timeout=120
    )
    assert failed.returncode == 1, failed.stderr[-2000:]
    assert "WARC write failed" in failed.stderr


def _journal_pending(journal: Path) -> set[str]:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT request FROM requests WHERE state = 0").fetchall()
    return {pickle.loads(blob)["url"] for (blob,) in rows}


@pytest.mark.slow
def test_a_redirect_to_a_seen_url_after_the_stop_stays_pending_in_the_journal(tmp_path):
    with site(_pages(), stall={SLOW: STALL}) as (url, requested):
        base = url.rstrip("/")
        seeds = write_seed_list(tmp_path / "seeds.csv", [portal_seed(base + "/")])
        env = crawl_env(tmp_path, DIANCANG_BROWSER_DETECT="false")
        _stopped_crawl([str(BIN / "diancang"), "crawl", str(seeds)], env)
        assert requested.count(SLOW) == 1
        # the seed itself may be pending too: the stop can come before its done mark
        pending = _journal_pending(tmp_path / "jobs" / "seeds" / "frontier.sqlite")
        assert {base + "/big", base + SLOW} <= pending

        resumed = diancang("crawl", "--resume", env=env)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert requested.count(SLOW) == 2
    assert {base + "/", base + "/big", base + SLOW} <= captured_urls(tmp_path)


@pytest.mark.slow
def test_a_redirect_to_a_seen_url_after_the_stop_keeps_its_shared_lease(tmp_path):
    redis = RedisServer(tmp_path / "redis").start()
    try:
        with site(_pages(), stall={SLOW: STALL}) as (url, requested):
            base = url.rstrip("/")
            seeds = write_seed_list(tmp_path / "seeds.csv", [portal_seed(base + "/")])
            env = crawl_env(
                tmp_path,
                DIANCANG_FRONTIER_URL=redis.url,
                DIANCANG_WORKER_ID="w0",
                DIANCANG_LEASE_TTL="2",
                DIANCANG_BROWSER_DETECT="false",
            )
            command = [str(BIN / "diancang"), "crawl", str(seeds), "--job", "stops"]
            _stopped_crawl(command, env)
            assert requested.count(SLOW) == 1
            prefix = crawl_prefix("stops")
            client = redis.client()
            leased = [lease.split(b" ", 3)[3] for lease in client.hvals(prefix + "leases")]
            assert {base + "/big", base + SLOW} <= {json.loads(entry)["url"] for entry in leased}
            assert int(client.get(prefix + "pending")) == len(leased)  # none queued, none lost

            resumed = diancang(*command[1:], "--resume", env=env)
            assert resumed.returncode == 0, resumed.stderr[-2000:]
            assert requested.count(SLOW) == 2
        assert {base + "/", base + "/big", base + SLOW} <= captured_urls(tmp_path)
    finally:
        redis.stop()
