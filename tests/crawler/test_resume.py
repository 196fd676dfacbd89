"""A crawl killed with SIGKILL resumes from its job directory and loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crawl_helpers import (
    BIN,
    captured_urls,
    crawl_env,
    diancang,
    run_crawl_cli,
    warc_files,
    write_demo_seed_list,
)

from diancang.demo_portal.server import DemoPortal

WARCIO = Path(sys.executable).parent / "warcio"


def _done_count(journal: Path) -> int:
    if not journal.exists():
        return 0
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        try:
            return db.execute("SELECT count(*) FROM requests WHERE state = 1").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


@pytest.mark.slow
def test_killed_crawl_resumes_to_the_same_captures_without_corrupt_warcs(tmp_path):
    with DemoPortal(port=0, latency=0.05).start() as portal:
        whole_dir, killed_dir = tmp_path / "whole", tmp_path / "killed"
        whole = run_crawl_cli(whole_dir, write_demo_seed_list(whole_dir, portal))

        seed_list = write_demo_seed_list(killed_dir, portal)
        process = subprocess.Popen(
            [str(BIN / "diancang"), "crawl", str(seed_list)],
            env=crawl_env(killed_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        journal = killed_dir / "jobs" / "demo-seeds" / "frontier.sqlite"
        deadline = time.monotonic() + 60
        while _done_count(journal) < 20 and time.monotonic() < deadline:
            assert process.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert list((killed_dir / "warcs").glob("*/*.warc.gz.open")), "nothing left open"

        resumed = diancang("crawl", "--resume", env=crawl_env(killed_dir))
        assert resumed.returncode == 0, resumed.stderr[-3000:]

    report = json.loads(sorted((killed_dir / "warcs" / "reports").glob("*.json"))[-1].read_text())
    assert report["resumed"] and report["frontier_resumed"] > 0
    assert report["recovered_files"], "the file left open by the kill was not closed"
    assert captured_urls(killed_dir) == captured_urls(whole_dir)
    assert whole.report["frontier_pending"] == 0
    files = warc_files(killed_dir)
    check = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert not list((killed_dir / "warcs").glob("*/*.open"))
