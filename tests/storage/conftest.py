from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import S3Crawl, run, store_env
from crawl_helpers import portal_seed, write_seed_list
from diancang.demo_portal.server import DemoPortal
from seaweedfs_server import SeaweedS3

_prefixes = itertools.count()


@pytest.fixture
def s3_env(s3_server: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The AWS_* variables of the test server, set in this process for the test."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server.env()


@pytest.fixture
def bucket(s3_server: SeaweedS3, s3_env: dict[str, str]) -> str:
    """The session's bucket (one bucket: SeaweedFS grows volumes per bucket)."""
    return s3_server.bucket


@pytest.fixture
def prefix() -> str:
    """A prefix no other test uses, so each test starts from an empty store."""
    return f"t{next(_prefixes)}/warcs"


@pytest.fixture(scope="session")
def portal() -> Iterator[DemoPortal]:
    running = DemoPortal(port=0).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    return tmp_path / "spool"


@pytest.fixture(scope="session")
def s3_crawl(
    s3_server: SeaweedS3, portal: DemoPortal, tmp_path_factory: pytest.TempPathFactory
) -> S3Crawl:
    work = tmp_path_factory.mktemp("s3-crawl")
    prefix = "crawl/warcs"
    store_url = f"s3://{s3_server.bucket}/{prefix}"
    env = store_env(s3_server, work / "data", store_url)
    seeds = write_seed_list(work / "seeds.csv", [portal_seed(portal.base_url)])
    result = run(["diancang", "crawl", str(seeds)], env, cwd=work)
    assert result.returncode == 0, result.stderr + result.stdout
    report_path = next((work / "data" / "warcs" / "reports").glob("*.json"))
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return S3Crawl(work / "data", store_url, prefix, env, report, portal.base_url)
