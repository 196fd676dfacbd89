"""Which requests the conditional middleware asks with validators, and which it clears."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from scrapy import Request

from diancang.crawler.conditional import ConditionalRequestMiddleware
from diancang.crawler.request_meta import CONDITIONAL, LISTING, SEED_ID
from diancang.crawler.warc.captures import Capture, CaptureIndex
from diancang.crawler.warc.dedup import Original
from diancang.seeds.schema import Limits, Scope, Seed

STORED = "http://127.0.0.1:8080/item/1.html"
SEED = Seed("s", "http://127.0.0.1:8080/", "t", "500000", "govinfo", Scope(), Limits())
CAPTURE = Capture(
    '"v1"',
    "Tue, 05 Mar 2024 02:00:00 GMT",
    "sha1:AAAA",
    Original(STORED, "2026-11-30T08:00:00Z", "<urn:uuid:1>"),
)


def _middleware(tmp_path, recrawl: str) -> ConditionalRequestMiddleware:
    """The middleware over a real capture index holding STORED, for one seed."""
    index = CaptureIndex(tmp_path / "captures.sqlite")
    index.add(STORED, CAPTURE)
    seed = replace(SEED, recrawl=recrawl)
    middleware = ConditionalRequestMiddleware.__new__(ConditionalRequestMiddleware)
    middleware.context = SimpleNamespace(seed_of=lambda request: seed)
    middleware.sink = SimpleNamespace(captured=lambda seed, url: index.lookup(url))
    return middleware


def _request(url: str, **meta) -> Request:
    return Request(url, meta={SEED_ID: "s", "hops": "L", **meta})


def test_a_stored_page_is_asked_for_with_its_validators(tmp_path):
    request = _request(STORED)
    _middleware(tmp_path, "changed").process_request(request)
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == b"Tue, 05 Mar 2024 02:00:00 GMT"
    assert request.meta[CONDITIONAL] == CAPTURE


def test_listing_pages_and_other_modes_are_fetched_in_full(tmp_path):
    for recrawl, meta in (("changed", {LISTING: "s:listing"}), ("all", {}), ("new", {})):
        request = _request(STORED, **meta)
        _middleware(tmp_path, recrawl).process_request(request)
        assert b"If-None-Match" not in request.headers and CONDITIONAL not in request.meta


def test_validators_copied_from_another_url_are_dropped(tmp_path):
    """A redirect copies its request's headers and meta to the request that follows it."""
    request = _request(
        "http://127.0.0.1:8080/moved.html",
        **{CONDITIONAL: CAPTURE},
    )
    request.headers["If-None-Match"] = '"v1"'
    request.headers["If-Modified-Since"] = "Tue, 05 Mar 2024 02:00:00 GMT"
    _middleware(tmp_path, "changed").process_request(request)
    assert b"If-None-Match" not in request.headers
    assert b"If-Modified-Since" not in request.headers
    assert CONDITIONAL not in request.meta
