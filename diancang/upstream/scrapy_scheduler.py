"""A request pushed straight onto Scrapy's in-memory scheduler queue.

Scrapy's ``Scheduler`` has no public way to queue a request past its dupefilter: its only
entry, ``enqueue_request``, asks the dupefilter first, which keys a URL once per crawl. The
journal scheduler (crawler/frontier.py) does its own duplicate filtering, per collection, and
pushes with ``Scheduler._mqpush``. Feature request: docs/upstream.md, "Scrapy: no public
push past the dupefilter".
"""

from __future__ import annotations

from scrapy import Request
from scrapy.core.scheduler import Scheduler

from diancang.upstream.shape import expect, parameters


def check() -> None:
    expect(
        parameters(getattr(Scheduler, "_mqpush", None)) == ["self", "request"],
        "scrapy",
        "scrapy_scheduler",
        "scrapy.core.scheduler.Scheduler._mqpush(self, request) is gone",
    )


def push_to_memory_queue(scheduler: Scheduler, request: Request) -> None:
    """Queue ``request`` in ``scheduler``'s memory queue, without dupefilter or stats."""
    scheduler._mqpush(request)


check()
