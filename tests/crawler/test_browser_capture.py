"""Script-built pages captured with Chromium replay complete, with nothing from the live web."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import pytest
from crawl_helpers import records, run_crawl_cli, write_seed_list
from playwright.sync_api import sync_playwright
from pywb_runner import Pywb

from diancang.crawler.browser.settings import CHROMIUM_ARGS
from diancang.demo_portal.server import DemoPortal

CHROMIUM = os.environ.get("DIANCANG_CHROMIUM", "/usr/bin/chromium")
COLLECTION = "govinfo-500000"
SCROLL = "() => window.scrollTo(0, document.documentElement.scrollHeight)"
CLICK_MORE = (
    "() => { const b = document.querySelector('button.load-more'); if (!b.hidden) b.click(); }"
)
# a round (a click, a scroll) may take this many seconds to show more items: the replay of
# each list.json goes through pywb, slow on a loaded machine
ROUND_WAIT = 5.0
MAX_ROUNDS = 20


@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    """The dynamic list crawled with the browser and HTTP-only; the portal is then shut."""
    root = tmp_path_factory.mktemp("browser")
    with DemoPortal(port=0).start() as portal:
        row = {"url": portal.dynamic_page_url(), "title": "信息公开目录", "jurisdiction": "500000",
               "collection": "govinfo", "depth": "0"}  # fmt: skip
        browser = run_crawl_cli(
            root / "browser", write_seed_list(root / "browser.csv", [{**row, "browser": "true"}])
        )
        http_only = run_crawl_cli(
            root / "http", write_seed_list(root / "http.csv", [row]), DIANCANG_BROWSER_DETECT="0"
        )
        live = {urlsplit(portal.base_url).netloc, urlsplit(portal.files_url).netloc}
        expected = portal.dynamic_item_count(), portal.dynamic_page_url()
    return browser, http_only, live, expected


def _replay_item_count(data_dir, url: str, live: set[str]) -> tuple[int, list[str], list[str]]:
    """Items shown by the replayed page after the same clicks and scrolls a reader makes."""
    wayback = Pywb.for_data_dir(data_dir)
    leaked, misses = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.on(
                "request",
                lambda r: leaked.append(r.url) if urlsplit(r.url).netloc in live else None,
            )
            page.on(
                "response",
                lambda r: misses.append(r.url) if r.status == 404 and "/_/" not in r.url else None,
            )
            # pywb's framed replay: the archived page runs in #replay_iframe
            page.goto(f"{wayback.base}{COLLECTION}/{url}", wait_until="load")
            frame = page.frame_locator("#replay_iframe")
            frame.locator("#dyn-list").wait_for(state="attached")
            count = 0
            for _ in range(MAX_ROUNDS):  # until a round shows no more items
                frame.locator("body").evaluate(CLICK_MORE)
                frame.locator("body").evaluate(SCROLL)
                deadline = time.monotonic() + ROUND_WAIT
                while (shown := frame.locator("#dyn-list li").count()) == count:
                    if time.monotonic() > deadline:
                        break
                    page.wait_for_timeout(200)
                if shown == count:
                    break
                count = shown
            browser.close()
    finally:
        wayback.stop()
    return count, leaked, misses


def test_browser_capture_replays_every_item_without_the_live_site(captures):
    browser, _, live, (item_count, url) = captures
    count, leaked, misses = _replay_item_count(browser.data_dir, url, live)
    assert count == item_count == 24
    assert leaked == []
    assert misses == []


def test_http_only_capture_of_the_same_page_replays_fewer_items(captures):
    _, http_only, live, (item_count, url) = captures
    count, leaked, _ = _replay_item_count(http_only.data_dir, url, live)
    # The HTML has an empty list; its items come from list.json, which only a browser fetches.
    assert count == 0 < item_count
    assert leaked == []


def test_every_exchange_of_the_page_is_recorded_with_evidence(captures):
    browser, _, _, (_, url) = captures
    all_records = list(records(browser.data_dir))
    responses = {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for r in all_records
        if r.rec_type in ("response", "revisit")
    }
    api = [u for u in responses if "/xxgk/api/list.json?page=" in u]
    assert len(api) == 3  # first page on load, the others by click or scroll
    assert any(u.endswith("/js/dynamic.js") for u in responses)
    for record in all_records:
        if record.rec_type in ("request", "response"):
            assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"

    document_id = responses[url].rec_headers.get_header("WARC-Record-ID")
    evidence = {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for r in all_records
        if r.rec_type == "resource"
    }
    screenshot = evidence[f"urn:screenshot:{url}"]
    assert screenshot.content.startswith(b"\x89PNG")
    assert screenshot.rec_headers.get_header("WARC-Concurrent-To") == document_id
    assert evidence[f"urn:thumbnail:{url}"].content.startswith(b"\xff\xd8")
    text = evidence[f"urn:text:{url}"].content.decode("utf-8")
    assert text.count("\n") > 24 and "没有更多了" in text
    assert browser.report["by_status"]["200"] >= 8


@pytest.mark.slow
def test_a_browser_seed_without_chromium_is_a_clear_error(tmp_path):
    seeds = write_seed_list(
        tmp_path / "b.csv",
        [
            {
                "url": "http://127.0.0.1:9/",
                "title": "t",
                "jurisdiction": "500000",
                "collection": "govinfo",
                "browser": "true",
            }
        ],  # fmt: skip
    )
    from crawl_helpers import crawl_env, diancang

    result = diancang(
        "crawl", str(seeds), env=crawl_env(tmp_path, DIANCANG_CHROMIUM="/nonexistent/chromium")
    )
    assert result.returncode == 1
    assert "/nonexistent/chromium is not an executable Chromium" in result.stderr
