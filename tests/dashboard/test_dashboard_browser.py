"""The dashboard in real headless Chromium: the numbers, the charts, a screenshot kept."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from console.console_helpers import PASSWORD, add_accounts
from dashboard_data import HEBEI, SJZ, fill
from page_shots import chromium, fill_login, screenshot_path
from served_app import Served


@pytest.mark.slow
def test_an_auditor_sees_the_province_and_its_libraries(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = f"sqlite:///{data_dir / 'catalog.sqlite'}"
    add_accounts(url)
    expected = fill(url, date.today().year)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    served = Served({**env, "DIANCANG_DATA_DIR": str(data_dir)}, tmp_path / "serve.log")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.goto(served.base + "/dashboard")
            fill_login(page, "hebei-auditor", PASSWORD)
            page.wait_for_url(served.base + "/dashboard")
            table = page.locator("#dashboard-table")
            cell = table.locator(f'tr[data-library="{SJZ}"] [data-records]')
            assert cell.get_attribute("data-records") == str(expected[SJZ].records)
            assert table.locator("tr[data-library]").count() == 3
            assert table.locator(f'tr[data-rollup="{HEBEI}"]').is_visible()
            for chart in ("records", "captures", "failures"):
                box = page.locator(f"#chart-{chart} svg").bounding_box()
                assert box and box["width"] > 300 and box["height"] > 20, chart
            # the stylesheet applies under the Content-Security-Policy
            rollup = table.locator("tr.rollup td").first
            assert rollup.evaluate("e => getComputedStyle(e).fontWeight") == "700"
            page.screenshot(path=str(screenshot_path("dashboard")), full_page=True)
    finally:
        served.stop()
    assert screenshot_path("dashboard").stat().st_size > 20_000
