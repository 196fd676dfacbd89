from __future__ import annotations

import itertools
from pathlib import Path

import pytest
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


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    return tmp_path / "spool"
