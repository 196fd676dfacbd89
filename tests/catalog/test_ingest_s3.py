"""`catalog ingest --new` reads WARCs through the WARC store, so it works on S3 (SeaweedFS) too."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from cli_runner import run
from sqlalchemy import inspect, select
from warc_files import write_warc
from warcio.archiveiterator import ArchiveIterator

from diancang.catalog.db import Catalog
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.models import Attachment, Capture, Record, WarcFile
from diancang.catalog.warc_source import store_warcs
from diancang.storage.s3 import S3WarcStore
from diancang.storage.s3_client import S3Location, TransferOptions

# Columns that differ between two catalogues of the same files: row ids, clocks, where the
# file lay (its identity is name + size).
UNSTABLE = {"id", "warc_file_id", "record_id", "site_record_id", "path", "ingested_at",
            "datestamp", "created_at"}  # fmt: skip


def _row(obj) -> dict:
    columns = inspect(type(obj)).columns
    return {c.key: getattr(obj, c.key) for c in columns if c.key not in UNSTABLE}


def _record_key(record: Record | None):
    if record is None:
        return None
    row = _row(record)
    return tuple(sorted((k, repr(v)) for k, v in row.items()))


def catalogue_dump(url: str) -> dict:
    """Everything the catalogue holds, without row ids or clocks, in a stable order."""
    db = Catalog(url)
    try:
        with db.session() as session:
            files = sorted(
                (_row(f) for f in session.scalars(select(WarcFile))), key=lambda r: r["name"]
            )
            captures = []
            for capture in session.scalars(select(Capture)):
                row = _row(capture)
                row["warc_file"] = capture.warc_file.name
                row["record"] = _record_key(capture.record)
                row["site_record"] = _record_key(
                    session.get(Record, capture.site_record_id) if capture.site_record_id else None
                )
                captures.append(row)
            captures.sort(key=lambda r: (r["warc_file"], r["offset"]))
            records = sorted(_record_key(r) for r in session.scalars(select(Record)))
            attachments = sorted(
                (_record_key(a.record), a.url, a.name or "")
                for a in session.scalars(select(Attachment))
            )
    finally:
        db.dispose()
    return {"files": files, "captures": captures, "records": records, "attachments": attachments}


def _download_bucket(s3_server, prefix: str, target: Path) -> list[Path]:
    """The local copy: every WARC object of the store, as COLLECTION/NAME files."""
    client = s3_server.client()
    paths = []
    listing = client.list_objects_v2(Bucket=s3_server.bucket, Prefix=prefix + "/")
    for item in listing.get("Contents", []):
        collection, name = item["Key"][len(prefix) + 1 :].split("/")[-2:]
        if collection == "_manifest" or item["Key"].count("/") != prefix.count("/") + 2:
            continue
        path = target / collection / name
        path.parent.mkdir(parents=True, exist_ok=True)
        client.download_file(s3_server.bucket, item["Key"], str(path))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def ingested(s3_crawl, s3_server):
    """The S3 crawl catalogued with `ingest --new`, and its local copy catalogued by path."""
    env, prefix, work = s3_crawl.env, s3_crawl.prefix, s3_crawl.data_dir.parent
    s3_db = f"sqlite:///{work / 's3-catalog.sqlite'}"
    result = run(
        ["diancang", "catalog", "ingest", "--new"], {**env, "DIANCANG_DATABASE_URL": s3_db}
    )
    assert result.returncode == 0, result.stderr + result.stdout

    local = _download_bucket(s3_server, prefix, work / "local-copy")
    assert local, "the bucket holds no WARC"
    local_db = f"sqlite:///{work / 'local-catalog.sqlite'}"
    local_env = {**env, "DIANCANG_DATABASE_URL": local_db}
    by_path = run(["diancang", "catalog", "ingest", str(work / "local-copy")], local_env)
    assert by_path.returncode == 0, by_path.stderr + by_path.stdout
    return env, prefix, s3_db, local_db, local, result.stdout


def test_ingest_new_on_s3_makes_the_same_records_as_the_local_copy(ingested):
    _env, _prefix, s3_db, local_db, local, output = ingested
    for path in local:
        assert f"{path.name}: " in output and "new records" in output
    from_s3, from_copy = catalogue_dump(s3_db), catalogue_dump(local_db)
    assert len(from_s3["files"]) == len(local)
    assert sum(1 for r in from_s3["records"] if ("kind", "'govinfo'") in r) > 10
    assert from_s3 == from_copy


def test_files_catalogued_from_s3_name_their_objects(ingested, s3_server):
    _env, prefix, s3_db, *_ = ingested
    db = Catalog(s3_db)
    try:
        with db.session() as session:
            paths = {f.name: f.path for f in session.scalars(select(WarcFile))}
    finally:
        db.dispose()
    for name, path in paths.items():
        assert path.startswith(f"s3://{s3_server.bucket}/{prefix}/govinfo-500000/")
        assert path.endswith("/" + name)


def test_ingest_new_twice_changes_nothing(ingested):
    env, _prefix, s3_db, _local_db, local, _output = ingested
    before = catalogue_dump(s3_db)
    again = run(["diancang", "catalog", "ingest", "--new"], {**env, "DIANCANG_DATABASE_URL": s3_db})
    assert again.returncode == 0, again.stderr + again.stdout
    assert again.stdout.count(": already catalogued") == len(local)
    assert catalogue_dump(s3_db) == before


def test_every_capture_points_at_its_record_in_the_bucket(ingested, s3_server):
    """File name + offset + length read back, by range request, the record catalogued."""
    _env, prefix, s3_db, *_ = ingested
    client = s3_server.client()
    db = Catalog(s3_db)
    try:
        with db.session() as session:
            refs = [
                (c.warc_file.collection, c.warc_file.name, c.offset, c.length, c.url, c.warc_type)
                for c in session.scalars(select(Capture))
            ]
    finally:
        db.dispose()
    assert refs
    for _collection, name, offset, length, url, warc_type in refs:
        key = f"{prefix}/govinfo-500000/{name}"
        data = client.get_object(
            Bucket=s3_server.bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}"
        )["Body"].read()
        assert len(data) == length
        records = list(ArchiveIterator(BytesIO(data)))
        assert len(records) == 1, (name, offset)
        assert records[0].rec_type == warc_type
        assert records[0].rec_headers.get_header("WARC-Target-URI") == url


def _spooling_store(s3_server, tmp_path, monkeypatch, prefix: str):
    """An S3 store of the test server under ``prefix``, and its empty spool of one
    collection; the AWS environment names the server."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    store = S3WarcStore(S3Location(s3_server.bucket, prefix), tmp_path / "spool",
                        TransferOptions.configured({}))  # fmt: skip
    spool = store.spool_dir("govinfo-500000")
    spool.mkdir(parents=True)
    return store, spool


