"""What a crawl's start-up imports: no component it leaves disabled (each import is CPU
that every crawl process pays)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parents[1]
# Scrapy imports every extension of EXTENSIONS_BASE to read the settings, disabled or not
EXTENSIONS = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from crawl_helpers import unstarted_crawler
from scrapy.extension import ExtensionManager
manager = ExtensionManager.from_crawler(unstarted_crawler(Path({data!r})))
print(sorted(type(e).__name__ for e in manager.middlewares))
print("aiohttp" in sys.modules)
"""


def test_extensions_are_built_without_importing_the_remote_control(tmp_path):
    code = EXTENSIONS.format(tests=str(TESTS), data=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    enabled, aiohttp_imported = result.stdout.splitlines()[-2:]
    assert enabled == str(
        ["CoreStats", "FewerCollections", "LogCount", "MemoryUsage", "ProgressLine"]
    )
    assert aiohttp_imported == "False"
