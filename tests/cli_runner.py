"""Run the `diancang` command (and its peers) as a subprocess against a test S3 server."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from seaweedfs_server import SeaweedS3

BIN = Path(sys.executable).parent


def store_env(server: SeaweedS3, data_dir: Path, store_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **server.env(),
        "DIANCANG_DATA_DIR": str(data_dir),
        "DIANCANG_ALLOW_NETWORKS": "127.0.0.0/8",
        "DIANCANG_WARC_STORE": store_url,
        **extra,
    }


def run(
    args: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    command = [str(BIN / args[0]), *args[1:]]
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


@dataclass(frozen=True)
class S3Crawl:
    """A finished crawl of the demo portal into ``s3://BUCKET/PREFIX``."""

    data_dir: Path
    store_url: str
    prefix: str
    env: dict[str, str]
    report: dict
    base_url: str
