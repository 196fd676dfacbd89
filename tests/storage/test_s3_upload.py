"""The S3 store hands spooled WARCs to a real SeaweedFS: upload, multipart, verification."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from seaweedfs_server import SeaweedS3
from warc_files import write_html_warc, write_large_warc
from warcio.archiveiterator import ArchiveIterator

from diancang.storage.fixity import verify_store
from diancang.storage.s3 import S3WarcStore
from diancang.storage.s3_client import MiB, S3Location, StoreConfigError, TransferOptions
from diancang.storage.spool import CHECKSUM_SUFFIX


def _store(bucket: str, prefix: str, spool: Path, **options) -> S3WarcStore:
    transfer = dataclasses.replace(
        TransferOptions.configured({}),
        multipart_threshold=5 * MiB,
        multipart_chunksize=5 * MiB,
        retry_min_delay=0.2,
    )
    return S3WarcStore(S3Location(bucket, prefix), spool, transfer, **options)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sync_uploads_verifies_records_and_releases(bucket, prefix, spool, s3_server: SeaweedS3):
    store = _store(bucket, prefix, spool)
    path = write_html_warc(store.spool_dir("govinfo-500000") / "a-00000-h.warc.gz")
    digest, size = _sha256(path), path.stat().st_size

    report = store.sync()

    assert [r.name for r in report.stored] == ["a-00000-h.warc.gz"] and not report.waiting
    assert not path.exists()
    assert not path.with_name(path.name + CHECKSUM_SUFFIX).exists()
    client = s3_server.client()
    head = client.head_object(Bucket=bucket, Key=f"{prefix}/govinfo-500000/a-00000-h.warc.gz")
    assert head["ContentLength"] == size and head["Metadata"]["sha256"] == digest
    record = store.fixity_record("govinfo-500000", "a-00000-h.warc.gz")
    assert (record.size, record.sha256) == (size, digest)
    assert [w.location for w in store.list()] == [
        f"s3://{bucket}/{prefix}/govinfo-500000/a-00000-h.warc.gz"
    ]
    assert store.archive_path("govinfo-500000") == f"s3://{bucket}/{prefix}/govinfo-500000/"


def test_file_over_the_threshold_goes_up_in_parts(bucket, prefix, spool, s3_server: SeaweedS3):
    store = _store(bucket, prefix, spool)
    path = write_large_warc(store.spool_dir("web-110000") / "big-00000-h.warc.gz", 12 * MiB)
    digest = _sha256(path)

    report = store.sync()

    assert report.bytes_stored == report.stored[0].size > 12 * MiB
    head = s3_server.client().head_object(
        Bucket=bucket, Key=f"{prefix}/web-110000/big-00000-h.warc.gz"
    )
    assert head["ETag"].strip('"').endswith("-3")  # three 5 MiB parts
    assert head["Metadata"]["sha256"] == digest
    with store.open(next(store.stored())) as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == digest


def test_commit_returns_at_once_and_the_background_uploader_stores(bucket, prefix, spool):
    store = _store(bucket, prefix, spool)
    path = write_html_warc(store.spool_dir("govinfo-500000") / "c-00000-h.warc.gz")
    try:
        warc = store.commit(path, "govinfo-500000")
        assert warc.location.startswith(f"s3://{bucket}/{prefix}/govinfo-500000/")
    finally:
        store.close()  # a last pass: everything that can be stored now is stored
    assert not path.exists()
    assert [r.name for r in store.manifest()] == ["c-00000-h.warc.gz"]


def test_spool_copy_changed_after_close_is_kept_and_reported(bucket, prefix, spool, s3_server):
    store = _store(bucket, prefix, spool)
    path = write_html_warc(store.spool_dir("govinfo-500000") / "d-00000-h.warc.gz")
    checksum = path.with_name(path.name + CHECKSUM_SUFFIX)
    checksum.write_text("0" * 64 + "  d-00000-h.warc.gz\n")  # what was "recorded at close"

    report = store.sync()

    assert not report.stored
    assert "changed since it was closed" in report.waiting["d-00000-h.warc.gz"]
    assert path.exists() and checksum.exists()
    assert list(store.manifest()) == []


def test_recover_closes_torn_spool_files_and_uploads_them(bucket, prefix, spool):
    store = _store(bucket, prefix, spool)
    torn = write_html_warc(store.spool_dir("govinfo-500000") / "t-00000-h.warc.gz.open", pages=3)
    with torn.open("r+b") as fh:
        fh.truncate(torn.stat().st_size - 30)  # a kill in the middle of the last record
    try:
        closed = store.recover()
    finally:
        store.close()
    assert [p.name for p in closed] == ["t-00000-h.warc.gz"]
    assert store.waiting() == []
    assert [r.name for r in store.manifest()] == ["t-00000-h.warc.gz"]
    with store.open(next(store.stored())) as stream:
        records = list(ArchiveIterator(stream))
    assert [r.rec_type for r in records] == ["warcinfo", "response", "response"]
    assert verify_store(store).intact == 1


def test_listing_while_the_endpoint_is_unreachable_shows_the_spool(spool, tmp_path):
    dead = boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client(
        "s3",
        endpoint_url="http://127.0.0.1:9",
        config=Config(connect_timeout=1, retries={"max_attempts": 1}),
    )
    store = S3WarcStore(
        S3Location("nowhere", "p"), spool, TransferOptions.configured({}), client=dead
    )
    path = write_html_warc(store.spool_dir("govinfo-500000") / "u-00000-h.warc.gz")
    assert [w.location for w in store.list()] == [str(path)]
    report = store.sync()
    assert report.endpoint_down and "u-00000-h.warc.gz" in report.waiting
    assert path.exists()


def test_a_missing_bucket_stops_the_crawl_before_it_starts(s3_env, spool):
    store = S3WarcStore(S3Location("no-such-bucket", "p"), spool, TransferOptions.configured({}))
    with pytest.raises(StoreConfigError, match="no-such-bucket"):
        store.recover()
