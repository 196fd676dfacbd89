"""A crashed browser is restarted and its pages retried, without losing the crawl."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from urllib.parse import urlsplit

import psutil
import pytest
from crawl_helpers import BIN, captured_urls, crawl_env, write_seed_list

from diancang.demo_portal.server import DemoPortal
from diancang.demo_portal.serving import PageHandler


def _chromium_pids(pid: int) -> list[int]:
    pids = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "chrom" in " ".join(child.cmdline()):
                pids.append(child.pid)
        except psutil.Error:  # gone meanwhile
            pass
    return pids


def _hold_first_navigation(monkeypatch, path: str) -> tuple[threading.Event, threading.Event]:
    """Holds the browser's first navigation to ``path`` until released, so the browser can
    be killed while that page is certainly open (a kill between pages would cost nothing)."""
    arrived, released = threading.Event(), threading.Event()
    original = PageHandler.wait_latency

    def wait_latency(handler: PageHandler, seconds: float) -> None:
        navigation = handler.headers.get("Sec-Fetch-Mode") == "navigate"
        if navigation and urlsplit(handler.path).path == path and not arrived.is_set():
            arrived.set()
            released.wait(30)
        original(handler, seconds)

    monkeypatch.setattr(PageHandler, "wait_latency", wait_latency)
    return arrived, released


@pytest.mark.slow
def test_killed_browser_is_restarted_and_every_page_captured(tmp_path, monkeypatch):
    with DemoPortal(port=0, latency=0.2).start() as portal:
        pages = [portal.document_url(doc) for doc in portal.documents()[:8]]
        arrived, released = _hold_first_navigation(monkeypatch, urlsplit(pages[3]).path)
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
        assert arrived.wait(60), "the browser never opened the held page"
        killed = _chromium_pids(process.pid)
        assert killed, "no browser ran"
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        released.set()
        try:
            output, _ = process.communicate(timeout=90)
        finally:
            process.kill()  # a hung crawl must not outlive the test

    assert process.returncode == 0, output[-3000:]
    assert set(pages) <= captured_urls(tmp_path)
    text = log.read_text()
    assert text.count("Launching browser") >= 2  # launched again after the kill
    report = json.loads(next((tmp_path / "warcs" / "reports").glob("*.json")).read_text())
    assert report["browser"]["pages"] == len(pages)
    # the held page was open when the browser died, and was opened again
    assert report["browser"]["pages_opened"] > len(pages) or report["browser"].get("errors")
