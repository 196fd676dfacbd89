"""A hand-off cut off at any step is finished by the next sync, and nothing is lost.

Each test leaves the spool and the bucket as a kill at one step would, then syncs again.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import time
from pathlib import Path

from cli_runner import BIN, run, store_env
from seaweedfs_server import SeaweedS3
from warc_files import write_html_warc

from diancang.storage.fixity import verify_store
from diancang.storage.handoff import manifest_key, warc_key
from diancang.storage.s3 import S3WarcStore
from diancang.storage.s3_client import S3Location, TransferOptions
from diancang.storage.spool import CHECKSUM_SUFFIX, SpooledWarc, record_checksum

COLLECTION = "govinfo-500000"


def _store(bucket: str, prefix: str, spool: Path) -> S3WarcStore:
    return S3WarcStore(S3Location(bucket, prefix), spool, TransferOptions.configured({}))


def _spooled(store: S3WarcStore, name: str, seed: int = 0) -> SpooledWarc:
    path = write_html_warc(store.spool_dir(COLLECTION) / name, seed=seed)
    return SpooledWarc(COLLECTION, path)


def _assert_all_stored(store: S3WarcStore, n: int) -> None:
    assert store.waiting() == []
    assert not list(store.spool_root.glob(f"*/*{CHECKSUM_SUFFIX}"))
    report = verify_store(store)
    assert (report.checked, report.intact, report.problems) == (n, n, [])


def test_killed_before_the_checksum_was_written(bucket, prefix, spool):
    store = _store(bucket, prefix, spool)
    _spooled(store, "a.warc.gz")  # closed, but no .sha256 beside it yet
    assert [r.name for r in store.sync().stored] == ["a.warc.gz"]
    _assert_all_stored(store, 1)


def test_killed_after_upload_before_the_record(bucket, prefix, spool, s3_server: SeaweedS3):
    store = _store(bucket, prefix, spool)
    warc = _spooled(store, "b.warc.gz")
    digest = record_checksum(warc)
    key = warc_key(store.bucket, COLLECTION, warc.name)
    store.bucket.upload(warc.path, key, {"sha256": digest})
    assert list(store.manifest()) == []  # stored, but not yet recorded

    report = store.sync()

    assert [r.sha256 for r in report.stored] == [digest]
    _assert_all_stored(store, 1)


def test_killed_after_the_record_before_release(bucket, prefix, spool):
    store = _store(bucket, prefix, spool)
    warc = _spooled(store, "c.warc.gz")
    copy = warc.path.read_bytes()
    store.sync()
    warc.path.write_bytes(copy)  # the spool copy "survives" the kill
    record_checksum(warc)

    report = store.sync()

    assert [r.name for r in report.stored] == ["c.warc.gz"]
    _assert_all_stored(store, 1)


def test_killed_between_the_two_unlinks(bucket, prefix, spool):
    store = _store(bucket, prefix, spool)
    warc = _spooled(store, "d.warc.gz")
    digest = record_checksum(warc)
    store.sync()
    warc.checksum_path.write_text(f"{digest}  d.warc.gz\n")  # an orphan checksum
    store.sync()
    _assert_all_stored(store, 1)


def test_a_different_file_under_a_recorded_name_is_never_overwritten(bucket, prefix, spool):
    store = _store(bucket, prefix, spool)
    _spooled(store, "e.warc.gz", seed=1)
    first = store.sync().stored[0]
    second = _spooled(store, "e.warc.gz", seed=2)

    report = store.sync()

    assert "already recorded" in report.waiting["e.warc.gz"]
    assert second.path.exists()
    stored = store.bucket.sha256(warc_key(store.bucket, COLLECTION, "e.warc.gz"))[0]
    assert stored == first.sha256 == store.fixity_record(COLLECTION, "e.warc.gz").sha256
    assert store.bucket.get_bytes(manifest_key(store.bucket, COLLECTION, "e.warc.gz"))


def test_sync_killed_with_sigkill_then_run_again(
    s3_server: SeaweedS3, bucket, prefix, tmp_path: Path
):
    env = store_env(s3_server, tmp_path / "data", f"s3://{bucket}/{prefix}")
    spool = tmp_path / "data" / "spool" / COLLECTION
    digests = {}
    for i in range(40):
        path = write_html_warc(spool / f"k{i:03d}.warc.gz", pages=20, payload_bytes=20000, seed=i)
        digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    client = s3_server.client()
    sync = subprocess.Popen(
        [str(BIN / "diancang"), "storage", "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while (
        client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/_manifest/").get("KeyCount", 0) < 3
        and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    sync.send_signal(signal.SIGKILL)
    sync.wait()
    assert 0 < len(list(spool.glob("*.warc.gz"))) < 40, "the kill did not land mid-sync"

    again = run(["diancang", "storage", "sync"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    verified = run(["diancang", "storage", "verify"], env)
    assert "40 files checked: 40 intact" in verified.stdout, verified.stdout
    store = _store(bucket, prefix, tmp_path / "data" / "spool")
    assert {r.name: r.sha256 for r in store.manifest()} == digests


def test_sync_recover_closes_what_a_killed_crawl_left_open(s3_server, bucket, prefix, tmp_path):
    env = store_env(s3_server, tmp_path / "data", f"s3://{bucket}/{prefix}")
    spool = tmp_path / "data" / "spool" / COLLECTION
    torn = write_html_warc(spool / "z-00000-h.warc.gz.open", pages=4)
    with torn.open("r+b") as fh:
        fh.truncate(torn.stat().st_size - 50)

    plain = run(["diancang", "storage", "sync"], env)
    assert "still being written, or were left by a killed crawl" in plain.stderr
    assert torn.exists()

    recovered = run(["diancang", "storage", "sync", "--recover"], env)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "closed" in recovered.stdout and "1 files stored" in recovered.stdout
    assert not list(spool.iterdir())
