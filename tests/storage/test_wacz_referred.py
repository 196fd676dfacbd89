"""A WACZ holds the responses its revisit records refer to, copied unchanged from the
collection's other WARCs, so a re-crawl's package replays on its own."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from cli_runner import run
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diancang.catalog.wacz_export import REFERRED_WARC, export_wacz
from diancang.storage.local import LocalWarcStore

COLLECTION = "govinfo-500000"
FIRST = "govinfo-500000-20261101080000000001-00000-h.warc.gz"
SECOND = "govinfo-500000-20261120080000000001-00000-h.warc.gz"
LATER = "govinfo-500000-20261125080000000001-00000-h.warc.gz"
HOME, GONE = "http://example.org/", "http://example.org/gone.html"
FIRST_DATE, SECOND_DATE = "2026-11-01T08:00:01Z", "2026-11-20T08:00:01Z"


def _html() -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")


def _write(store: LocalWarcStore, name: str, records) -> Path:
    path = store.spool_dir(COLLECTION) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(name, {"software": "test"}))
        for make in records:
            writer.write_record(make(writer))
    store.commit(path, COLLECTION)
    return store.locate(COLLECTION, name)


def _response(uri: str, date: str, body: bytes):
    return lambda w: w.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        http_headers=_html(),
        warc_headers_dict={"WARC-Date": date},
    )


def _revisit(uri: str, date: str, original_date: str):
    def make(w):
        record = w.create_revisit_record(uri, "sha1:AAAA", uri, original_date, http_headers=_html())
        record.rec_headers.replace_header("WARC-Date", date)
        return record

    return make


@pytest.fixture
def store(tmp_path: Path) -> LocalWarcStore:
    store = LocalWarcStore(tmp_path / "warcs")
    body = b"<html><title>home</title>unchanged</html>"
    _write(
        store, FIRST, [_response(HOME, FIRST_DATE, body), _response(GONE + "?x", FIRST_DATE, b"x")]
    )
    _write(store, SECOND, [_revisit(HOME, SECOND_DATE, FIRST_DATE)])
    _write(store, LATER, [_response(HOME, "2026-11-25T08:00:01Z", body)])
    return store


def _records(data: bytes) -> list:
    return [
        (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.to_str())
        for r in ArchiveIterator(io.BytesIO(data))
    ]


def _raw_response(store: LocalWarcStore, name: str, uri: str) -> bytes:
    """The gzip member of ``uri``'s response in ``name``, as stored."""
    path = Path(store.locate(COLLECTION, name).location)
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if (
                record.rec_type == "response"
                and record.rec_headers.get_header("WARC-Target-URI") == uri
            ):
                offset, length = records.get_record_offset(), records.get_record_length()
                break
    return path.read_bytes()[offset : offset + length]


def test_the_package_of_a_recrawl_holds_the_originals_its_revisits_need(store, tmp_path):
    output = tmp_path / "second.wacz"
    summary = export_wacz(store, [store.locate(COLLECTION, SECOND)], output, "second")
    assert summary.referred == 1 and summary.unresolved == []
    with zipfile.ZipFile(output) as wacz:
        names = set(wacz.namelist())
        referred = wacz.read(f"archive/{REFERRED_WARC}")
        index = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode()
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
        extra = "pages/extraPages.jsonl" in names
    assert {f"archive/{SECOND}", f"archive/{REFERRED_WARC}"} <= names
    assert f"archive/{FIRST}" not in names and f"archive/{LATER}" not in names
    kinds = [(kind, uri) for kind, uri, _ in _records(referred)]
    assert kinds == [("warcinfo", None), ("response", HOME)]  # only what a revisit refers to
    assert _raw_response(store, FIRST, HOME) in referred  # byte for byte
    assert "20261101080001" in index and "20261120080001" in index
    # the revisit is the crawl's page; the copied original adds no page of its own
    assert [(p["url"], p["ts"]) for p in pages[1:]] == [(HOME, SECOND_DATE)]
    assert not extra
    result = run(["wacz", "validate", "-f", str(output)], {})
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_copy_when_the_originals_are_in_the_package(store, tmp_path):
    warcs = [store.locate(COLLECTION, n) for n in (FIRST, SECOND)]
    summary = export_wacz(store, warcs, tmp_path / "both.wacz", "both")
    assert summary.referred == 0
    with zipfile.ZipFile(tmp_path / "both.wacz") as wacz:
        assert f"archive/{REFERRED_WARC}" not in wacz.namelist()


def test_a_revisit_whose_original_is_gone_is_reported(store, tmp_path):
    _write(store, "govinfo-500000-20261130080000000001-00000-h.warc.gz",
           [_revisit(GONE, "2026-11-30T08:00:01Z", FIRST_DATE)])  # fmt: skip
    warc = store.locate(COLLECTION, "govinfo-500000-20261130080000000001-00000-h.warc.gz")
    summary = export_wacz(store, [warc], tmp_path / "gone.wacz", "gone")
    assert summary.referred == 0 and summary.unresolved == [GONE]
    with zipfile.ZipFile(tmp_path / "gone.wacz") as wacz:
        assert f"archive/{REFERRED_WARC}" not in wacz.namelist()  # no empty extra WARC
