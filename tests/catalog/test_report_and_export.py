"""质检报告 numbers, its HTML and CSV, and the CSV/XLSX export."""

from __future__ import annotations

import csv
from datetime import date

from catalog_expected import EXPECTED, FIELDS
from catalog_helpers import ingest
from click.testing import CliRunner
from sqlalchemy import select
from warc_files import write_warc
from warcio.archiveiterator import ArchiveIterator

from diancang.catalog.models import Attachment
from diancang.catalog.report import build_report, render_html, write_csv

YEAR = date.today().year


def filled(name: str) -> int:
    column = FIELDS.index(name)
    return sum(1 for row in EXPECTED.values() if row[column] is not None)


def archived_ok(warc_path) -> set[str]:
    with warc_path.open("rb") as fh:
        return {
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(fh)
            if r.rec_type == "response" and r.http_headers.get_statuscode().startswith("2")
        }


def test_report_numbers_on_the_demo_portal(catalog, demo_warc):
    ingest(catalog, demo_warc)
    with catalog.session() as session:
        report = build_report(session, "重庆图书馆", YEAR, jurisdiction="500000")
        attachments = {a.url for a in session.scalars(select(Attachment))}
    assert report.records == len(EXPECTED) == 24
    assert report.target == 24000  # a province-level library
    completeness = {name: count for name, _label, count, _required in report.completeness}
    for name in FIELDS:
        assert completeness[name] == filled(name), name
    assert completeness["doc_number"] == 20  # four notices print 文号：无
    assert completeness["jurisdiction_code"] == 24
    assert report.date_problems == []
    assert report.duplicate_reasons.get("index-number") == 3  # the /zwgk/zcwj/ copies
    assert report.duplicate_records >= 3
    failed = {url for _record, url in report.failed_attachments}
    assert failed == attachments - archived_ok(demo_warc)
    assert 0 < len(failed) < len(attachments) == report.attachments
    assert report.per_jurisdiction == [("500000", "重庆市", 24)]
    assert sum(count for _m, count in report.per_month) == 24
    assert dict(report.per_month)[f"{date.today().month}月"] == 24


def test_report_flags_invalid_and_future_dates_and_city_targets(catalog, tmp_path):
    def page(n: int, written: str, published: str) -> bytes:
        return f"""<html><head><meta charset="utf-8"></head><body><dl>
<dt>索引号</dt><dd>X-{n}</dd><dt>发布机构</dt><dd>某区政府</dd><dt>成文日期</dt><dd>{written}</dd>
<dt>发布日期</dt><dd>{published}</dd></dl><h1>第{n}号公告，关于某项工作</h1></body></html>""".encode()

    pages = [
        {"url": "http://q.example/1.html", "body": page(1, "2024年13月45日", "2024-03-05")},
        {"url": "http://q.example/2.html", "body": page(2, "2024-03-01", "2099年1月1日")},
        {"url": "http://q.example/3.html", "body": page(3, "2024-03-01", "2024/3/5")},
    ]
    ingest(catalog, write_warc(tmp_path / "q.warc.gz", pages, {"jurisdiction": "130402"}))
    with catalog.session() as session:
        report = build_report(session, "邯郸市图书馆", YEAR, jurisdiction="130400")
    assert report.records == 3 and report.target == 12000
    problems = {(p.field, p.printed, p.problem) for p in report.date_problems}
    assert problems == {
        ("written_date", "2024年13月45日", "invalid"),
        ("pub_date", "2099-01-01", "future"),
    }


def test_report_html_has_inline_charts_and_csv_has_the_numbers(catalog, demo_warc, tmp_path):
    ingest(catalog, demo_warc)
    with catalog.session() as session:
        report = build_report(session, "重庆图书馆", YEAR, level="province")
    html = render_html(report)
    assert html.count("<svg") == 4
    assert "<script" not in html and "cdn" not in html.lower()
    assert '<strong id="records">24</strong>' in html
    assert "重庆图书馆" in html
    write_csv(report, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        rows = {(r["section"], r["metric"]): r for r in csv.DictReader(fh)}
    assert rows[("summary", "records")]["value"] == "24"
    assert rows[("summary", "target")]["percent"] == "0.1"
    assert rows[("completeness-optional", "doc_number")]["value"] == "20"
    assert rows[("jurisdiction", "500000 重庆市")]["value"] == "24"


def test_cli_report_and_exports(catalog, demo_warc, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from diancang.console.catalog_commands import catalog as catalog_group

    monkeypatch.setenv("DIANCANG_DATABASE_URL", catalog.url)
    runner = CliRunner()
    assert runner.invoke(catalog_group, ["ingest", str(demo_warc)]).exit_code == 0
    result = runner.invoke(
        catalog_group,
        ["report", "--library", "重庆图书馆", "--year", str(YEAR), "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"quality-report-{YEAR}.html").exists()
    assert (tmp_path / f"quality-report-{YEAR}.csv").exists()

    result = runner.invoke(catalog_group, ["export", "--format", "csv", str(tmp_path / "r.csv")])
    assert result.exit_code == 0 and "24 records" in result.output, result.output
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 24
    by_index = {r["索引号 (index_no)"]: r for r in rows}
    assert by_index["000014349/2018-00222"]["发文字号 (doc_number)"] == "国办发〔2018〕79号"

    result = runner.invoke(catalog_group, ["export", "--format", "xlsx", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "r.xlsx").active
    values = list(sheet.values)
    assert len(values) == 25 and values[0][3] == "索引号 (index_no)"
    assert {row[3] for row in values[1:]} == {row[1] for row in EXPECTED.values()}
