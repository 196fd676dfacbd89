"""列表覆盖率 in the 质检报告: listings read from the crawler's metadata records,
their items listed / captured / catalogued, and why the others were not captured."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import lxml.html
import pytest
from catalog_helpers import ingest
from click.testing import CliRunner
from scrapy.exceptions import IgnoreRequest
from sqlalchemy import func, select, update
from twisted.internet import error
from twisted.python.failure import Failure
from warc_files import write_html_warc, write_warc

from diancang.catalog.coverage_reasons import fetch_error_token, reason_label
from diancang.catalog.models import FetchError, Listing, ListingLink, ListingPage, WarcFile
from diancang.catalog.report import build_report, render_html, write_coverage_csv, write_csv
from diancang.crawler.fetch_errors import fetch_error
from diancang.crawler.network_guard import RefusedAddress

YEAR = date.today().year
WHEN = f"{YEAR}-03-05T08:00:00Z"
LATER = f"{YEAR}-06-01T08:00:00Z"
H = "http://gov.test"
KEY = f"gov:{H}/xxgk/index_{{page}}.html"
ONE_PAGE_KEY = "gov:listing"
PAGES = [f"{H}/xxgk/index.html", f"{H}/xxgk/index_1.html", f"{H}/xxgk/index_2.html"]
NAV = [f"{H}/", f"{H}/about.html"]  # on every page: navigation, never items
INFO = {"collection": "govinfo", "jurisdiction": "500101", "seed": "gov"}


def disclosure(n: int) -> bytes:
    return f"""<html><head><meta charset="utf-8"></head><body><dl>
<dt>索引号</dt><dd>GOV-{n}</dd><dt>发布机构</dt><dd>某区政府</dd><dt>发布日期</dt>
<dd>2024-03-05</dd></dl><h1>第{n}号通知，关于某项工作的安排</h1></body></html>""".encode()


def plain(text: str) -> bytes:
    return f"<html><title>{text}</title><body>{text}</body></html>".encode()


def listing_page(url: str, key: str, items: list[str], refused=(), date=WHEN) -> list[dict]:
    """A listing page's response and its metadata record as the crawler writes them."""
    fields = [("seed", "gov"), ("hopsFromSeed", "-"), ("listing", key)]
    fields += [("outlink", f"{link} L a/@href") for link in [*NAV, *items]]
    fields += [("outlink", f"{page} N a/@href") for page in PAGES if page != url]
    fields += [("outlink", f"{H}/style.css E link/@href")]
    fields += [("not-followed", f"{link} {reason}") for link, reason in refused]
    return [
        {"url": url, "body": plain(url), "date": date},
        {"url": url, "fields": fields, "date": date},
    ]


def item(n: str) -> str:
    return f"{H}/xxgk/art/{n}.html"


def crawl_pages() -> list[dict]:
    """Three pages of KEY (ten items) and a one-page listing; every fate of an item."""
    records = []
    records += listing_page(
        PAGES[0], KEY, [item("a1"), item("a2"), "http://elsewhere.test/a3.html", item("a4")],
        refused=[("http://elsewhere.test/a3.html", "out-of-scope"), (item("a4"), "depth")],
    )  # fmt: skip
    records += listing_page(PAGES[1], KEY, [item("b1"), item("b2"), item("b3"), item("b4")])
    records += listing_page(
        PAGES[2], KEY, [item("c1"), f"{H}/xxgk/art/c2.html?x=1"],
        refused=[(f"{H}/xxgk/art/c2.html?x=1", "trap:query-variants")],
    )  # fmt: skip
    records += [
        {"url": item("a1"), "body": disclosure(1), "date": WHEN},  # catalogued
        {"url": item("a2"), "body": plain("a2"), "date": WHEN},  # captured, not a record
        {"url": item("b1"), "fields": [("seed", "gov"), ("via", PAGES[1]),
                                       ("fetch-error", "timeout 30 s")], "date": WHEN},
        {"url": item("b2"), "body": b"gone", "status": 404, "date": WHEN},
        {"url": item("b3"), "body": b"", "status": 301, "date": WHEN,
         "headers": [("Location", "/xxgk/art/b3-new.html")]},
        {"url": item("b3-new"), "body": disclosure(3), "date": WHEN},  # b3 counts
        # b4: nothing at all
        {"url": item("c1"), "revisit_of": "sha1:" + "A" * 32, "body": b"", "date": WHEN},
    ]  # fmt: skip
    one = [f"{H}/tzgg/{n}.html" for n in ("x", "y", "z")]
    records += [
        {"url": f"{H}/tzgg/", "body": plain("tzgg"), "date": WHEN},
        {"url": f"{H}/tzgg/", "date": WHEN, "fields": [("seed", "gov"), ("listing", ONE_PAGE_KEY)]
         + [("outlink", f"{link} L a/@href") for link in one]},
        {"url": one[0], "body": plain("x"), "date": WHEN},
    ]  # fmt: skip
    return records


