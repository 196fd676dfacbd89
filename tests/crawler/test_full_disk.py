"""A disk that fills up mid-crawl: a clear error, nothing written is lost, --resume finishes."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import BIN, captured_urls, crawl_env, diancang, warc_files, write_demo_seed_list

WARCIO = Path(sys.executable).parent / "warcio"
FILE_SIZE_LIMIT = 150_000  # bytes any one file may grow to: the crawl's state outgrows it


def _limit_file_size() -> None:
    # Writes past the limit fail with EFBIG, as writes to a full disk fail with ENOSPC.
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


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
