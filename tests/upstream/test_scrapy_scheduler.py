"""Scrapy's scheduler has no public way to queue a request past its dupefilter."""

from __future__ import annotations

from scrapy.core.scheduler import Scheduler
from upstream_bugs import assert_shape_error, still_broken

from diancang.upstream import scrapy_scheduler

# Scheduler's public methods in Scrapy 2.19: enqueue_request always asks the dupefilter
PUBLIC_2_19 = {"close", "enqueue_request", "from_crawler", "has_pending_requests"}
PUBLIC_2_19 |= {"next_request", "open"}


def test_the_scheduler_still_has_no_public_push():
    public = {name for name in dir(Scheduler) if not name.startswith("_")}
    still_broken(
        public <= PUBLIC_2_19,
        f"Scheduler's missing public push (new public methods: {sorted(public - PUBLIC_2_19)})",
        "scrapy_scheduler",
    )


def test_a_missing_mqpush_is_refused(monkeypatch):
    monkeypatch.delattr(Scheduler, "_mqpush")
    assert_shape_error(scrapy_scheduler.check, "scrapy", "scrapy_scheduler")