def coverage_of(catalog, year=YEAR, jurisdiction=None):
    with catalog.session() as session:
        report = build_report(session, "某区图书馆", year, jurisdiction=jurisdiction)
    return report, {c.key: c for c in report.coverage}


def table_counts(catalog) -> tuple[int, ...]:
    with catalog.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t))
            for t in (Listing, ListingPage, ListingLink, FetchError)
        )


def test_listing_coverage_numbers_and_reasons(catalog, tmp_path):
    ingest(catalog, write_warc(tmp_path / "crawl-1.warc.gz", crawl_pages(), INFO))
    report, by_key = coverage_of(catalog)
    listing = by_key[KEY]
    assert (listing.pages, listing.listed, listing.captured, listing.catalogued) == (3, 10, 4, 2)
    assert not listing.estimate
    assert (listing.share(listing.captured), listing.share(listing.catalogued)) == (40.0, 20.0)
    assert listing.collection == "govinfo" and listing.jurisdiction == "500101"
    assert listing.pages_missing == []  # every page linked was captured
    reasons = {m.url: (m.reason, m.detail) for m in listing.missing}
    assert reasons == {
        "http://elsewhere.test/a3.html": ("out-of-scope", ""),
        item("a4"): ("depth", ""),
        item("b1"): ("fetch-error:timeout", "timeout 30 s"),
        item("b2"): ("http:404", ""),
        item("b4"): ("unrecorded", ""),
        f"{H}/xxgk/art/c2.html?x=1": ("trap:query-variants", ""),
    }
    labels = {g.reason: g.label for g in listing.by_reason(examples=5)}
    assert labels["out-of-scope"] == "超出范围" and labels["depth"] == "超出深度"
    assert labels["fetch-error:timeout"] == "抓取失败: 超时"
    assert labels["http:404"] == "HTTP 404 页面不存在"
    assert labels["trap:query-variants"].startswith("陷阱防护")
    assert labels["unrecorded"] == "未记录原因"

    one_page = by_key[ONE_PAGE_KEY]
    assert (one_page.pages, one_page.listed, one_page.captured, one_page.estimate) == (
        1, 3, 1, True,
    )  # fmt: skip
    # another year, or another jurisdiction, has no listings
    assert coverage_of(catalog, year=YEAR - 1)[0].coverage == []
    assert coverage_of(catalog, jurisdiction="110000")[0].coverage == []
    assert set(coverage_of(catalog, jurisdiction="500000")[1]) == {KEY, ONE_PAGE_KEY}


