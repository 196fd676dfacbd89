"""The script-built list in a real browser (Debian's Chromium through Playwright):
first page on load, the next on "加载更多", the last on scrolling to the bottom."""

from __future__ import annotations

import pytest
from page_shots import CHROMIUM
from playwright import sync_api

from diancang.demo_portal.server import DemoPortal

COUNT = "document.querySelectorAll('#dyn-list li').length"


@pytest.mark.slow
def test_dynamic_list_loads_on_click_and_on_scroll(demo_portal: DemoPortal) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(demo_portal.dynamic_page_url(), wait_until="networkidle")
            assert page.evaluate(COUNT) == demo_portal.dynamic_initial_count()

            # A click event, not page.click: that scrolls the button into view first, and
            # the scroll may itself load every page and hide the button before the click.
            page.dispatch_event("button.load-more", "click")
            page.wait_for_function(f"{COUNT} >= {2 * demo_portal.dynamic_initial_count()}")

            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            page.wait_for_function(f"{COUNT} >= {demo_portal.dynamic_item_count()}")
            page.wait_for_function("document.querySelector('button.load-more').hidden")
            assert page.inner_text("#dyn-status") == "没有更多了"

            page.evaluate("window.scrollTo(0, 0)")
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            page.wait_for_load_state("networkidle")
            assert page.evaluate(COUNT) == demo_portal.dynamic_item_count()
            hrefs = page.eval_on_selector_all("#dyn-list a", "links => links.map(a => a.href)")
            assert set(hrefs) <= demo_portal.expected_urls()
        finally:
            browser.close()
