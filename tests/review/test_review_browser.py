"""The review pages in real headless Chromium: the queue, one page with its QA screenshots
loaded under the console's Content-Security-Policy, an approval; screenshots kept."""

from __future__ import annotations

import pytest
from console.console_helpers import PASSWORD
from page_shots import chromium, fill_login, screenshot_path
from review_helpers import Page


@pytest.mark.slow
def test_a_curator_reviews_a_page_in_chromium(console):
    qa = console.data_dir / "qa" / "browser"
    qa.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(console.base + "/login")
        for name, width in (("capture", 640), ("replay", 600), ("diff", 620)):  # real PNGs
            page.set_viewport_size({"width": width, "height": 400})
            page.screenshot(path=str(qa / f"{name}.png"))
        page.set_viewport_size({"width": 1280, "height": 900})
        job, (worst, _good) = console.job(
            "石家庄市图书馆",
            [
                Page(
                    "http://sjz.example/browser/notice.html",
                    (0.42, 0.81),
                    missing=["http://sjz.example/browser/seal.png"],
                    images={n: f"browser/{n}.png" for n in ("capture", "replay", "diff")},
                    capture_text="市政府办公室关于印发实施方案的通知。各区县人民政府。",
                    replay_text="市政府办公室关于印发实施方案的通知。",
                ),
                Page("http://sjz.example/browser/ok.html", (0.98, 0.99)),
            ],
        )
        fill_login(page, "sjz-curator", PASSWORD)
        page.wait_for_url(console.base + "/libraries")
        page.goto(f"{console.base}/review?job={job}")
        rows = page.locator("table.review-items tbody tr")
        assert rows.count() == 2 and rows.nth(0).get_attribute("data-capture-id") == str(worst)
        assert page.locator("nav a.current").inner_text() == "审核"
        page.screenshot(path=str(screenshot_path("review-queue")), full_page=True)

        rows.nth(0).get_by_role("link").click()
        page.wait_for_url(f"{console.base}/review/{worst}")
        shots = page.locator("#qa-shots img")
        assert shots.count() == 3
        for n in range(3):  # served by the console, allowed by img-src 'self'
            assert shots.nth(n).evaluate("img => img.complete && img.naturalWidth") > 500
        assert page.locator("#text-diff del").inner_text() == "各区县人民政府。"
        assert page.locator("#qa-missing").inner_text() == "http://sjz.example/browser/seal.png"
        assert page.locator("#decide-patch input[name=missing]").is_checked()
        page.screenshot(path=str(screenshot_path("review-item")), full_page=True)

        page.locator("#decide-approve").get_by_role("button", name="通过").click()
        page.wait_for_url(f"{console.base}/review/{worst}")
        assert page.locator("#review-state").get_attribute("data-state") == "approved"
        assert page.locator("#review-history tr[data-action=approve]").count() == 1
    assert screenshot_path("review-item").stat().st_size > 10_000
