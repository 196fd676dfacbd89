"""Scrapy's downloader with its per-host concurrency limit enforced.

Scrapy 2.19 starts each download as an asyncio task and counts it against its slot only
when the task runs, so ``_process_queue`` empties a host's whole queue at once: with
CONCURRENT_REQUESTS_PER_DOMAIN = 2 a server saw 20-26 requests in flight (scrapy/scrapy
#6982 describes the symptom). Reserving the slot before the task is created restores the
limit; ``_download`` adds the request again (a set) and frees it when done.

The moment a request leaves the host's queue for the download handler is stamped in its
meta (``TRANSFER_STARTED``): a response's time budget counts the transfer, never the wait
for politeness.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

TRANSFER_STARTED = "diancang_transfer_started"  # request meta: monotonic() at download start


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # the one line Scrapy's version lacks
            request.meta[TRANSFER_STARTED] = monotonic()
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
