"""Helpers for end-to-end tests: run the `diancang` command, read WARCs, start pywb."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from diancang.replay.server import prepare, wayback_command
from diancang.settings import load_settings

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def crawl_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DIANCANG_DATA_DIR": str(data_dir),
        "DIANCANG_ALLOW_NETWORKS": "127.0.0.0/8",
        **extra,
    }


def diancang(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "diancang"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def write_seed_list(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def warc_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "warcs").glob("*/*.warc.gz"))


def records(data_dir: Path) -> Iterator:
    """Every record of every closed WARC; ``content`` is the payload as stored (still encoded)."""
    for path in warc_files(data_dir):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                record.content = record.raw_stream.read()
                yield record


def captured_urls(data_dir: Path) -> set[str]:
    return {
        r.rec_headers.get_header("WARC-Target-URI")
        for r in records(data_dir)
        if r.rec_type in ("response", "revisit")
    }


class Wayback:
    """pywb's server on a free port, for the collections of one data directory."""

    def __init__(self, data_dir: Path):
        settings = load_settings(crawl_env(data_dir))
        directory, self.collections = prepare(settings)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "PYWB_CONFIG_FILE": str(directory / "config.yaml")}
        self.process = subprocess.Popen(
            wayback_command(self.port, "127.0.0.1"),
            cwd=directory,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base, timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("pywb did not start")

    def get(self, path: str) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Crawl:
    def __init__(self, data_dir: Path, result, report: dict):
        self.data_dir = data_dir
        self.result = result
        self.report = report


def run_crawl_cli(data_dir: Path, seed_list: Path, *args: str, **env: str) -> Crawl:
    result = diancang("crawl", str(seed_list), *args, env=crawl_env(data_dir, **env))
    assert result.returncode == 0, result.stderr[-3000:]
    reports = sorted((data_dir / "warcs" / "reports").glob("*.json"))
    return Crawl(data_dir, result, json.loads(reports[-1].read_text(encoding="utf-8")))
