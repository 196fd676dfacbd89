"""Downloader middlewares that bound each response and write every exchange to WARC."""

from __future__ import annotations

import time

from scrapy import Request, signals
from scrapy.exceptions import StopDownload
from scrapy.http import Response

from diancang.crawler.context import crawl_context
from diancang.crawler.downloader import TRANSFER_STARTED
from diancang.crawler.recrawl import counted
from diancang.crawler.request_meta import CONDITIONAL
from diancang.crawler.shared_state import worker_id
from diancang.crawler.stop import stop_crawl
from diancang.crawler.warc.revisit_index import RevisitIndexes
from diancang.crawler.warc.sink import WarcSink
from diancang.upstream import twisted_headers


def warc_sink(crawler) -> WarcSink:
    """The crawl's single WARC sink, created on first use and closed with the spider."""
    sink = getattr(crawler, "_diancang_warc_sink", None)
    if sink is None:
        context = crawl_context(crawler)
        store, config = context.store, context.settings

        def on_close(path, collection):
            context.warcs.append(store.commit(path, collection))
            crawler.stats.inc_value("warc/files")

        def on_write_error(reason: str) -> None:
            stop_crawl(crawler, reason)

        sink = WarcSink(
            store.spool_dir,
            RevisitIndexes(config.dedup_url, config.data_dir / "dedup"),
            config.operator,
            config.crawl.warc_max_size,
            on_close,
            on_write_error,
            crawler.stats,
            worker_id(config) if config.frontier_url else None,
        )
        crawler._diancang_warc_sink = sink
        crawler.signals.connect(sink.close, signal=signals.spider_closed)
    return sink


class ResponseLimitsMiddleware:
    """Cuts responses that are too long or too slow, keeping what arrived, and marks bodies
    the server did not finish.

    Scrapy's DOWNLOAD_MAXSIZE drops an oversized response entirely; an archive keeps the
    first bytes and marks the record ``WARC-Truncated``. DOWNLOAD_MAXSIZE stays in force for
    decompression (HttpCompressionMiddleware), which is the decompression-bomb guard.

    The time budget runs from the start of the download (the downloader's
    ``TRANSFER_STARTED``), not from the request's arrival in the host's queue. A body that
    ended before its Content-Length or its last chunk (Scrapy flags it ``dataloss``, since
    DOWNLOAD_FAIL_ON_DATALOSS is off to keep what arrived) is marked ``disconnect``.
    """

    def __init__(self, crawler, max_bytes: int, max_seconds: float):
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self.stats = crawler.stats
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler):
        crawl = crawl_context(crawler).settings.crawl
        return cls(crawler, crawl.max_response_bytes, crawl.timeout)

    def process_request(self, request: Request) -> None:
        request.meta["download_maxsize"] = 0  # no cancel in the handler: we cut instead
        request.meta.pop("truncated", None)  # a retried request starts whole
        request.meta["_received"] = 0

    def _bytes_received(self, data: bytes, request: Request, spider) -> None:
        meta = request.meta
        if "truncated" in meta:  # already stopping
            raise StopDownload(fail=False)
        meta["_received"] = meta.get("_received", 0) + len(data)
        if meta["_received"] > self.max_bytes:
            meta["truncated"] = "length"
        elif time.monotonic() - meta[TRANSFER_STARTED] > self.max_seconds:
            meta["truncated"] = "time"
        else:
            return
        self.stats.inc_value(f"truncated/{meta['truncated']}")
        raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta.pop("download_maxsize", None)
        if "dataloss" in response.flags and "truncated" not in request.meta:
            request.meta["truncated"] = "disconnect"
            self.stats.inc_value("truncated/disconnect")
        if request.meta.get("truncated") == "length" and len(response.body) > self.max_bytes:
            response = response.replace(body=response.body[: self.max_bytes])
        return response


class WarcRecorderMiddleware:
    """Writes request and response (or revisit) as received, before decompression."""

    def __init__(self, crawler):
        self.context = crawl_context(crawler)
        self.sink = warc_sink(crawler)
        self.stats = crawler.stats
        twisted_headers.install()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        request.meta["warc_date"] = self.sink.now()

    def process_response(self, request: Request, response: Response) -> Response:
        if "playwright" in response.flags:  # the browser capture wrote every exchange
            return response
        seed = self.context.seed_of(request)
        date = request.meta.get("warc_date") or self.sink.now()
        truncated = request.meta.get("truncated")
        record_id = self.sink.record_exchange(
            seed,
            request,
            response,
            date,
            truncated,
            asked_about=request.meta.get(CONDITIONAL),
            counted=counted(request),
        )
        request.meta["warc_record_id"] = record_id
        self.context.budget.add_bytes(seed, len(response.body))
        return response
