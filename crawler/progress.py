"""A progress line while crawling: URLs done, queued, bytes, errors, the limits and traps
that stopped anything, files not yet stored; the same figures as JSON in the job
directory's ``progress.json`` (``progress_figures``), which the console's worker reads."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from scrapy import signals
from twisted.internet.task import LoopingCall

from diancang.crawler.context import crawl_context
from diancang.crawler.job import PROGRESS_FILE
from diancang.crawler.stopped import DEPTH, LISTING_PAGES, TRAP_PREFIX, counts
from diancang.storage.base import Backlog
from diancang.storage.files import write_atomic


def _errors(stats: dict) -> int:
    return sum(v for k, v in stats.items() if k.startswith("errors/"))


def progress_figures(stats: dict, queued: int) -> dict:
    """What ``progress.json`` holds: pages done, URLs queued, bytes received, errors, and
    the seconds since the crawl started (pages per minute is pages / seconds)."""
    started = stats.get("start_time")
    elapsed = (datetime.now(UTC) - started).total_seconds() if started else 0.0
    return {
        "pages": stats.get("response_received_count", 0),
        "queued": queued,
        "bytes": stats.get("bytes/received", 0),
        "errors": _errors(stats),
        "elapsed_seconds": round(elapsed, 1),
    }


def progress_line(stats: dict, queued: int, backlog: Backlog) -> str:
    done = stats.get("response_received_count", 0)
    errors = _errors(stats)
    mib = stats.get("bytes/received", 0) / 2**20
    line = f"[crawl] done {done}  queued {queued}  {mib:.1f} MiB  errors {errors}"
    stopped = counts(stats)
    limits = {DEPTH: 0, LISTING_PAGES: 0} | {
        name: count for name, count in stopped.items() if not name.startswith(TRAP_PREFIX)
    }
    traps = sum(count for name, count in stopped.items() if name.startswith(TRAP_PREFIX))
    line += "  limits " + " ".join(f"{name} {count}" for name, count in limits.items())
    line += f"  traps {traps}"
    if backlog.waiting:
        line += f"  spool {len(backlog.waiting)} waiting ({backlog.reason})"
    return line


class ProgressLine:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.path = Path(crawler.settings["DIANCANG_JOB_DIR"]) / PROGRESS_FILE
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
        stats, queued = self.crawler.stats.get_stats(), self._queued()
        print(progress_line(stats, queued, backlog), file=sys.stderr, flush=True)
        figures = json.dumps(progress_figures(stats, queued)).encode("utf-8")
        write_atomic(self.path, figures)

    def _start(self, spider) -> None:
        self._task = LoopingCall(self._print)
        self._task.start(self.interval, now=False)

    def _stop(self, spider) -> None:
        if self._task and self._task.running:
            self._task.stop()
        self._print()
