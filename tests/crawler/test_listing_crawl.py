"""Whole listings with the default depth: pagination is not depth, and nothing is cut silently.

Loopback listings of 50 pages × 10 detail pages, one per pagination family (tests/sites/
listings.py), crawled with the default settings: every detail page is captured and
catalogued. An endless listing stops at its listing page budget, a listing repeating its
items stops as a trap, a depth-limited crawl names the depth limit, and each says so in the
crawl report, its summary and the listing pages' metadata records.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest
from crawl_helpers import (
    captured_urls,
    crawl_env,
    diancang,
    records,
    run_crawl_cli,
    write_seed_list,
)
from sites.listings import ListingSite
from sqlalchemy import select

from diancang.catalog.db import Catalog
from diancang.catalog.models import Capture, Record
from diancang.crawler.report import summary
from diancang.settings import load_settings

pytestmark = pytest.mark.slow

PAGINATED = ("numbered", "last-only", "script")
PAGES, ITEMS = 50, 10


def _seed(site: ListingSite, **extra: str) -> dict[str, str]:
    return {
        "id": site.family,
        "url": site.seed_url(),
        "title": "某某市人民政府信息公开",
        "jurisdiction": "500000",
        "collection": "govinfo",
        **extra,
    }


def coverage_rows(data_dir, out) -> tuple[dict[str, list[str]], lxml.html.HtmlElement]:
    """The 列表覆盖率 table of this year's 质检报告 (``diancang catalog report``), by listing."""
    year = str(datetime.now(UTC).year)
    env = crawl_env(data_dir)
    for command in (("catalog", "ingest", "--new"), ("catalog", "report", "--library",
                    "某某市图书馆", "--year", year, "--out", str(out))):  # fmt: skip
        result = diancang(*command, env=env)
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    page = lxml.html.fromstring((out / f"quality-report-{year}.html").read_bytes())
    rows = page.xpath('//table[@id="coverage-table"]/tr')[1:]
    cells = [[td.text_content().strip() for td in row.xpath("td")] for row in rows]
    return {row[0]: row[1:] for row in cells}, page


def metadata_fields(data_dir) -> dict[str, list[tuple[str, str]]]:
    """The warc-fields of every metadata record, by target URI (a page's last record)."""
    found = {}
    for record in records(data_dir):
        if record.rec_type == "metadata":
            lines = record.content.decode("utf-8").splitlines()
            found[record.rec_headers.get_header("WARC-Target-URI")] = [
                tuple(line.split(": ", 1)) for line in lines if line
            ]
    return found


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("listing-crawl")
    sites = [ListingSite(family, PAGES, ITEMS).start() for family in PAGINATED]
    try:
        seeds = write_seed_list(data_dir / "seeds.csv", [_seed(site) for site in sites])
        # the default depth; more connections per host only to keep the test short
        crawl = run_crawl_cli(data_dir, seeds, DIANCANG_CONCURRENCY_PER_HOST="8")
    finally:
        for site in sites:
            site.stop()
    ingested = diancang("catalog", "ingest", "--new", env=crawl_env(data_dir))
    assert ingested.returncode == 0, ingested.stderr[-3000:]
    return crawl, {site.family: site for site in sites}


@pytest.mark.parametrize("family", PAGINATED)
def test_every_detail_page_of_a_long_listing_is_captured_with_the_default_depth(
    listing_crawl, family
):
    crawl, sites = listing_crawl
    site = sites[family]
    captured = captured_urls(crawl.data_dir)
    assert site.listing_urls() <= captured
    missing = site.detail_urls() - captured
    assert not missing, f"{len(missing)} of {PAGES * ITEMS} detail pages not captured"
    assert crawl.report["listings"][f"{family}:listing"] == {"pages": PAGES, "items": PAGES * ITEMS}


@pytest.mark.parametrize("family", PAGINATED)
def test_every_detail_page_of_a_long_listing_is_catalogued(listing_crawl, family):
    crawl, sites = listing_crawl
    catalog = Catalog(load_settings(crawl_env(crawl.data_dir)).database_url)
    try:
        with catalog.session() as session:
            urls = set(
                session.scalars(
                    select(Capture.url)
                    .join(Record, Capture.record_id == Record.id)
                    .where(Record.kind == "govinfo")
                )
            )
    finally:
        catalog.dispose()
    missing = sites[family].detail_urls() - urls
    assert not missing, f"{len(missing)} detail pages not catalogued"


def test_the_quality_report_shows_each_listing_covered_in_full(listing_crawl, tmp_path):
    crawl, _sites = listing_crawl
    rows, _page = coverage_rows(crawl.data_dir, tmp_path)
    for family in PAGINATED:
        listed, done = str(PAGES * ITEMS), "100.0%"
        assert rows[f"{family}:listing"] == [str(PAGES), listed, listed, listed, done, done]


