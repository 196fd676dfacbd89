"""Fewer garbage collections during a crawl (a Scrapy extension).

A crawl allocates many short-lived objects per page (requests, responses, parsed trees,
records), so CPython's generation-0 collection, every 700 allocations by default, runs
thousands of times, and each full collection walks again every object of start-up (Scrapy,
Twisted, lxml, SQLAlchemy modules). At engine start the start-up objects are collected
once and frozen out of later collections, and generation 0 waits for more allocations;
reference counting still frees most objects at once. The thresholds and the frozen objects
are given back when the engine stops.
"""

from __future__ import annotations

import gc

from scrapy import signals

# allocations net of frees before a generation-0 collection (CPython's default: 700)
GEN0_THRESHOLD = 10_000


class FewerCollections:
    def __init__(self) -> None:
        self._thresholds: tuple[int, ...] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls()
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        self._thresholds = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(GEN0_THRESHOLD, *self._thresholds[1:])

    def engine_stopped(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            gc.unfreeze()
            self._thresholds = None
