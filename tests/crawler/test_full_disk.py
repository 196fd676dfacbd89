"""A disk that fills up mid-crawl: a clear error, nothing written is lost, --resume finishes."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import BIN, captured_urls, crawl_env, diancang, warc_files, write_demo_seed_list
from redis_server import RedisServer
from warcio.archiveiterator import ArchiveIterator

from diancang.crawler.frontier_store import crawl_prefix
from diancang.crawler.warc.records import RecordFactory
from diancang.crawler.warc.writer import RotatingWarcWriter

WARCIO = Path(sys.executable).parent / "warcio"
FILE_SIZE_LIMIT = 150_000  # bytes any one file may grow to: the crawl's state outgrows it
# a shared crawl has no journal: its revisit index fails first, while the seed's page is
# still being captured
SHARED_FILE_SIZE_LIMIT = 60_000


def _limit_file_size(limit: int = FILE_SIZE_LIMIT) -> None:
    # Writes past the limit fail with EFBIG, as writes to a full disk fail with ENOSPC.
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.slow
def test_write_failure_stops_the_crawl_cleanly_and_resume_completes_it(demo_portal, tmp_path):
    seeds = write_demo_seed_list(tmp_path, demo_portal)
    failed = subprocess.run(
        [str(BIN / "diancang"), "crawl", str(seeds)],
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        timeout=120,
    )
    assert failed.returncode == 1
    assert "write failed" in failed.stderr and "diancang crawl --resume" in failed.stderr
    partial = captured_urls(tmp_path)
    assert 0 < len(partial) < len(demo_portal.expected_urls())
    assert not list((tmp_path / "warcs").glob("*/*.open"))
    check = subprocess.run([str(WARCIO), "check", *map(str, warc_files(tmp_path))])
    assert check.returncode == 0

    resumed = diancang("crawl", "--resume", env=crawl_env(tmp_path))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert captured_urls(tmp_path) >= demo_portal.expected_urls()


@pytest.mark.slow
def test_a_shared_crawl_stopped_by_a_full_disk_loses_no_page(demo_portal, tmp_path):
    # the pages whose capture failed are not done: their leases expire back to the queue,
    # where the resumed worker finds them
    redis = RedisServer(tmp_path / "redis").start()
    try:
        seeds = write_demo_seed_list(tmp_path, demo_portal)
        env = crawl_env(
            tmp_path,
            DIANCANG_FRONTIER_URL=redis.url,
            DIANCANG_WORKER_ID="w0",
            DIANCANG_LEASE_TTL="2",
        )
        command = [str(BIN / "diancang"), "crawl", str(seeds), "--job", "full"]
        failed = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            preexec_fn=lambda: _limit_file_size(SHARED_FILE_SIZE_LIMIT),
            timeout=120,
        )
        assert failed.returncode == 1
        assert "write failed" in failed.stderr
        assert 0 < len(captured_urls(tmp_path)) < len(demo_portal.expected_urls())
        assert int(redis.client().get(crawl_prefix("full") + "pending")) > 0

        resumed = diancang(*command[1:], "--resume", env=env)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert captured_urls(tmp_path) >= demo_portal.expected_urls()
    finally:
        redis.stop()


def test_a_failed_write_is_cut_back_whole_and_the_file_still_closes(tmp_path):
    factory = RecordFactory()
    closed: list[Path] = []
    writer = RotatingWarcWriter(tmp_path, "c", {"operator": "t"}, factory, 10**9, closed.append)

    def write(uri: str, size: int) -> None:
        body = os.urandom(size)  # incompressible: the gzip member is as large
        writer.write(factory.resource(uri, factory.now(), "application/octet-stream", body, "<x>"))

    write("http://h/kept", 100)
    (open_file,) = tmp_path.glob("*.open")
    whole = open_file.stat().st_size
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (whole + 3000, hard))
    try:
        with pytest.raises(OSError):
            write("http://h/failed", 5_000)  # less than a buffer: a flush fails
        assert open_file.stat().st_size == whole
        write("http://h/after", 100)  # fits: a full disk may free a little space
        writer.close()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    with closed[0].open("rb") as fh:
        found = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(fh)
        ]
    assert found == [
        ("warcinfo", None),
        ("resource", "http://h/kept"),
        ("resource", "http://h/after"),
    ]