def test_listing_pages_carry_their_listing_and_pagination_hops(listing_crawl):
    crawl, sites = listing_crawl
    fields = metadata_fields(crawl.data_dir)
    site = sites["last-only"]
    first = dict(fields[site.seed_url()])
    assert first["listing"] == "last-only:listing"
    assert first["hopsFromSeed"] == "-"
    outlinks = [value.split(" ") for name, value in fields[site.seed_url()] if name == "outlink"]
    pages = {url for url, hop, _ in outlinks if hop == "N"}
    # 下一页 and 尾页, and the pages between them that the range implies
    assert pages == site.listing_urls() - {site.seed_url()}
    items = {url for url, hop, _ in outlinks if hop == "L"}
    assert {site.base_url + site.detail_path(n) for n in range(ITEMS)} <= items
    last_page = site.base_url + site.listing_path(PAGES - 1)
    assert dict(fields[last_page])["listing"] == "last-only:listing"
    assert dict(fields[last_page])["hopsFromSeed"] == "N"  # one page hop: depth unchanged
    detail = site.base_url + site.detail_path(PAGES * ITEMS - 1)
    assert dict(fields[detail])["hopsFromSeed"] == "NL"
    assert "listing" not in dict(fields[detail])


def test_endless_and_repeating_listings_stop_and_say_why(tmp_path):
    endless, repeating = ListingSite("endless").start(), ListingSite("repeating").start()
    try:
        seeds = write_seed_list(tmp_path / "seeds.csv", [_seed(endless), _seed(repeating)])
        crawl = run_crawl_cli(tmp_path, seeds, DIANCANG_LISTING_PAGES="12")
    finally:
        endless.stop()
        repeating.stop()
    captured = captured_urls(tmp_path)
    endless_pages = {url for url in captured if "/events/list" in url}
    assert len(endless_pages) == 12  # the seed's page and 11 more: the budget
    stopped = {entry["name"]: entry for entry in crawl.report["stopped_by"]}
    assert stopped["listing-pages"]["not_followed"] >= 1
    assert stopped["listing-pages"]["examples"][0].startswith(endless.base_url + "/events/list")
    loop_pages = {url for url in captured if "/loop/list" in url}
    assert loop_pages == {repeating.seed_url(), repeating.base_url + "/loop/list?page=2"}
    trap = stopped["trap:repeated-content"]
    assert trap["not_followed"] == 1
    assert trap["examples"] == [repeating.base_url + "/loop/list?page=3"]
    assert crawl.report["listings"]["repeating:listing"] == {"pages": 2, "items": 0}
    fields = metadata_fields(tmp_path)
    second = repeating.base_url + "/loop/list?page=2"
    refused = [value for name, value in fields[second] if name == "not-followed"]
    assert refused == [f"{repeating.base_url}/loop/list?page=3 trap:repeated-content"]
    text = summary(crawl.report)
    assert "stopped by    listing-pages:" in text
    assert "stopped by    trap:repeated-content: 1 not followed" in text


def test_a_depth_limited_crawl_names_the_depth_limit_and_what_it_left(tmp_path):
    site = ListingSite("numbered", pages=5, items=4).start()
    try:
        seeds = write_seed_list(tmp_path / "seeds.csv", [_seed(site, depth="0")])
        crawl = run_crawl_cli(tmp_path, seeds)
    finally:
        site.stop()
    captured = captured_urls(tmp_path)
    assert site.listing_urls() <= captured  # pagination costs no depth
    assert not site.detail_urls() & captured
    (depth,) = [entry for entry in crawl.report["stopped_by"] if entry["name"] == "depth"]
    # the 20 items and the crumb's 首页 (/) of the 5 pages
    assert depth["not_followed"] == 21
    assert len(depth["examples"]) == 5
    assert set(depth["examples"]) <= site.detail_urls() | {site.base_url + "/"}
    assert "stopped by    depth: 21 not followed, e.g. " in summary(crawl.report)
    assert "limits depth 21 listing-pages 0  traps 0" in crawl.result.stderr
    fields = metadata_fields(tmp_path)
    refused = [v for n, v in fields[site.seed_url()] if n == "not-followed"]
    assert f"{site.base_url}{site.detail_path(0)} depth" in refused
    rows, page = coverage_rows(tmp_path, tmp_path / "report")
    assert rows["numbered:listing"] == ["5", "20", "0", "0", "0.0%", "0.0%"]
    (reason,) = page.xpath('//table[@class="not-captured"]/tr[@data-reason]')
    assert reason.get("data-reason") == "depth"
    assert [td.text_content() for td in reason.xpath("td")][:2] == ["超出深度", "20"]
