"""The records export (CSV and XLSX) never hands a spreadsheet a formula: a captured page's
title that starts like one is written as text. It also says each record's review state and
whether it is published."""

from __future__ import annotations

import csv

from openpyxl import load_workbook
from warc_files import write_warc

from diancang.catalog.export import export_csv, export_xlsx
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.spreadsheet import safe_cell
from diancang.catalog.warc_source import local_warc

TITLE = '=HYPERLINK("http://evil.example/","查看")'


def test_a_title_that_starts_like_a_formula_is_exported_as_text(sqlite_catalog, tmp_path):
    body = f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
<p><strong>索引号</strong>：130100-2024-00001</p><p><strong>发布机构</strong>：@某市人民政府</p>
<h1>{TITLE}</h1><p>正文。</p></body></html>""".encode()
    page = {"url": "http://www.example.gov.cn/xxgk/1.html", "body": body}
    info = {"collection": "govinfo", "jurisdiction": "130100", "seed": "s"}
    warc = write_warc(tmp_path / "p.warc.gz", [page], info)
    assert ingest_warc(sqlite_catalog, local_warc(warc), IngestOptions()).error is None
    with sqlite_catalog.session() as session:
        assert export_csv(session, tmp_path / "r.csv") == 1
        assert export_xlsx(session, tmp_path / "r.xlsx") == 1
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["名称 (title)"] == "'" + TITLE
    assert row["发布机构 (agency)"] == "'@某市人民政府"
    assert (row["审核状态 (review_state)"], row["已发布 (published)"]) == ("pending", "")
    sheet = load_workbook(tmp_path / "r.xlsx").active
    header, values = list(sheet.iter_rows(max_row=2))
    title = values[[c.value for c in header].index("名称 (title)")]
    assert title.data_type == "s" and title.value == "'" + TITLE


def test_safe_cell_leaves_numbers_and_plain_text_alone():
    assert [safe_cell(v) for v in (None, 7, -3, 1.5, "通知", "-1", "+86", "\t=x")] == [
        "", 7, -3, 1.5, "通知", "'-1", "'+86", "'\t=x",
    ]  # fmt: skip
