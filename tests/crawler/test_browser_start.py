"""Playwright (its Node.js driver, then Chromium) starts with the first page that needs the
browser: a crawl with browser detection on whose pages are all plain HTML never starts it."""

from __future__ import annotations

import pytest
from crawl_helpers import run_crawl_cli, write_seed_list
from sites.generated import GeneratedSite

# scrapy-playwright's log line when it starts Playwright
PLAYWRIGHT_STARTED = "Starting download handler"


def _crawl(tmp_path, site: GeneratedSite):
    rows = [
        {"url": url, "title": "站点", "jurisdiction": "500000", "collection": "webarchive"}
        for url in site.seed_urls()
    ]
    crawl = run_crawl_cli(
        tmp_path, write_seed_list(tmp_path / "sites.csv", rows), DIANCANG_BROWSER_DETECT="1"
    )
    log = (tmp_path / "jobs" / "sites" / "crawl.log").read_text(encoding="utf-8")
    return crawl.report, log


@pytest.mark.slow
def test_plain_pages_start_no_playwright(tmp_path):
    with GeneratedSite(hosts=1, pages=3, latency=0.01) as site:
        report, log = _crawl(tmp_path, site)
    assert report["responses"] >= len(site.all_urls())
    assert report["browser"] == {"pages_opened": 0}
    assert PLAYWRIGHT_STARTED not in log


@pytest.mark.slow
def test_a_script_built_page_starts_it_once_and_is_captured_with_the_browser(tmp_path):
    with GeneratedSite(hosts=1, pages=3, latency=0.01, scripted=True) as site:
        report, log = _crawl(tmp_path, site)
    assert report["browser"]["detected"] == 3
    assert report["browser"]["pages_opened"] >= 3
    assert log.count(PLAYWRIGHT_STARTED) == 1  # the http handler's; https has no page
