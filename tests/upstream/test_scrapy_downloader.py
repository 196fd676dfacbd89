"""Scrapy's downloader lets a host see more requests at once than CONCURRENT_REQUESTS_PER_DOMAIN."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scrapy.core.downloader import Downloader
from sites.generated import GeneratedSite
from sites.request_probe import RequestProbe
from upstream_bugs import assert_shape_error, still_broken

from diancang.upstream import scrapy_downloader

PEER = Path(__file__).parents[1] / "benchmarks" / "crawl_scrapy_peer.py"


def test_plain_scrapy_exceeds_two_requests_per_host(tmp_path):
    """Bare Scrapy, CONCURRENT_REQUESTS_PER_DOMAIN = 2, one host of interlinked pages."""
    result_path = tmp_path / "result.json"
    probe = RequestProbe()
    with GeneratedSite(hosts=1, pages=40, latency=0.05) as site, probe.installed():
        run = subprocess.run(
            [sys.executable, str(PEER), str(result_path), *site.seed_urls()],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(result_path.read_text())["responses"] >= 40
    still_broken(
        max(probe.peak.values()) > 2,
        "Downloader._process_queue starting more downloads than CONCURRENT_REQUESTS_PER_DOMAIN",
        "scrapy_downloader",
    )


def test_a_changed_process_queue_is_refused(monkeypatch):
    monkeypatch.setattr(Downloader, "_process_queue", lambda self, slot: None)
    assert_shape_error(scrapy_downloader.check, "scrapy", "scrapy_downloader")


def test_a_changed_wait_for_download_is_refused(monkeypatch):
    monkeypatch.setattr(Downloader, "_wait_for_download", lambda self, slot, request: None)
    assert_shape_error(scrapy_downloader.check, "scrapy", "scrapy_downloader")
