"""Scrapy's downloader with its per-host concurrency limit enforced.

Scrapy 2.19 counts a download against its slot only when the download's task runs, so
``Downloader._process_queue`` starts a host's whole queue at once and
CONCURRENT_REQUESTS_PER_DOMAIN is not held. :class:`SlotReservingDownloader` is Scrapy's
``_process_queue`` with the one line it lacks: the slot is reserved before the task is
created (``_download`` adds the request again, to a set, and frees it when done). Bug
report: docs/upstream.md, "Scrapy: per-domain concurrency exceeded".
"""

from __future__ import annotations

from time import monotonic

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

from diancang.upstream.shape import expect, parameters, source_hash

# sha256 of Scrapy 2.19's Downloader._process_queue and _download, which the copy below
# repeats and relies on
UPSTREAM_SOURCE = "1bebc911dc47cc91"


def check() -> None:
    expect(
        all(callable(getattr(Downloader, name, None)) for name in ("_latercall", "_download"))
        and parameters(getattr(Downloader, "_wait_for_download", None))
        == ["self", "slot", "request", "queue_dfd"]
        and callable(_schedule_coro),
        "scrapy",
        "scrapy_downloader",
        "Downloader._latercall, _download or _wait_for_download(slot, request, queue_dfd) is gone",
    )
    expect(
        source_hash(Downloader._process_queue, Downloader._download) == UPSTREAM_SOURCE,
        "scrapy",
        "scrapy_downloader",
        "the source of Downloader._process_queue or _download differs from the copy",
    )


class SlotReservingDownloader(Downloader):
    """Scrapy's downloader; :meth:`transfer_started` is called as a request leaves its queue."""

    def transfer_started(self, request: Request) -> None:
        """Called when ``request`` leaves its host's queue for the download handler."""

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
            self.transfer_started(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break


check()
