"""Screenshots of the console's pages, written for a person to look at after a test run.

They go to ``tests/screenshots/`` (git-ignored), one PNG per page, overwritten each run.
"""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS_DIR = Path(__file__).resolve().parent / "screenshots"


def screenshot_path(name: str) -> Path:
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    return SCREENSHOTS_DIR / f"{name}.png"
