"""`diancang storage verify` finds stored files that are missing, truncated or altered."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run, store_env
from seaweedfs_server import SeaweedS3
from warc_files import write_html_warc

from diancang.storage.fixity import verify_store
from diancang.storage.local import LocalWarcStore
from diancang.storage.s3 import S3WarcStore
from diancang.storage.s3_client import S3Location, TransferOptions

COLLECTION = "govinfo-500000"


def _stored_s3(bucket: str, prefix: str, spool: Path, n: int) -> S3WarcStore:
    store = S3WarcStore(S3Location(bucket, prefix), spool, TransferOptions.configured({}))
    for i in range(n):
        write_html_warc(store.spool_dir(COLLECTION) / f"w{i}-00000-h.warc.gz", seed=i)
    assert len(store.sync().stored) == n
    return store


def test_flipped_byte_truncation_deletion_and_strays_are_each_reported(
    s3_server: SeaweedS3, bucket, prefix, spool, tmp_path
):
    store = _stored_s3(bucket, prefix, spool, 4)
    client = s3_server.client()

    def key(i: int) -> str:
        return f"{prefix}/{COLLECTION}/w{i}-00000-h.warc.gz"

    original = client.get_object(Bucket=bucket, Key=key(0))
    data = bytearray(original["Body"].read())
    data[len(data) // 2] ^= 0x01  # one bit of one byte, metadata untouched: silent corruption
    client.put_object(Bucket=bucket, Key=key(0), Body=bytes(data), Metadata=original["Metadata"])
    whole = client.get_object(Bucket=bucket, Key=key(1))["Body"].read()
    client.put_object(Bucket=bucket, Key=key(1), Body=whole[: len(whole) // 3])
    client.delete_object(Bucket=bucket, Key=key(2))
    client.put_object(Bucket=bucket, Key=f"{prefix}/{COLLECTION}/stray.warc.gz", Body=whole)

    result = run(
        ["diancang", "storage", "verify"],
        store_env(s3_server, tmp_path / "data", f"s3://{bucket}/{prefix}"),
    )

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("altered") and "w0-00000-h.warc.gz" in line for line in lines)
    assert any(line.startswith("truncated") and "w1-00000-h.warc.gz" in line for line in lines)
    assert any(line.startswith("missing") and "w2-00000-h.warc.gz" in line for line in lines)
    assert any(line.startswith("unrecorded") and "stray.warc.gz" in line for line in lines)
    assert "4 files checked: 1 intact, 1 missing, 1 truncated, 1 altered" in result.stdout

    sizes_only = verify_store(store, read=False)
    assert {p.kind for p in sizes_only.failed} == {"missing", "truncated"}  # a flip keeps size


def test_local_store_records_fixity_at_commit_and_verify_finds_a_flip(tmp_path: Path):
    store = LocalWarcStore(tmp_path / "warcs")
    paths = [
        write_html_warc(store.spool_dir(COLLECTION) / f"l{i}.warc.gz", seed=i) for i in range(2)
    ]
    for path in paths:
        store.commit(path, COLLECTION)
    assert [r.name for r in store.manifest()] == ["l0.warc.gz", "l1.warc.gz"]
    assert verify_store(store).intact == 2

    data = bytearray(paths[1].read_bytes())
    data[100] ^= 0xFF
    paths[1].write_bytes(bytes(data))
    report = verify_store(store)
    assert [(p.name, p.kind) for p in report.problems] == [("l1.warc.gz", "altered")]


def test_local_sync_records_files_that_predate_fixity(tmp_path: Path):
    store = LocalWarcStore(tmp_path / "warcs")
    write_html_warc(store.spool_dir(COLLECTION) / "old.warc.gz")
    assert [p.kind for p in verify_store(store).problems] == ["unrecorded"]
    assert [r.name for r in store.sync().stored] == ["old.warc.gz"]
    assert verify_store(store).problems == []
