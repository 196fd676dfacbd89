"""The console in real headless Chromium: log in, see the libraries, keep a screenshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from console_helpers import PASSWORD, add_accounts
from page_shots import chromium, fill_login, screenshot_path
from served_app import Served

LINES_OF_TEXT = """els => els.map(e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
})"""


@pytest.mark.slow
def test_an_admin_logs_in_and_sees_the_libraries(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    add_accounts(f"sqlite:///{data_dir / 'catalog.sqlite'}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    served = Served({**env, "DIANCANG_DATA_DIR": str(data_dir)}, tmp_path / "serve.log")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page.goto(served.base + "/libraries")
            assert page.url.startswith(served.base + "/login")
            fill_login(page, "admin", PASSWORD)
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
            # on a narrow screen the admin's eleven menu entries wrap between entries,
            # never inside one (a label broken over two lines reads as two entries)
            page.set_viewport_size({"width": 900, "height": 800})
            lines = page.locator(".top nav a, .logout span").evaluate_all(LINES_OF_TEXT)
            assert len(lines) == 12 and set(lines) == {1}, lines

            page.get_by_role("button", name="退出登录").click()
            page.wait_for_url(served.base + "/login")
    finally:
        served.stop()
    assert screenshot_path("libraries").stat().st_size > 10_000
