"""Names private to the libraries Diancang patches appear in diancang/upstream/ only."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
# private name: the one module of the fence that may use it
FENCED = {
    "_newclient": "twisted_headers.py",
    "_process_queue": "scrapy_downloader.py",
    "_schedule_coro": "scrapy_downloader.py",
    "_wait_for_download": "scrapy_downloader.py",
    "_latercall": "scrapy_downloader.py",
    "_mqpush": "scrapy_scheduler.py",
    "_parsers": "scrapy_robots.py",
    "_parse_robots": "scrapy_robots.py",
    "_parserimpl": "scrapy_robots.py",
    "_slot": "scrapy_engine.py",
    "_Slot": "scrapy_engine.py",
    "_browser_disconnected_callback": "scrapy_playwright_crash.py",
    "_make_close_page_callback": "scrapy_playwright_crash.py",
    "_launch": "scrapy_playwright_crash.py",
    "_maybe_launch_in_thread": "scrapy_playwright_crash.py",
    "_unbrotli": "scrapy_compression.py",
    "_inflate": "scrapy_compression.py",
    "_unzstd": "scrapy_compression.py",
    "scrapy.utils._compression": "scrapy_compression.py",
    "_create_record_iter": "cdxj_bounded.py",
    "DEFAULT_RECORDS": "wacz_indexer.py",
}


def _product_modules() -> list[Path]:
    """Every .py file the wheel installs (pyproject's package-dir folders)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    folders = set(pyproject["tool"]["setuptools"]["package-dir"].values())
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("name", sorted(FENCED))
def test_a_private_name_is_used_in_its_fence_module_only(name):
    pattern = re.compile(rf"(?<!\w){re.escape(name)}\b")
    users = [
        str(path.relative_to(ROOT))
        for path in _product_modules()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert users == [f"diancang/upstream/{FENCED[name]}"]
