"""The console in real headless Chromium: log in, see the libraries, keep a screenshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from console_helpers import PASSWORD, add_accounts
from page_shots import screenshot_path
from playwright import sync_api
from served_app import Served

# `make test` installs Debian's Chromium; a missing browser must fail, not skip.
CHROMIUM = os.environ.get("DIANCANG_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.slow
def test_an_admin_logs_in_and_sees_the_libraries(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    add_accounts(f"sqlite:///{data_dir / 'catalog.sqlite'}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    served = Served({**env, "DIANCANG_DATA_DIR": str(data_dir)}, tmp_path / "serve.log")
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
                page.goto(served.base + "/libraries")
                assert page.url.startswith(served.base + "/login")
                page.get_by_label("用户名").fill("admin")
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_role("button", name="登录").click()
                page.wait_for_url(served.base + "/libraries")
                rows = page.locator("tbody tr")
                assert rows.count() == 4
                assert "130123 河北省石家庄市正定县" in rows.nth(2).inner_text()
                assert page.locator("nav a.current").inner_text() == "图书馆"
                assert page.get_by_role("button", name="登记").is_visible()
                # the stylesheet loaded under the strict Content-Security-Policy
                header = page.locator("header.top")
                assert header.evaluate("e => getComputedStyle(e).display") == "flex"
                page.screenshot(path=str(screenshot_path("libraries")), full_page=True)

                page.get_by_role("button", name="退出登录").click()
                page.wait_for_url(served.base + "/login")
            finally:
                browser.close()
    finally:
        served.stop()
    assert screenshot_path("libraries").stat().st_size > 10_000