def test_coverage_html_and_csv(catalog, tmp_path):
    ingest(catalog, write_warc(tmp_path / "crawl-1.warc.gz", crawl_pages(), INFO))
    report, _ = coverage_of(catalog)
    page = lxml.html.fromstring(render_html(report))
    rows = page.xpath('//table[@id="coverage-table"]/tr')
    header = [th.text_content() for th in rows[0].xpath("th")]
    assert header == ["栏目/列表", "页数", "列出条目", "已采集", "已编目", "采集率", "编目率"]
    cells = {r.xpath("td")[0].text_content(): [td.text_content() for td in r.xpath("td")[1:]]
             for r in rows[1:]}  # fmt: skip
    assert cells[KEY] == ["3", "10", "4", "2", "40.0%", "20.0%"]
    assert cells[ONE_PAGE_KEY] == ["1", "约 3", "1", "0", "33.3%", "0.0%"]
    reasons = {
        tr.get("data-reason"): [td.text_content() for td in tr.xpath("td")]
        for tr in page.xpath('//table[@class="not-captured"]/tr[@data-reason]')
    }
    assert reasons["http:404"][:2] == ["HTTP 404 页面不存在", "1"]
    assert item("b2") in reasons["http:404"][2]
    assert reasons["fetch-error:timeout"][0] == "抓取失败: 超时"
    assert "timeout 30 s" in reasons["fetch-error:timeout"][2]
    assert reasons["out-of-scope"][0] == "超出范围"

    write_csv(report, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        rows = {(r["section"], r["metric"]): r for r in csv.DictReader(fh)}
    section = "coverage:govinfo"
    assert rows[(section, f"{KEY} listed")]["value"] == "10"
    assert rows[(section, f"{KEY} captured")]["percent"] == "40.0"
    assert rows[(section, f"{KEY} catalogued")]["value"] == "2"
    assert rows[(section, f"{KEY} not-captured:http:404")]["value"] == "1"
    assert rows[(section, f"{KEY} not-captured:trap:query-variants")]["value"] == "1"
    assert rows[(section, f"{ONE_PAGE_KEY} estimate")]["value"] == "1"
    write_coverage_csv(report, tmp_path / "c.csv")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig") as fh:
        missing = {(r["listing"], r["url"]): r["reason"] for r in csv.DictReader(fh)}
    assert len(missing) == 6 + 2  # two of the one-page listing's three links
    assert missing[(KEY, item("b1"))] == "fetch-error:timeout"


def test_examples_are_bounded_and_the_csv_has_every_item(catalog, tmp_path):
    many = [f"{H}/far/{n}.html" for n in range(40)]
    records = listing_page(PAGES[0], KEY, many, refused=[(u, "limit:pages") for u in many])
    # the third page was never fetched: the listing's page budget
    records += listing_page(PAGES[1], KEY, [], refused=[(PAGES[2], "limit:listing-pages")])
    ingest(catalog, write_warc(tmp_path / "w.warc.gz", records, INFO))
    report, by_key = coverage_of(catalog)
    assert by_key[KEY].listed == 40
    assert [(m.url, m.reason) for m in by_key[KEY].pages_missing] == [
        (PAGES[2], "limit:listing-pages")
    ]
    page = lxml.html.fromstring(render_html(report))
    (row,) = page.xpath('//tr[@data-reason="limit:pages"]')
    assert row.xpath("td")[0].text_content() == "页数上限"
    assert row.xpath("td")[1].text_content() == "40"
    assert len(row.xpath("td")[2].xpath("div")) == 5
    (note,) = page.xpath('//p[contains(@class, "pages-missing")]')
    assert "1 个列表页未采集" in note.text_content()
    assert "列表页数上限 1 个" in note.text_content()
    write_csv(report, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        rows = {(r["section"], r["metric"]): r["value"] for r in csv.DictReader(fh)}
    assert rows[("coverage:govinfo", f"{KEY} pages-not-captured:limit:listing-pages")] == "1"
    write_coverage_csv(report, tmp_path / "c.csv")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig") as fh:
        kinds = [(r["kind"], r["reason"]) for r in csv.DictReader(fh)]
    assert kinds.count(("item", "limit:pages")) == 40
    assert kinds.count(("page", "limit:listing-pages")) == 1 and len(kinds) == 41


def test_reingest_adds_nothing_and_a_recrawl_adds_its_pages(catalog, tmp_path):
    first = write_warc(tmp_path / "crawl-1.warc.gz", crawl_pages(), INFO)
    ingest(catalog, first)
    before = table_counts(catalog)
    assert before[1] == 4 and before[3] == 1
    assert ingest(catalog, first).skipped
    # resumed (a file once torn): the records at known offsets are not stored twice
    with catalog.session() as session:
        session.execute(update(WarcFile).values(complete=False))
    resumed = ingest(catalog, first)
    assert not resumed.skipped and not resumed.problems and resumed.captures == 0
    assert table_counts(catalog) == before
    # the same file under another path is still the same file
    copy = tmp_path / "elsewhere" / first.name
    copy.parent.mkdir()
    shutil.copy(first, copy)
    assert ingest(catalog, copy).skipped

    # a recrawl: the first page now also lists a new item, captured; a4 was fetched too
    recrawl = listing_page(
        PAGES[0], KEY, [item("a1"), item("a2"), "http://elsewhere.test/a3.html", item("a4"),
                        item("a5")],
        refused=[("http://elsewhere.test/a3.html", "out-of-scope")], date=LATER,
    )  # fmt: skip
    recrawl += [
        {"url": item("a4"), "body": plain("a4"), "date": LATER},
        {"url": item("a5"), "body": disclosure(5), "date": LATER},
    ]
    ingest(catalog, write_warc(tmp_path / "crawl-2.warc.gz", recrawl, INFO))
    after = table_counts(catalog)
    assert after[0] == before[0] and after[1] == before[1] + 1
    listing = coverage_of(catalog)[1][KEY]
    assert (listing.pages, listing.listed, listing.captured, listing.catalogued) == (3, 11, 6, 3)
    assert item("a4") not in {m.url for m in listing.missing}


def test_warcs_without_listings_give_no_coverage_section(catalog, tmp_path, demo_warc):
    ingest(catalog, write_html_warc(tmp_path / "plain.warc.gz"))
    ingest(catalog, demo_warc)  # wget's WARC: metadata records without listing fields
    report, _ = coverage_of(catalog)
    assert report.coverage == []
    assert table_counts(catalog) == (0, 0, 0, 0)
    html = render_html(report)
    assert "列表覆盖率" not in html and "coverage-table" not in html
    write_csv(report, tmp_path / "r.csv")
    assert "coverage" not in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_cli_report_writes_the_coverage_csv(catalog, tmp_path, monkeypatch):
    from diancang.console.catalog_commands import catalog as catalog_group

    monkeypatch.setenv("DIANCANG_DATABASE_URL", catalog.url)
    warc = write_warc(tmp_path / "crawl-1.warc.gz", crawl_pages(), INFO)
    runner = CliRunner()
    assert runner.invoke(catalog_group, ["ingest", str(warc)]).exit_code == 0
    out = tmp_path / "out"
    args = ["report", "--library", "某区图书馆", "--year", str(YEAR), "--out", str(out)]
    result = runner.invoke(catalog_group, args)
    assert result.exit_code == 0, result.output
    assert "2 listings" in result.output
    html = (out / f"quality-report-{YEAR}.html").read_text(encoding="utf-8")
    assert "列表覆盖率" in html
    assert (out / f"quality-report-{YEAR}-coverage.csv").exists()


def test_a_metadata_block_over_the_bound_keeps_its_whole_lines(catalog, tmp_path, monkeypatch):
    from diancang.catalog import warc_records

    monkeypatch.setattr(warc_records, "MAX_METADATA_BYTES", 400)
    many = [f"{H}/art/{n:03d}.html" for n in range(30)]
    records = listing_page(PAGES[0], KEY, many) + listing_page(PAGES[1], KEY, [])
    result = ingest(catalog, write_warc(tmp_path / "w.warc.gz", records, INFO))
    assert any("metadata record larger than" in problem for problem in result.problems)
    with catalog.session() as session:
        urls = set(session.scalars(select(ListingLink.url)))
    kept = [u for u in many if u in urls]
    assert 0 < len(kept) < 30 and kept == many[: len(kept)]  # no line cut in two


def test_a_catalogue_of_the_first_schema_upgrades_and_keeps_its_captures(
    empty_database_url, tmp_path
):
    from diancang.catalog.db import Catalog, upgrade

    database_url = empty_database_url

    upgrade(database_url, "0001")
    old = Catalog(database_url, migrate=False)
    with old.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO catalog_warc_files (name, path, size, ingested_at, captures_count,"
            " complete) VALUES ('old.warc.gz', '/old', 10, '2024-01-01 00:00:00', 0, false)"
        )
    old.dispose()
    catalog = Catalog(database_url)
    try:
        ingest(catalog, write_warc(tmp_path / "crawl-1.warc.gz", crawl_pages(), INFO))
        with catalog.session() as session:
            assert session.scalar(select(func.count(WarcFile.id))) == 2
        assert coverage_of(catalog)[1][KEY].listed == 10
    finally:
        catalog.dispose()


@pytest.mark.parametrize(
    "failure",
    [
        error.DNSLookupError("no.such.host"),
        error.TimeoutError(),
        error.ConnectionRefusedError(),
        error.ConnectionLost(),
        error.ConnectError(),
        RefusedAddress("10.0.0.1 is in a refused network"),
        IgnoreRequest("Forbidden by robots.txt"),
    ],
    ids=type,
)
def test_every_kind_of_fetch_error_the_crawler_writes_has_a_chinese_label(failure):
    token = fetch_error_token(fetch_error(Failure(failure)))
    label = reason_label(token)
    kind = token.split(":", 1)[1]
    assert label.startswith("抓取失败: ") and label != f"抓取失败: {kind}", (token, label)
