"""Scrapy's downloader with its per-host concurrency limit enforced
(diancang.upstream.scrapy_downloader), and the start of each transfer stamped.

The moment a request leaves the host's queue for the download handler is stamped in its
meta (``TRANSFER_STARTED``): a response's time budget counts the transfer, never the wait
for politeness.
"""

from __future__ import annotations

from time import monotonic

from scrapy import Request

from diancang.upstream.scrapy_downloader import SlotReservingDownloader

TRANSFER_STARTED = "diancang_transfer_started"  # request meta: monotonic() at download start


class PoliteDownloader(SlotReservingDownloader):
    def transfer_started(self, request: Request) -> None:
        request.meta[TRANSFER_STARTED] = monotonic()
