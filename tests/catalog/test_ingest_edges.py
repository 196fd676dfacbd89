"""Ingest edge cases: warcinfo fields, website records, revisits, damaged files, CLI errors."""

from __future__ import annotations

import gzip
import io
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from catalog_helpers import counts, ingest
from click.testing import CliRunner
from sqlalchemy import select
from warc_files import write_warc
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.models import Capture, Record
from diancang.catalog.warc_records import WarcCapture, iter_warc
from diancang.catalog.warc_source import local_warc

DISCLOSURE = """<html><head><meta charset="utf-8"><title>{t}_某区政府</title></head><body>
<table class="xxgk_table"><tr><th>索引号：</th><td>{i}</td><th>发布机构：</th><td>某区政府</td></tr>
</table><h1>{t}</h1><div id="zoom"><p>{t}的正文。</p></div></body></html>"""


def test_warcinfo_fields_beat_options_and_website_records_are_made(sqlite_catalog, tmp_path):
    home = (
        "<html><head><title>Q District</title>"
        '<meta name="SiteName" content="某区人民政府"></head><body>home</body></html>'
    )
    pages = [
        {"url": "http://www.q.gov.cn/", "body": home.encode()},
        {
            "url": "http://www.q.gov.cn/a.html",
            "body": DISCLOSURE.format(t="通知一", i="Q-1").encode(),
        },
        {"url": "http://www.q.gov.cn/logo.png", "body": b"PNG", "content_type": "image/png"},
    ]
    info = {"collection": "webarchive", "jurisdiction": "500103", "seed": "q-site",
            "seed-url": "http://www.q.gov.cn/"}  # fmt: skip
    warc = write_warc(tmp_path / "q.warc.gz", pages, info)
    ingest(sqlite_catalog, warc, collection="govinfo", jurisdiction="110000")
    with sqlite_catalog.session() as session:
        captures = session.scalars(select(Capture).order_by(Capture.id)).all()
        assert {c.collection for c in captures} == {"webarchive"}
        assert {c.jurisdiction for c in captures} == {"500103"}
        assert {c.seed for c in captures} == {"q-site"}
        assert captures[0].replay_url == (
            "http://127.0.0.1:8080/webarchive-500103/20240305080000/http://www.q.gov.cn/"
        )
        site = session.scalars(select(Record).where(Record.kind == "website")).one()
        assert site.title == "某区人民政府" and site.source_url == "http://www.q.gov.cn/"
        assert site.size == sum(c.size for c in captures) and site.pub_date == "2024-03-05"
        assert site.jurisdiction_name == "重庆市渝中区" and site.province_code == "500000"
        doc = session.scalars(select(Record).where(Record.kind == "govinfo")).one()
        assert doc.index_no == "Q-1" and doc.title == "通知一"


def test_a_revisit_joins_the_record_of_the_identical_payload(sqlite_catalog, tmp_path):
    body = DISCLOSURE.format(t="通知二", i="Q-2").encode()
    first = write_warc(tmp_path / "1.warc.gz", [{"url": "http://r.example/2.html", "body": body}])
    ingest(sqlite_catalog, first)
    with sqlite_catalog.session() as session:
        digest = session.scalars(select(Capture.payload_digest)).one()
    revisit = [{"url": "http://r.example/2.html", "revisit_of": digest,
                "date": "2024-04-01T00:00:00Z"}]  # fmt: skip
    ingest(sqlite_catalog, write_warc(tmp_path / "2.warc.gz", revisit))
    with sqlite_catalog.session() as session:
        captures = session.scalars(select(Capture).order_by(Capture.id)).all()
    assert [c.warc_type for c in captures] == ["response", "revisit"]
    assert captures[1].record_id == captures[0].record_id
    assert captures[1].match_reason == "revisit"


