"""The chunk size and the reading process are a matter of speed only: the same WARCs
ingested one record per transaction and 37 per transaction, read in the ingest process and
by a reader process, leave the same rows in every catalogue table."""

from __future__ import annotations

import base64
import hashlib

import pytest
from catalog_helpers import catalogue_rows, ingest
from databases import migrated_database
from warc_files import write_warc

import diancang.catalog.ingest
from diancang.catalog.db import Catalog

DETAIL = """<html><head><meta charset="utf-8"><title>{t}_某区政府</title></head><body>
<table class="xxgk_table"><tr><th>索引号：</th><td>{i}</td><th>发布机构：</th><td>某区政府</td></tr>
<tr><th>发文字号：</th><td>{d}</td><th>发布日期：</th><td>2024-03-05</td></tr></table>
<h1>{t}</h1><div id="zoom"><p>{body}</p><p><a href="/f/{n}.pdf">附件{n}</a></p></div>
</body></html>"""


def _digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def _detail(host: str, path: str, n: int, numbered: bool = True, edit: str = "") -> dict:
    """Document ``n``'s page; the same ``n`` under another path re-publishes it, and so does
    one with no numbers (索引号, 发文字号) and a sentence more (a near-duplicate)."""
    body = f"第{n}号文件：" + "为进一步做好政府信息公开工作，现将有关事项通知如下。" * (n % 5 + 2)
    index, number = (f"IDX-{n}", f"某府发〔2024〕{n}号") if numbered else ("", "无")
    html = DETAIL.format(t=f"关于第{n}项工作的通知", i=index, d=number, n=n, body=body + edit)
    return {"url": f"http://{host}/{path}", "body": html.encode()}


def _pages(host: str) -> list[dict]:
    """Documents, their re-publications (the same URL later, another URL with the same 索引号,
    a near-duplicate with another 索引号), attachments, plain pages, revisits of originals
    in this chunk and earlier ones, the pages of a listing and failed fetches, interleaved."""
    pages: list[dict] = []
    revisited: list[dict] = []
    for n in range(40):
        detail = _detail(host, f"doc/{n}.html", n)
        pages.append(detail)
        revisited.append(detail)
        plain = {"url": f"http://{host}/p/{n}.html",
                 "body": f"<html><title>栏目 {n}</title><p>页 {n}</p></html>".encode()}  # fmt: skip
        pages.append(plain)
        revisited.append(plain)
        pages.append({"url": f"http://{host}/f/{n}.pdf", "content_type": "application/pdf",
                      "body": b"%PDF-1.4 " + str(n).encode()})  # fmt: skip
        if n % 3 == 0:
            old = revisited[(n * 7) % len(revisited)]
            pages.append({"url": old["url"], "body": b"", "revisit_of": _digest(old["body"]),
                          "date": "2024-03-06T08:00:00Z"})  # fmt: skip
        if n % 4 == 1:
            pages.append({"url": f"http://{host}/list_{n}.html", "body": b"", "fields": [
                ("listing", f"xxgk-{n % 3}"),
                *(("outlink", f"http://{host}/doc/{n + i}.html L a") for i in range(5)),
                ("outlink", f"http://{host}/list_{n + 4}.html N a"),
                ("not-followed", f"http://{host}/doc/{n + 2}.html depth"),
                ("not-followed", f"http://elsewhere.test/{n}.html out-of-scope"),
            ]})  # fmt: skip
        if n % 6 == 5:
            pages.append({"url": f"http://{host}/gone/{n}.html", "body": b"", "fields": [
                ("fetch-error", "timeout 30 s")]})  # fmt: skip
        if n % 5 == 4:  # re-publications of earlier documents, near and far
            again = {**_detail(host, f"doc/{n - 4}.html", n - 4), "date": "2024-03-07T08:00:00Z"}
            pages += [
                again,
                _detail(host, f"repost/{n}.html", n - 1),
                _detail(host, f"near/{n}.html", n - 2, numbered=False, edit="另附说明。"),
            ]
    return pages


@pytest.fixture
def twin_catalog(catalog, request, tmp_path, catalog_templates):
    """A second empty catalogue on the backend of ``catalog``."""
    backend = catalog.engine.dialect.name
    server = request.getfixturevalue("postgres_server") if backend != "sqlite" else None
    directory = tmp_path / "twin"
    directory.mkdir()
    template = catalog_templates(backend, server)
    with migrated_database(backend, directory, server, template) as url:
        twin = Catalog(url)
        yield twin
        twin.dispose()


def _warcs(tmp_path, demo_warc, demo_recrawl_warc) -> list:
    site = {"collection": "webarchive", "seed-url": "http://www.example.org/"}
    govinfo = write_warc(tmp_path / "govinfo.warc.gz", _pages("www.example.gov.cn"),
                         {"collection": "govinfo", "jurisdiction": "500103"})  # fmt: skip
    website = write_warc(tmp_path / "webarchive.warc.gz", _pages("www.example.org"), site)
    return [govinfo, website, demo_warc, demo_recrawl_warc]


def _same_rows(catalog: Catalog, twin: Catalog) -> None:
    one, other = catalogue_rows(catalog), catalogue_rows(twin)
    for table, rows in one.items():
        assert rows, f"{table} is empty: the WARCs do not exercise it"
        assert rows == other[table], table


def test_one_record_and_37_records_per_chunk_catalogue_the_same_rows(
    catalog, twin_catalog, tmp_path, demo_warc, demo_recrawl_warc, monkeypatch
):
    warcs = _warcs(tmp_path, demo_warc, demo_recrawl_warc)
    results = {}
    for chunk, target in ((1, catalog), (37, twin_catalog)):
        monkeypatch.setattr(diancang.catalog.ingest, "CHUNK", chunk)
        results[chunk] = [ingest(target, warc) for warc in warcs]
        for result in results[chunk]:
            assert not result.problems, result.problems
    assert results[1] == results[37]
    _same_rows(catalog, twin_catalog)
    totals = results[1][0]
    assert (totals.records, totals.duplicates) == (40, 8 * 3), "查重 rules not all exercised"


def test_a_reader_process_catalogues_the_same_rows_as_the_ingest_process(
    catalog, twin_catalog, tmp_path, demo_warc, demo_recrawl_warc, monkeypatch
):
    warcs = _warcs(tmp_path, demo_warc, demo_recrawl_warc)
    monkeypatch.setattr(diancang.catalog.ingest, "CHUNK", 37)
    monkeypatch.setattr(diancang.catalog.ingest, "PIPELINE_BYTES", 2**62)
    here = [ingest(catalog, warc) for warc in warcs]

    def not_here(*_args):
        raise AssertionError("a record prepared in the ingest process")

    monkeypatch.setattr(diancang.catalog.ingest, "PIPELINE_BYTES", 0)
    monkeypatch.setattr(diancang.catalog.ingest, "_prepare", not_here)
    by_reader = [ingest(twin_catalog, warc) for warc in warcs]
    assert here == by_reader
    _same_rows(catalog, twin_catalog)
