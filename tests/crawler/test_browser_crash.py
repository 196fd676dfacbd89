"""A crashed browser is restarted and its pages retried, without losing the crawl."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import psutil
import pytest
from crawl_helpers import BIN, captured_urls, crawl_env, write_seed_list

from diancang.demo_portal.server import DemoPortal


def _chromium_pids(pid: int) -> list[int]:
    pids = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "chrom" in " ".join(child.cmdline()):
                pids.append(child.pid)
        except psutil.Error:  # gone meanwhile
            pass
    return pids


@pytest.mark.slow
def test_killed_browser_is_restarted_and_every_page_captured(tmp_path):
    with DemoPortal(port=0, latency=0.2).start() as portal:
        pages = [portal.document_url(doc) for doc in portal.documents()[:8]]
        seeds = write_seed_list(
            tmp_path / "browser.csv",
            [
                {
                    "url": url,
                    "title": "文件",
                    "jurisdiction": "500000",
                    "collection": "govinfo",
                    "browser": "true",
                    "depth": "0",
                }
                for url in pages
            ],  # fmt: skip
        )
        log = tmp_path / "jobs" / "browser" / "crawl.log"
        process = subprocess.Popen(
            [str(BIN / "diancang"), "crawl", str(seeds)],
            env=crawl_env(
                tmp_path,
                DIANCANG_BROWSER_MAX_PAGES="2",
                DIANCANG_BROWSER_PAGE_TIMEOUT="8",
                DIANCANG_BEHAVIOR_TIMEOUT="4",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.exists() and "browser captured" in log.read_text():
                break
            time.sleep(0.1)
        killed = _chromium_pids(process.pid)
        assert killed, "no browser ran"
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        try:
            output, _ = process.communicate(timeout=90)
        finally:
            process.kill()  # a hung crawl must not outlive the test

    assert process.returncode == 0, output[-3000:]
    assert set(pages) <= captured_urls(tmp_path)
    text = log.read_text()
    assert "Launching browser" in text.split("browser captured", 1)[1]  # launched again
    report = json.loads(next((tmp_path / "warcs" / "reports").glob("*.json")).read_text())
    assert report["browser"]["pages"] == len(pages)
    # the kill cost at least one page or download, which was done again
    assert report["browser"]["pages_opened"] > len(pages) or report["browser"].get("errors")
