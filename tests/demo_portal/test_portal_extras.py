"""Attachments, the calendar trap, the JSON behind the dynamic list, the data file."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest
from lxml import html
from portal_client import fetch

from diancang.demo_portal.attachments import DOCX_TYPE, PDF_TYPE, XLSX_TYPE
from diancang.demo_portal.documents import DATA_FILE, load_catalogue
from diancang.demo_portal.server import DemoPortal


def _attachment_urls(demo_portal: DemoPortal, suffix: str) -> list[str]:
    return sorted(url for url in demo_portal.expected_urls() if url.endswith(suffix))


def test_pdf_attachments_are_well_formed(demo_portal: DemoPortal) -> None:
    urls = _attachment_urls(demo_portal, ".pdf")
    assert len(urls) == 3
    for url in urls:
        response = fetch(url)
        assert response.header("Content-Type") == PDF_TYPE
        pdf = response.body
        assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
        startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF", pdf).group(1))
        assert pdf[startxref:].startswith(b"xref\n")
        offsets = re.findall(rb"(\d{10}) 00000 n ", pdf[startxref:])
        for number, offset in enumerate(offsets, start=1):
            assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
        for match in re.finditer(rb"/Length (\d+) >>\nstream\n", pdf):
            end = match.end() + int(match.group(1))
            assert pdf[end:].startswith(b"\nendstream")


def test_docx_attachments_are_valid_packages(demo_portal: DemoPortal) -> None:
    urls = _attachment_urls(demo_portal, ".docx")
    assert len(urls) == 2
    for url in urls:
        response = fetch(url)
        assert response.header("Content-Type") == DOCX_TYPE
        with zipfile.ZipFile(io.BytesIO(response.body)) as archive:
            assert archive.testzip() is None
            assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(
                archive.namelist()
            )
            document = archive.read("word/document.xml").decode("utf-8")
            assert "<w:t>重庆市" in document


def test_xlsx_attachment_opens_as_a_workbook(demo_portal: DemoPortal) -> None:
    (url,) = _attachment_urls(demo_portal, ".xlsx")
    response = fetch(url)
    assert response.header("Content-Type") == XLSX_TYPE
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "区县", "企业名称", "主营产业")
    assert rows[1][0] == 1 and len(rows) == 5


def test_calendar_trap_yields_a_new_url_on_every_page(demo_portal: DemoPortal) -> None:
    url = demo_portal.trap_url()
    seen = {url}
    for _ in range(6):
        response = fetch(url)
        assert response.status == 200
        tree = html.fromstring(response.body.decode("utf-8"))
        assert tree.cssselect("a.prev")
        following = urljoin(url, tree.cssselect("a.next")[0].get("href"))
        assert following not in seen
        seen.add(following)
        url = following
    assert url == demo_portal.url("/calendar/?month=2024-09")
    assert fetch(demo_portal.url("/calendar/?month=2024-13")).status == 404


def test_dynamic_list_api_pages(demo_portal: DemoPortal) -> None:
    page = fetch(demo_portal.dynamic_page_url())
    assert b'<ul class="dyn-list" id="dyn-list" data-api="/xxgk/api/list.json"></ul>' in page.body
    assert b'class="load-more"' in page.body
    items = []
    for number, url in enumerate(demo_portal.dynamic_api_urls(), start=1):
        response = fetch(url)
        assert response.header("Content-Type") == "application/json; charset=utf-8"
        data = json.loads(response.body)
        assert data["page"] == number
        assert data["has_more"] is (number < len(demo_portal.dynamic_api_urls()))
        if number == 1:
            assert len(data["items"]) == demo_portal.dynamic_initial_count()
        items += data["items"]
    assert len(items) == demo_portal.dynamic_item_count() == 24
    assert {demo_portal.url(item["url"]) for item in items} <= demo_portal.expected_urls()
    after = json.loads(fetch(demo_portal.url("/xxgk/api/list.json?page=4")).body)
    assert after["items"] == [] and after["has_more"] is False
    assert fetch(demo_portal.url("/xxgk/api/list.json?page=x")).status == 400


def test_data_file_errors_name_file_entry_and_field(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8").replace("    layout: attr\n", "    layout: odd\n")
    broken = tmp_path / "documents.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"documents\.yaml: documents\[23\] \(id 1023\).*'layout'"):
        load_catalogue(broken)
    missing = DATA_FILE.read_text(encoding="utf-8").replace(
        "    title: 重庆市行政规范性文件管理办法\n", ""
    )
    broken.write_text(missing, encoding="utf-8")
    with pytest.raises(ValueError, match=r"\(id 1009\): missing field 'title'"):
        load_catalogue(broken)
