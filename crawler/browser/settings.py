"""scrapy-playwright settings for Debian's Chromium, whose every connection is guarded."""

from __future__ import annotations

from diancang.settings import CrawlSettings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these Chromium phones home at start, which a closed network refuses
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The window a page is captured in (Playwright's default, written down because QA replays
# pages in the same one to compare screenshots)
VIEWPORT = {"width": 1280, "height": 720}
# Options of every browser context: a service worker would outlive its page and fetch
# outside the page's scope check
CONTEXT_OPTIONS = {"service_workers": "block", "viewport": VIEWPORT}


def playwright_settings(crawl: CrawlSettings) -> dict:
    handler = "diancang.crawler.browser.handler.CrashSafePlaywrightHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": crawl.chromium,
            "headless": True,
            "args": CHROMIUM_ARGS,  # the handler adds the flags of its proxy
        },
        # no cap on contexts: a capped count deadlocked when queued pages spanned more
        # contexts than allowed; retired contexts close as soon as their pages are done
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": crawl.browser_max_pages,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": crawl.browser_page_timeout * 1000,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        # the abort predicate is the crawl's BrowserScope, which the handler sets itself
    }
