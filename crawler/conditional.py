"""Conditional requests for recrawl mode ``changed``: ask whether a stored page changed.

A page the collection already holds (crawler/warc/captures.py) is requested with the
validators of its stored 200 response, ``If-None-Match`` (its ETag) and
``If-Modified-Since`` (its Last-Modified). The WARC recorder, nearer the downloader, writes
the request with these headers as sent, and a ``304 Not Modified`` answer as a
server-not-modified revisit of the stored capture (crawler/warc/sink.py).
"""

from __future__ import annotations

from scrapy import Request

from diancang.crawler.context import crawl_context
from diancang.crawler.recording import warc_sink
from diancang.crawler.recrawl import CHANGED, mode_applies
from diancang.crawler.request_meta import CONDITIONAL

IF_NONE_MATCH, IF_MODIFIED_SINCE = "If-None-Match", "If-Modified-Since"


class ConditionalRequestMiddleware:
    def __init__(self, crawler):
        self.context = crawl_context(crawler)
        self.sink = warc_sink(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        # A redirect or a retry copies the headers and meta of the request it follows: the
        # validators asked for another URL, or for an earlier attempt, are dropped first.
        request.headers.pop(IF_NONE_MATCH, None)
        request.headers.pop(IF_MODIFIED_SINCE, None)
        request.meta.pop(CONDITIONAL, None)
        if not mode_applies(request) or request.meta.get("browser"):
            return
        seed = self.context.seed_of(request)
        if seed.recrawl != CHANGED or seed.browser:  # the browser sends its own requests
            return
        capture = self.sink.captured(seed, request.url)
        if capture is None or not (capture.etag or capture.last_modified):
            return
        if capture.etag:
            request.headers[IF_NONE_MATCH] = capture.etag
        if capture.last_modified:
            request.headers[IF_MODIFIED_SINCE] = capture.last_modified
        request.meta[CONDITIONAL] = capture
