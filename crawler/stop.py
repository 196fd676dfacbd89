"""Stop a crawl that can no longer keep what it fetches (a full disk, a lost volume)."""

from __future__ import annotations

import logging

from scrapy.utils.defer import deferred_from_coro

log = logging.getLogger(__name__)
STOPPED_REASON = "stopped/reason"  # stats key: why the crawl was stopped, once it is


def crawl_stopped(stats) -> bool:
    """Whether the crawl was stopped: from then on no frontier marks a request done, so the
    requests whose capture failed with the write are fetched again by ``--resume``."""
    return bool(stats.get_value(STOPPED_REASON))


def stop_crawl(crawler, reason: str) -> None:
    """Close the spider with ``reason``; what was written so far stays valid.

    The crawl then ends with that reason instead of "finished", so `diancang crawl` exits
    with an error that names it, and `--resume` continues once the cause is fixed.
    """
    if crawl_stopped(crawler.stats):
        return
    crawler.stats.set_value(STOPPED_REASON, reason)
    log.error("%s; stopping the crawl, everything written so far is kept", reason)
    deferred_from_coro(crawler.engine.close_spider_async(reason=reason))
