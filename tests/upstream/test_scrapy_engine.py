"""Scrapy's engine asks an idle scheduler for requests again only on its 5 s heartbeat."""

from __future__ import annotations

import json

from scrapy.core.engine import _Slot
from upstream_bugs import assert_shape_error, fresh_python, still_broken

from diancang.upstream import scrapy_engine

# A scheduler with nothing to give at the engine's first ask and a request right after it
# (as a shared frontier whose hosts wait for their delay): prints the seconds between the
# first ask and the next. With "wake", diancang.upstream.scrapy_engine.wake_engine is called
# once the request is there.
LATE_REQUEST = r"""
import json, sys, time
import scrapy
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import CrawlerProcess
from scrapy.utils.asyncio import call_later

asks = []


class LateScheduler(BaseScheduler):
    @classmethod
    def from_crawler(cls, crawler):
        scheduler = cls()
        scheduler.crawler = crawler
        return scheduler

    def has_pending_requests(self):
        return len(asks) < 2

    def enqueue_request(self, request):
        return True

    def next_request(self):
        asks.append(time.monotonic())
        if len(asks) == 1:
            if sys.argv[1] == "wake":
                from diancang.upstream.scrapy_engine import wake_engine

                call_later(0.05, wake_engine, self.crawler.engine)
            return None
        if len(asks) == 2:
            return scrapy.Request("data:,late", callback=lambda response: None)
        return None


class Idle(scrapy.Spider):
    name = "idle"

    async def start(self):
        return
        yield


process = CrawlerProcess({"SCHEDULER": LateScheduler, "LOG_LEVEL": "ERROR"})
process.crawl(Idle)
process.start()
print(json.dumps(asks[1] - asks[0]))
"""


def _second_ask_after(mode: str) -> float:
    return json.loads(fresh_python(LATE_REQUEST, mode))


def test_the_engine_asks_an_idle_scheduler_again_only_on_its_heartbeat():
    still_broken(
        _second_ask_after("plain") > 2.5,  # Scrapy 2.19: _SLOT_HEARTBEAT_INTERVAL, 5 s
        "the engine asking an idle scheduler again only every 5 s",
        "scrapy_engine",
    )


def test_wake_engine_has_the_scheduler_asked_at_once():
    assert _second_ask_after("wake") < 4  # the heartbeat would ask only at 5 s


def test_a_changed_engine_slot_is_refused(monkeypatch):
    def changed(self, close_if_idle, scheduler):
        pass

    monkeypatch.setattr(_Slot, "__init__", changed)
    assert_shape_error(scrapy_engine.check, "scrapy", "scrapy_engine")
