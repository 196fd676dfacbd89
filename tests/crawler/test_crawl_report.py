"""The crawl report names every limit and trap that stopped anything, with examples."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.utils._download_handlers import wrap_twisted_exceptions
from twisted.internet import error
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from diancang.crawler.fetch_errors import fetch_error, underlying_error
from diancang.crawler.network_guard import RefusedAddress
from diancang.crawler.report import build_report, summary
from diancang.crawler.stopped import LimitReached, StopExamples


class _Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count


def _report(stats, examples, listings=None):
    return build_report(stats, examples, listings, job="j", warc_files=[], finish_reason="finished")


def test_stopped_by_has_one_entry_per_limit_and_trap_with_counts_and_examples():
    stats, stops = _Stats(), StopExamples()
    for n in range(7):
        assert stops.add(stats, "depth", f"http://h/d{n}") == "depth"
    stops.add(stats, "depth", "http://h/d0")  # the same URL again: counted once
    assert stops.add(stats, "listing-pages", "http://h/l?page=13", 20) == "limit:listing-pages"
    assert stops.add(stats, "trap:repeated-content", "http://h/x") == "trap:repeated-content"
    assert stops.add(stats, "pages", "http://h/p") == "limit:pages"
    report = _report(stats, stops.examples, {"s:listing": {"pages": 3, "items": 30}})
    assert report["stopped_by"] == [
        {"name": "depth", "not_followed": 7, "examples": [f"http://h/d{n}" for n in range(5)]},
        {"name": "pages", "not_followed": 1, "examples": ["http://h/p"]},
        {"name": "listing-pages", "not_followed": 20, "examples": ["http://h/l?page=13"]},
        {"name": "trap:repeated-content", "not_followed": 1, "examples": ["http://h/x"]},
    ]
    # the keys the report always had keep their counts
    assert report["beyond_depth"] == 7
    assert report["limits"] == {"listing-pages": 20, "pages": 1}
    assert report["traps"] == {"repeated-content": 1}
    assert report["listings"] == {"s:listing": {"pages": 3, "items": 30}}


def test_the_summary_prints_each_limit_including_depth_and_the_listings():
    stats, stops = _Stats(), StopExamples()
    stops.add(stats, "depth", "http://h/deep")
    text = summary(_report(stats, stops.examples, {"s:listing": {"pages": 3, "items": 30}}))
    assert "  stopped by    depth: 1 not followed, e.g. http://h/deep" in text
    assert "  listing       s:listing: 3 pages, 30 items" in text
    assert "stopped by" not in summary(_report(_Stats(), {}))


def test_fetch_errors_are_short_tokens_and_limits_are_not_errors():
    assert fetch_error(Failure(IgnoreRequest("Forbidden by robots.txt"))) == "robots"
    assert fetch_error(Failure(error.DNSLookupError("no.such.host"))).startswith("dns ")
    assert fetch_error(Failure(error.TimeoutError())).startswith("timeout")
    refused = fetch_error(Failure(error.ConnectionRefusedError()))
    assert refused.startswith("connection-refused")
    loopback = fetch_error(Failure(RefusedAddress("h resolves to 127.0.0.1, a loopback address")))
    assert loopback == "refused-address h resolves to 127.0.0.1, a loopback address"
    assert fetch_error(Failure(LimitReached("seed s reached its bytes limit"))) is None
    assert len(fetch_error(Failure(ValueError("x" * 1000)))) < 250


def _wrapped_by_scrapy(exc: Exception) -> Failure:
    """The failure of a download that failed with ``exc``, as Scrapy 2.19's handlers raise it
    (their own error, raised from Twisted's)."""
    with pytest.raises(Exception) as raised:
        with wrap_twisted_exceptions():
            raise exc
    assert raised.value.__cause__ is exc
    return Failure(raised.value)


def test_fetch_error_tokens_name_the_twisted_error_under_scrapys_download_errors():
    dns_failure = _wrapped_by_scrapy(error.DNSLookupError("no.such.host"))
    assert fetch_error(dns_failure) == "dns DNS lookup failed: no.such.host."
    assert type(underlying_error(dns_failure)) is error.DNSLookupError  # the report's count
    refused = fetch_error(_wrapped_by_scrapy(error.ConnectionRefusedError()))
    assert refused.startswith("connection-refused ")
    timeout = fetch_error(_wrapped_by_scrapy(error.TimeoutError()))
    assert timeout.startswith("timeout ")
    # the reasons of Twisted's response errors are failures: the message is the innermost's
    never = ResponseNeverReceived([Failure(error.ConnectionDone())])
    assert (
        fetch_error(_wrapped_by_scrapy(never)) == "connection-lost Connection was closed cleanly."
    )
    lost = fetch_error(_wrapped_by_scrapy(ResponseFailed([Failure(error.ConnectionLost())])))
    assert lost.startswith("connection-lost Connection to the other side was lost")
    # Scrapy raises its own timeout, with no cause, when DOWNLOAD_TIMEOUT runs out
    slow = fetch_error(Failure(DownloadTimeoutError("Getting http://h/ took longer than 1 s.")))
    assert slow == "timeout Getting http://h/ took longer than 1 s."


def test_an_error_no_token_names_is_named_by_what_it_was_raised_from():
    try:
        try:
            raise OSError(28, "No space left on device")
        except OSError as exc:
            raise RuntimeError("could not keep the page") from exc
    except RuntimeError as exc:
        failure = Failure(exc)
    assert fetch_error(failure) == "OSError [Errno 28] No space left on device"
