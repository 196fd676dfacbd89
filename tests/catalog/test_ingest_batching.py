"""Ingest in chunks: few statements per capture, and one failing record still costs only itself."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter

import pytest
from databases import statements_seen
from sqlalchemy import select, text
from warc_files import write_warc

import diancang.catalog.ingest
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.models import Capture, ListingLink, Record
from diancang.catalog.warc_source import local_warc

PAGE = """<html><head><meta charset="utf-8"><title>{t}_某区政府</title></head><body>
<table class="xxgk_table"><tr><th>索引号：</th><td>{i}</td><th>发布机构：</th><td>某区政府</td></tr>
<tr><th>发文字号：</th><td>无</td><th>发布日期：</th><td>2024-03-05</td></tr></table>
<h1>{t}</h1><div id="zoom"><p>{body}</p></div></body></html>"""
PLAIN_PAGES = 400


def _digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def _document(n: int) -> dict:
    body = f"第{n}号文件：" + "为进一步做好政府信息公开工作，现将有关事项通知如下。" * (n + 1)
    html = PAGE.format(t=f"关于第{n}项工作的通知", i=f"IDX-{n}", body=body).encode()
    return {"url": f"http://gov.example/doc/{n}.html", "body": html}


def _pages() -> list[dict]:
    documents = [_document(n) for n in range(3)]
    plain = [
        {"url": f"http://gov.example/p/{n}.html",
         "body": f"<html><title>页 {n}</title><p>栏目 {n}</p></html>".encode()}
        for n in range(PLAIN_PAGES)
    ]  # fmt: skip
    files = [
        {"url": f"http://gov.example/f/{n}.pdf", "content_type": "application/pdf",
         "body": b"%PDF-1.4 " + str(n).encode()}
        for n in range(100)
    ]  # fmt: skip
    revisits = [
        {"url": page["url"], "body": b"", "revisit_of": _digest(page["body"]),
         "date": "2024-03-06T08:00:00Z"}
        for page in [*plain[:50], documents[1]]
    ]  # fmt: skip
    return [*documents[:2], *plain, *files, documents[2], *revisits]


def test_ingest_takes_a_statement_for_many_captures(catalog, tmp_path):
    warc = write_warc(tmp_path / "many.warc.gz", _pages(), {"collection": "govinfo"})
    statements = []
    with statements_seen(catalog.engine, statements.append):
        result = ingest_warc(catalog, local_warc(warc), IngestOptions())
    assert result.error is None and not result.problems
    assert result.captures == 3 + PLAIN_PAGES + 100 + 51 and result.records == 3
    # per record (查重's probes, its INSERTs) and per chunk, never per capture: one
    # statement per capture or more before chunks, a few dozen in all with them
    assert len(statements) <= result.captures / 10, "\n".join(statements)
    with catalog.session() as session:
        doc = session.scalars(select(Record).where(Record.index_no == "IDX-1")).one()
        revisit = session.scalars(
            select(Capture).where(Capture.warc_type == "revisit", Capture.url == doc.source_url)
        ).one()
        # the original was catalogued in the same chunk, just before
        assert revisit.record_id == doc.id and revisit.match_reason == "revisit"
        stored = session.scalars(select(Capture.offset)).all()
        assert len(stored) == len(set(stored)) == result.captures


def test_a_new_document_and_a_listing_page_cost_a_statement_or_two(catalog, tmp_path):
    """查重 of a new document probes every rule in one statement (plus one load of any
    near-duplicate candidates), not a statement per rule; a chunk's listing pages, their
    links and its captures go in together, not one INSERT per row."""
    listings = [
        {"url": f"http://gov.example/list_{n}.html", "body": b"",
         "fields": [("listing", "xxgk"),
                    *(("outlink", f"http://gov.example/doc/{i}.html L a") for i in range(20))]}
        for n in range(3)
    ]  # fmt: skip
    pages = [_document(n) for n in range(10)] + listings
    warc = write_warc(tmp_path / "new.warc.gz", pages, {"collection": "govinfo"})
    statements = []
    with statements_seen(catalog.engine, statements.append):
        result = ingest_warc(catalog, local_warc(warc), IngestOptions())
    assert result.error is None and result.records == 10
    reads_of_records = [s for s in statements if s.lstrip().startswith("SELECT")
                        and "FROM catalog_records" in s]  # fmt: skip
    assert len(reads_of_records) <= 2 * 10, "\n".join(reads_of_records)
    inserts = Counter(  # an INSERT of many rows (executemany) or PostgreSQL's COPY
        s.split(" (")[0].replace("COPY ", "INSERT INTO ")
        for s in statements
        if s.startswith(("INSERT INTO", "COPY "))
    )
    # the chunk's listing pages together, then their links together; its captures together,
    # as no document is a re-capture of a URL the same-URL rule must find in the table
    assert inserts["INSERT INTO catalog_listing_pages"] == 1, inserts
    assert inserts["INSERT INTO catalog_listing_links"] == 1, inserts
    assert inserts["INSERT INTO catalog_captures"] == 1, inserts
    with catalog.session() as session:
        assert len(session.scalars(select(ListingLink)).all()) == 3 * 20


def test_a_record_that_fails_to_store_costs_only_that_record(catalog, tmp_path, monkeypatch):
    real = diancang.catalog.ingest.catalogue_document

    def failing(session, capture, *args, **kwargs):
        if capture.url.endswith("/doc/1.html"):
            raise RuntimeError("catalogue bug")
        return real(session, capture, *args, **kwargs)

    monkeypatch.setattr(diancang.catalog.ingest, "catalogue_document", failing)
    again = {**_document(0), "date": "2024-04-01T00:00:00Z"}
    pages = [_document(0), _document(1), _document(2), again]
    warc = write_warc(tmp_path / "x.warc.gz", pages, {"collection": "govinfo"})
    result = ingest_warc(catalog, local_warc(warc), IngestOptions())
    assert result.error is None
    assert (result.captures, result.records, result.duplicates) == (3, 2, 1)
    assert result.problems == {"record not catalogued (RuntimeError: catalogue bug)": 1}
    with catalog.session() as session:
        urls = session.scalars(select(Capture.url).order_by(Capture.offset)).all()
        assert [url.rsplit("/", 1)[1] for url in urls] == ["0.html", "2.html", "0.html"]
        recapture = session.scalars(select(Capture).order_by(Capture.offset.desc())).first()
        assert recapture.match_reason == "same-url"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_capture_the_database_refuses_costs_only_that_capture(catalog, tmp_path):
    """PostgreSQL enforces column lengths: a 300-character media type is refused."""
    pages = [_document(0), *_pages()[2:12]]
    pages.insert(5, {"url": "http://gov.example/odd", "body": b"x",
                     "content_type": "application/" + "x" * 300})  # fmt: skip
    warc = write_warc(tmp_path / "odd.warc.gz", pages, {"collection": "govinfo"})
    result = ingest_warc(catalog, local_warc(warc), IngestOptions())
    assert result.error is None
    assert result.captures == len(pages) - 1 and result.records == 1
    (problem,) = result.problems
    assert problem.startswith("record not catalogued (")
    with catalog.session() as session:
        urls = set(session.scalars(select(Capture.url)))
        assert "http://gov.example/odd" not in urls and len(urls) == len(pages) - 1


def test_records_before_a_second_warcinfo_keep_the_first_ones_collection(catalog, tmp_path):
    """Concatenated WARCs: each record belongs to the collection of the warcinfo before it,
    though both are in one chunk."""
    first = write_warc(tmp_path / "a.warc.gz", _pages()[2:5], {"collection": "govinfo"})
    second = write_warc(tmp_path / "b.warc.gz", _pages()[5:7], {"collection": "webarchive"})
    joined = tmp_path / "joined.warc.gz"
    joined.write_bytes(first.read_bytes() + second.read_bytes())
    result = ingest_warc(catalog, local_warc(joined), IngestOptions())
    assert result.error is None and result.captures == 5
    with catalog.session() as session:
        rows = session.execute(select(Capture.collection).order_by(Capture.offset)).scalars()
        assert list(rows) == ["govinfo"] * 3 + ["webarchive"] * 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_ingest_that_outgrows_the_statistics_analyzes_the_tables(catalog, tmp_path):
    """A catalogue migrated empty has statistics of no rows: the ingest analyzes the records
    and captures once it added more, so 查重's probes use their indexes, not a scan."""
    with catalog.session() as session:
        for table in ("catalog_records", "catalog_captures"):  # only the ingest analyzes
            session.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = off)"))
    pages = [_document(n) for n in range(120)]
    warc = write_warc(tmp_path / "many.warc.gz", pages, {"collection": "govinfo"})
    result = ingest_warc(catalog, local_warc(warc), IngestOptions())
    assert result.error is None and result.records == 120
    with catalog.session() as session:
        estimated = dict(session.execute(text(
            "SELECT relname, reltuples FROM pg_class "
            "WHERE relname IN ('catalog_records', 'catalog_captures')"
        )).all())  # fmt: skip
        assert estimated == {"catalog_records": 120, "catalog_captures": 120}
        plan = session.scalars(text(
            "EXPLAIN SELECT id FROM catalog_records WHERE index_no = 'IDX-7'"
        )).all()  # fmt: skip
        assert "ix_catalog_records_index_no" in "\n".join(plan), plan
