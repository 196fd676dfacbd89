"""The console's pages in real headless Chromium, and their screenshots, written for a person
to look at after a test run.

Screenshots go to ``tests/screenshots/`` (git-ignored), one PNG per page, overwritten each run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright import sync_api

SCREENSHOTS_DIR = Path(__file__).resolve().parent / "screenshots"
# `make test` installs Debian's Chromium; a missing browser must fail, not skip.
CHROMIUM = os.environ.get("DIANCANG_CHROMIUM", "/usr/bin/chromium")


def screenshot_path(name: str) -> Path:
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    return SCREENSHOTS_DIR / f"{name}.png"


@contextmanager
def chromium() -> Iterator[sync_api.Browser]:
    """Debian's Chromium, headless, driven by Playwright; closed afterwards."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def fill_login(page: sync_api.Page, username: str, password: str) -> None:
    """Fill the console's login form on ``page`` and submit it."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
