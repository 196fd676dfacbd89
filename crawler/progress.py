"""A progress line while crawling: URLs done, queued, bytes, errors, files not yet stored."""

from __future__ import annotations

import sys

from scrapy import signals
from twisted.internet.task import LoopingCall

from diancang.crawler.context import crawl_context
from diancang.storage.base import Backlog


def progress_line(stats: dict, queued: int, backlog: Backlog) -> str:
    done = stats.get("response_received_count", 0)
    errors = sum(v for k, v in stats.items() if k.startswith("errors/"))
    mib = stats.get("bytes/received", 0) / 2**20
    line = f"[crawl] done {done}  queued {queued}  {mib:.1f} MiB  errors {errors}"
    if backlog.waiting:
        line += f"  spool {len(backlog.waiting)} waiting ({backlog.reason})"
    return line


class ProgressLine:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self._task: LoopingCall | None = None
        crawler.signals.connect(self._start, signal=signals.spider_opened)
        crawler.signals.connect(self._stop, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getfloat("DIANCANG_PROGRESS_INTERVAL", 5.0))

    def _queued(self) -> int:
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        return len(scheduler) if scheduler is not None else 0

    def _print(self) -> None:
        backlog = crawl_context(self.crawler).store.backlog()
        line = progress_line(self.crawler.stats.get_stats(), self._queued(), backlog)
        print(line, file=sys.stderr, flush=True)

    def _start(self, spider) -> None:
        self._task = LoopingCall(self._print)
        self._task.start(self.interval, now=False)

    def _stop(self, spider) -> None:
        if self._task and self._task.running:
            self._task.stop()
        self._print()