def test_a_damaged_warc_keeps_what_was_read_and_names_the_file(sqlite_catalog, tmp_path, read_by):
    pages = [
        {
            "url": f"http://d.example/{n}.html",
            "body": DISCLOSURE.format(t=f"通知{n}", i=f"D-{n}").encode(),
        }
        for n in range(30)
    ]
    good = write_warc(tmp_path / "good.warc.gz", pages)
    damaged = tmp_path / "damaged.warc.gz"
    data = good.read_bytes()
    damaged.write_bytes(data[: len(data) // 2] + b"\x00garbage" * 50)
    result = ingest_warc(sqlite_catalog, local_warc(damaged), IngestOptions())
    assert result.error is not None and "damaged.warc.gz" in result.error
    assert 0 < result.captures < 30
    assert counts(sqlite_catalog)[1] == result.captures
    gzip.decompress(data)  # the original is fine: only the copy was damaged


def test_cli_rejects_bad_input_with_clear_errors(sqlite_catalog, tmp_path, monkeypatch):
    from diancang.console.catalog_commands import catalog as catalog_group

    monkeypatch.setenv("DIANCANG_DATABASE_URL", sqlite_catalog.url)
    runner = CliRunner()
    result = runner.invoke(catalog_group, ["ingest", str(tmp_path / "missing.warc.gz")])
    assert result.exit_code != 0 and "missing.warc.gz" in result.output
    result = runner.invoke(catalog_group, ["ingest", "--jurisdiction", "50", str(tmp_path)])
    assert result.exit_code != 0 and "six-digit" in result.output
    result = runner.invoke(catalog_group, ["ingest"])
    assert result.exit_code != 0 and "--new" in result.output


def test_ingest_new_reads_the_store_and_skips_open_files(tmp_path, monkeypatch):
    from diancang.console.catalog_commands import catalog as catalog_group

    store = tmp_path / "data" / "warcs" / "govinfo-500000"  # the store's COLLECTION/NAME
    store.mkdir(parents=True)
    page = [
        {"url": "http://n.example/1.html", "body": DISCLOSURE.format(t="通知", i="N-1").encode()}
    ]
    write_warc(store / "a.warc.gz", page)
    shutil.copy(store / "a.warc.gz", store / "b.warc.gz.open")
    monkeypatch.setenv("DIANCANG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DIANCANG_DATABASE_URL", raising=False)
    monkeypatch.delenv("DIANCANG_WARC_STORE", raising=False)
    result = CliRunner().invoke(catalog_group, ["ingest", "--new"])
    assert result.exit_code == 0, result.output
    assert "a.warc.gz: 1 captures, 1 new records" in result.output
    assert "b.warc" not in result.output
    assert (tmp_path / "data" / "catalog.sqlite").exists()


def test_diancang_serve_answers_oai_requests(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"DIANCANG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("diancang")), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/oai?verb=Identify", timeout=5) as r:
                    body = r.read()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "diancang serve did not answer"
                time.sleep(0.2)
        assert b"<deletedRecord>persistent</deletedRecord>" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_sqlite_catalogue_in_a_new_data_directory_is_created(tmp_path):
    from diancang.catalog.db import Catalog

    db = Catalog(f"sqlite:///{tmp_path / 'new' / 'data' / 'catalog.sqlite'}")
    try:
        assert counts(db) == (0, 0)
    finally:
        db.dispose()


def test_capture_size_is_the_payload_as_transferred(tmp_path):
    """gzip-encoded and chunked payloads count as stored; a resource its block; a revisit 0."""
    packed = gzip.compress(b"<html>" + b"x" * 5000 + b"</html>")
    chunked = b"5\r\nhello\r\n0\r\n\r\n"
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, headers, body in (
        ("http://h/gz", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], packed),
        ("http://h/chunked", [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")],
         chunked),
    ):  # fmt: skip
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
        )
    writer.write_record(
        writer.create_warc_record(
            "urn:x", "resource", payload=io.BytesIO(b"abc"), warc_content_type="text/plain"
        )
    )
    writer.write_record(
        writer.create_revisit_record("http://h/gz", "sha1:X", "http://h/gz", "2024-03-05T08:00:00Z")
    )
    out.seek(0)
    captures = [c for c in iter_warc(out) if isinstance(c, WarcCapture)]
    assert [(c.url, c.size) for c in captures] == [
        ("http://h/gz", len(packed)),
        ("http://h/chunked", len(chunked)),
        ("urn:x", 3),
        ("http://h/gz", 0),
    ]
    assert captures[0].body == b"<html>" + b"x" * 5000 + b"</html>"