def test_a_file_catalogued_in_the_spool_is_not_catalogued_again_once_uploaded(
    s3_server, sqlite_catalog, tmp_path, monkeypatch
):
    store, spool = _spooling_store(s3_server, tmp_path, monkeypatch, "spooled/warcs")
    page = {"url": "http://s.example/1.html", "body": b"<html><title>x</title></html>"}
    write_warc(spool / "a.warc.gz", [page])
    (spool / "b.warc.gz.open").write_bytes((spool / "a.warc.gz").read_bytes())

    waiting = list(store_warcs(store))
    assert [(w.name, w.location) for w in waiting] == [("a.warc.gz", str(spool / "a.warc.gz"))]
    first = ingest_warc(sqlite_catalog, waiting[0], IngestOptions())
    assert first.error is None and first.captures == 1

    assert [r.name for r in store.sync().stored] == ["a.warc.gz"]
    assert not (spool / "a.warc.gz").exists()
    uploaded = [w for w in store_warcs(store) if w.name == "a.warc.gz"]
    assert uploaded[0].location == f"s3://{s3_server.bucket}/spooled/warcs/govinfo-500000/a.warc.gz"
    assert ingest_warc(sqlite_catalog, uploaded[0], IngestOptions()).skipped
    with uploaded[0].open() as stream:  # the object itself, streamed by boto3
        assert stream.read(2) == b"\x1f\x8b"


def test_a_warc_in_the_bucket_is_read_by_a_reader_process(
    s3_server, sqlite_catalog, tmp_path, monkeypatch
):
    """A large WARC of the bucket is read (warcio, extraction) by the ingest's reader
    process, which makes its own client from the store's: the same rows as the file read
    in the ingest process, though the reader's environment names no endpoint."""
    import diancang.catalog.ingest

    store, spool = _spooling_store(s3_server, tmp_path, monkeypatch, "reader/warcs")
    pages = [
        {"url": f"http://r.example/{n}.html",
         "body": f"<html><title>第{n}页</title><a href='/{n + 1}.html'>下页</a></html>".encode()}
        for n in range(60)
    ]  # fmt: skip
    write_warc(spool / "r.warc.gz", pages, {"collection": "govinfo-500000"})
    here = Catalog(f"sqlite:///{tmp_path / 'here.sqlite'}")
    expected = ingest_warc(here, store_warcs_named(store, "r.warc.gz"), IngestOptions())
    assert expected.error is None and expected.captures == 60
    assert [r.name for r in store.sync().stored] == ["r.warc.gz"]

    uploaded = store_warcs_named(store, "r.warc.gz")
    assert uploaded.location.startswith("s3://")
    for name in s3_server.env():
        monkeypatch.delenv(name)

    def not_here(*_args):
        raise AssertionError("a record prepared in the ingest process")

    monkeypatch.setattr(diancang.catalog.ingest, "PIPELINE_BYTES", 0)
    monkeypatch.setattr(diancang.catalog.ingest, "_prepare", not_here)
    result = ingest_warc(sqlite_catalog, uploaded, IngestOptions())
    assert (result.error, result.captures, result.problems) == (None, 60, expected.problems)
    captured = {}
    for url, catalog in (("here", here), ("reader", sqlite_catalog)):
        with catalog.session() as session:
            rows = session.execute(select(Capture.offset, Capture.url, Capture.title))
            captured[url] = sorted(tuple(row) for row in rows)
    assert captured["reader"] == captured["here"]
    here.dispose()


def store_warcs_named(store, name: str):
    return next(w for w in store_warcs(store) if w.name == name)
