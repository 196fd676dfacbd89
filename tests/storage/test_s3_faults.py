"""The S3 endpoint goes away in the middle of an upload and of a crawl: nothing is lost."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest
from cli_runner import BIN, run, store_env
from crawl_helpers import portal_seed, write_seed_list
from seaweedfs_server import SeaweedS3
from warc_files import write_html_warc, write_large_warc

from diancang.console.crawl_commands import EXIT_SPOOLED
from diancang.demo_portal.server import DemoPortal
from diancang.storage.fixity import verify_store
from diancang.storage.s3 import S3WarcStore
from diancang.storage.s3_client import MiB, S3Location, TransferOptions
from diancang.storage.spool import CHECKSUM_SUFFIX


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def restart_after(s3_server: SeaweedS3):
    """Whatever a fault test does, the session's server runs again afterwards."""
    yield s3_server
    if s3_server.process is None:
        s3_server.start()


def test_endpoint_stopped_mid_upload_files_wait_then_go_up_by_themselves(
    restart_after: SeaweedS3, bucket, prefix, spool
):
    server = restart_after
    uploading, stopped = threading.Event(), threading.Event()

    def progress(_bytes: int) -> None:
        if not uploading.is_set():  # hold the first upload half-way until the server is down
            uploading.set()
            stopped.wait(30)

    transfer = TransferOptions(
        multipart_threshold=5 * MiB,
        multipart_chunksize=5 * MiB,
        max_concurrency=1,
        retry_min_delay=0.2,
        retry_max_delay=1.0,
    )
    store = S3WarcStore(S3Location(bucket, prefix), spool, transfer, progress=progress)
    big = write_large_warc(store.spool_dir("web-110000") / "big-00000-h.warc.gz", 12 * MiB)
    try:
        store.commit(big, "web-110000")
        assert uploading.wait(20), "the upload never started"
        server.stop()
        stopped.set()
        _wait_for(
            lambda: (
                store._uploader.last_report is not None
                and store._uploader.last_report.endpoint_down
            ),
            30,
            "the uploader to notice the endpoint is down",
        )
        # the crawl goes on: more files are committed while the endpoint is down
        small = [
            store.commit(
                write_html_warc(store.spool_dir("web-110000") / f"s-{i:05d}-h.warc.gz"),
                "web-110000",
            )
            for i in range(2)
        ]
        assert {w.name for w in store.waiting()} == {big.name} | {w.name for w in small}
        assert big.with_name(big.name + CHECKSUM_SUFFIX).exists()  # recorded before upload

        server.start()
        _wait_for(lambda: not store.waiting(), 30, "the uploader to store the spooled files")
    finally:
        store.close()

    report = verify_store(store)
    assert (report.checked, report.intact, report.problems) == (3, 3, [])
    assert {w.name for w in store.stored()} == {big.name} | {w.name for w in small}
    uploads = server.client().list_multipart_uploads(Bucket=bucket, Prefix=prefix)
    assert not uploads.get("Uploads"), "a killed multipart upload was left behind"


@pytest.mark.slow
def test_endpoint_stopped_mid_crawl_the_crawl_says_what_waits_and_sync_stores_it(
    restart_after: SeaweedS3, bucket, tmp_path: Path
):
    server = restart_after
    prefix = "fault-crawl/warcs"
    env = store_env(
        server,
        tmp_path / "data",
        f"s3://{bucket}/{prefix}",
        DIANCANG_WARC_MAX_SIZE="40000",  # many small files, closed while the crawl runs
        DIANCANG_S3_RETRY_MAX_DELAY="1",
    )
    client = server.client()
    slow = DemoPortal(port=0, latency=0.12).start()
    try:
        seeds = write_seed_list(tmp_path / "seeds.csv", [portal_seed(slow.base_url)])
        crawl = subprocess.Popen(
            [str(BIN / "diancang"), "crawl", str(seeds)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for(
            lambda: (
                client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/govinfo").get("KeyCount", 0)
                > 0
            ),
            60,
            "the first WARC to reach the bucket",
        )
        server.stop()
        out, err = crawl.communicate(timeout=120)
    finally:
        slow.stop()
    # finished, but not stored: a distinct exit status, and the report and summary say so
    assert crawl.returncode == EXIT_SPOOLED, out + err
    report = json.loads(next((tmp_path / "data/warcs/reports").glob("*.json")).read_text())
    assert report["finish_reason"] == "finished"
    names = set(report["warc_files"])
    assert len(names) > 2
    spooled = {p.name for p in (tmp_path / "data/spool").glob("*/*.warc.gz")}
    # what was not stored (uploaded, verified, recorded) before the stop waits in the spool
    assert spooled and spooled <= names
    assert set(report["spool_waiting"]) == spooled
    assert report["spool_reason"].startswith("endpoint unavailable")
    assert f"NOT STORED    {len(spooled)} WARC files wait in the local spool" in out

    failed = run(["diancang", "storage", "sync"], env)
    assert failed.returncode == 1 and "endpoint is unavailable" in failed.stdout

    server.start()
    synced = run(["diancang", "storage", "sync"], env)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert f"{len(spooled)} files stored" in synced.stdout
    assert not list((tmp_path / "data/spool").glob("*/*.warc.gz*"))

    verified = run(["diancang", "storage", "verify"], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    n = len(names)
    assert f"{n} files checked: {n} intact, 0 missing, 0 truncated, 0 altered" in verified.stdout
