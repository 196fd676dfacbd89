"""Declared listings: every page of a URL-template listing and of a JSON listing is
requested although no page links the next, every item is captured and catalogued with the
default depth, and the JSON pages are archived and replay in pywb."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from crawl_helpers import BIN, captured_urls, records, run_crawl_cli, warc_files, write_seed_list
from pywb_runner import Pywb
from scrapy import Request
from scrapy.http import JsonResponse, Response
from scrapy.utils.test import get_crawler
from sites.declared_listings import JSON_API, JSON_ITEMS, TEMPLATE_PAGE, DeclaredListingSite
from sqlalchemy import select

from diancang.catalog.db import Catalog
from diancang.catalog.models import Capture, Record
from diancang.crawler.browser.middleware import wants_browser
from diancang.crawler.declared_listings import (
    MAX_JSON_BYTES,
    DeclaredListings,
    declared_key,
    start_requests,
)
from diancang.crawler.links import Outlink, PageLinks
from diancang.crawler.listings import Listings
from diancang.crawler.request_meta import LISTING, LISTING_PAGE
from diancang.seeds.schema import Limits, Listing, Scope, Seed
from diancang.warc_names import LINK, PAGE

API = "http://h.cq.gov.cn/gkml/api/list.json"
TEMPLATE = Listing("http://h.cq.gov.cn/xxgk/list_{page}.html", 1, 60)
ENDPOINT = Listing(API, 1, None, items=JSON_ITEMS, page_param="pageNo")


def seed(listing: Listing | None, url: str = "http://h.cq.gov.cn/xxgk/index.html", **kw) -> Seed:
    return Seed("gov", url, "t", "500000", "govinfo", Scope(), Limits(), listing=listing, **kw)


def make(seed: Seed, url: str, hops: str, link_depth: int, via: str | None) -> Request:
    return Request(url, meta={"hops": hops, "link_depth": link_depth, "via": via})


def page_request(seed: Seed, number: int, hops: str = "N") -> Request:
    request = make(seed, seed.listing.page_url(number), hops, 0, None)
    request.meta.update({LISTING: declared_key(seed), LISTING_PAGE: number})
    return request


def json_response(url: str, payload, status: int = 200) -> JsonResponse:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return JsonResponse(url, status=status, body=body, headers={"Content-Type": "application/json"})


def listings() -> DeclaredListings:
    return DeclaredListings(get_crawler().stats, Listings(pages_per_listing=100))


def test_start_requests_add_the_first_listing_page_or_mark_the_seed_request():
    declared = seed(TEMPLATE)
    own = make(declared, declared.url, "", 0, None)
    first_page, listing_page = start_requests(declared, own, make)
    assert first_page is own and LISTING not in own.meta
    assert listing_page.url == "http://h.cq.gov.cn/xxgk/list_1.html"
    assert listing_page.meta[LISTING] == f"gov:{TEMPLATE.url}"
    assert listing_page.meta[LISTING_PAGE] == 1
    assert (listing_page.meta["hops"], listing_page.meta["link_depth"]) == (PAGE, 0)

    at_seed = seed(TEMPLATE, url="http://h.cq.gov.cn/xxgk/list_1.html")
    own = make(at_seed, at_seed.url, "", 0, None)
    assert start_requests(at_seed, own, make) == [own]
    assert own.meta[LISTING_PAGE] == 1
    plain = seed(None)
    assert start_requests(plain, own, make) == [own]


def test_template_listing_pages_come_from_the_first_page_parsed_or_failed():
    declared, tracker = seed(TEMPLATE), listings()
    pages = list(tracker.next_pages(declared, page_request(declared, 1), None, make))
    assert [p.meta[LISTING_PAGE] for p in pages] == list(range(2, 61))
    assert {p.meta["hops"] for p in pages} == {"NN"} and {p.meta["link_depth"] for p in pages} == {
        0
    }
    assert pages[-1].url == "http://h.cq.gov.cn/xxgk/list_60.html"
    assert list(tracker.next_pages(declared, page_request(declared, 2), PageLinks(), make)) == []


def test_json_listing_goes_on_while_pages_list_new_items():
    declared, tracker = seed(ENDPOINT), listings()
    request = page_request(declared, 1)
    page = tracker.json_links(
        json_response(request.url, {"data": {"list": [{"url": "../doc/1.html"}, {"url": 7}]}}),
        ENDPOINT,
    )
    assert page.links == [Outlink("http://h.cq.gov.cn/gkml/doc/1.html", LINK, f"json:{JSON_ITEMS}")]
    assert page.invalid == 1
    (following,) = tracker.next_pages(declared, request, page, make)
    assert following.url == f"{API}?pageNo=2" and following.meta[LISTING_PAGE] == 2
    # the same items again (a server that ignores the page parameter): the listing ends
    assert list(tracker.next_pages(declared, following, page, make)) == []
    assert list(tracker.next_pages(declared, following, PageLinks(), make)) == []
    bounded = seed(Listing(API, 1, 1, items=JSON_ITEMS, page_param="pageNo"))
    assert list(listings().next_pages(bounded, page_request(bounded, 1), page, make)) == []


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (json_response(API, b"{oops"), "listing-json-invalid"),
        (json_response(API, b"[" * 100_000), "listing-json-invalid"),
        (json_response(API, b" " * (MAX_JSON_BYTES + 1)), "listing-json-too-large"),
        (Response(API, body=b"\xff\xfe"), "listing-json-invalid"),
        (json_response(API, {"data": {"list": [{"url": "a"}]}}, status=404), None),
    ],
    ids=["invalid", "deep", "too-large", "not-text", "not-found"],
)
def test_json_pages_that_cannot_be_read_list_nothing_and_are_counted(response, error):
    tracker = listings()
    assert tracker.json_links(response, ENDPOINT).links == []
    errors = {k: v for k, v in tracker.stats.get_stats().items() if k.startswith("errors/")}
    assert errors == ({f"errors/{error}": 1} if error else {})


def test_json_listing_counts_in_the_report_skip_links_on_every_page():
    declared, tracker = seed(ENDPOINT), listings()
    home = Outlink("http://h.cq.gov.cn/xxgk/index.html", LINK, "a/@href")
    for number in (1, 2, 3):
        items = [Outlink(f"http://h.cq.gov.cn/doc/{number}-{k}.html", LINK, "a") for k in (1, 2)]
        page = PageLinks([home, *items, Outlink("http://h.cq.gov.cn/s.css", "E", "link")])
        list(tracker.next_pages(declared, page_request(declared, number), page, make))
    assert tracker.listings.report() == {f"gov:{ENDPOINT.url}": {"pages": 3, "items": 6}}


def test_json_pages_of_a_browser_seed_are_plain_http_fetches():
    browser_seed = seed(ENDPOINT, browser=True)
    assert not wants_browser(page_request(browser_seed, 3), browser_seed)
    template_seed = seed(TEMPLATE, browser=True)
    assert wants_browser(page_request(template_seed, 3), template_seed)


def _catalogued_urls(data_dir) -> set[str]:
    url = f"sqlite:///{data_dir / 'catalog.sqlite'}"
    env = {**os.environ, "DIANCANG_DATABASE_URL": url}
    result = subprocess.run(
        [str(BIN / "diancang"), "catalog", "ingest", *map(str, warc_files(data_dir))],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    catalog = Catalog(url)
    try:
        with catalog.session() as session:
            rows = session.execute(
                select(Capture.url).join(Record, Capture.record_id == Record.id)
            ).all()
    finally:
        catalog.dispose()
    return {row.url for row in rows}


@pytest.mark.slow
def test_declared_listings_are_crawled_catalogued_and_replayed(tmp_path):
    with DeclaredListingSite(pages=60, json_pages=55) as site:
        seeds = write_seed_list(tmp_path / "seeds.csv", [site.template_seed(), site.json_seed()])
        crawl = run_crawl_cli(tmp_path, seeds)
        requested = list(site.requested)
        empty_page = site.json_url(56)
        json_page = site.json_page(17).body

    captured = captured_urls(tmp_path)
    for kind in ("template", "json"):
        assert len(site.listing_urls(kind)) >= 50
        assert site.listing_urls(kind) <= captured, sorted(site.listing_urls(kind) - captured)[:5]
        assert site.documents(kind) <= captured, sorted(site.documents(kind) - captured)[:5]
    # the JSON listing ends at its first empty page (56), once each page was asked for
    api_pages = [path for path in requested if path.startswith("/gkml/api/")]
    assert empty_page in captured and site.json_url(57) not in captured
    assert "/gkml/api/list.json?pageNo=57" not in api_pages
    template_key = f"xxgk:{site.base_url}{TEMPLATE_PAGE}"
    json_key = f"gkml:{site.base_url}{JSON_API}"
    listings = crawl.report["listings"]
    assert listings[template_key] == {"pages": 60, "items": 600}
    assert listings[json_key] == {"pages": 56, "items": 550}

    metadata = {
        r.rec_headers.get_header("WARC-Target-URI"): r.content.decode()
        for r in records(tmp_path)
        if r.rec_type == "metadata"
    }
    fields = metadata[site.json_url(17)].splitlines()
    assert f"listing: {json_key}" in fields
    assert f"outlink: {site.base_url}/gkml/doc/161.html L json:{JSON_ITEMS}" in fields
    assert f"listing: {template_key}" in metadata[f"{site.base_url}/xxgk/list_33.html"].splitlines()

    catalogued = _catalogued_urls(tmp_path)
    for kind in ("template", "json"):
        assert site.documents(kind) <= catalogued, sorted(site.documents(kind) - catalogued)[:5]

    wayback = Pywb.for_data_dir(tmp_path)
    try:
        status, _, body = wayback.get(f"govinfo-500000/id_/{site.json_url(17)}")
        assert (status, body) == (200, json_page)
        status, _, body = wayback.get(f"govinfo-500000/mp_/{site.base_url}/gkml/doc/165.html")
        assert status == 200 and "索引号" in body.decode("utf-8")
    finally:
        wayback.stop()
