"""`diancang serve` as a subprocess: OAI public, transfer listing for harvesters, or disabled."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import WARC_NAME, Tokens

DIANCANG = Path(sys.executable).with_name("diancang")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """``diancang serve`` on a free loopback port; its output goes to a log file."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(DIANCANG), "serve", "--port", str(self.port)],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while self.get("/")[0] != 200:
            assert self.process.poll() is None, self.output
            assert time.monotonic() < deadline, "diancang serve did not answer\n" + self.output
            time.sleep(0.2)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, url: str, token: str | None = None) -> tuple[int, dict, bytes]:
        url = url if "://" in url else self.base + url
        headers = Tokens.bearer(token) if token else {}
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers=headers), timeout=10
            ) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except OSError:
            return 0, {}, b""

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    return {**env, "DIANCANG_DATA_DIR": str(tmp_path / "data"), **extra}


@pytest.fixture
def served(tmp_path, warc_store, tokens) -> Iterator[Served]:
    server = Served(_env(tmp_path, DIANCANG_API_TOKENS=tokens.env_value), tmp_path / "serve.log")
    try:
        yield server
    finally:
        server.stop()


def test_serve_keeps_oai_public_and_the_listing_for_harvesters(served, tokens):
    status, headers, body = served.get("/oai?verb=Identify")
    assert status == 200 and b"<deletedRecord>persistent</deletedRecord>" in body
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in headers["Content-Security-Policy"]

    assert served.get("/wasapi/v1/webdata")[0] == 401
    assert served.get("/wasapi/v1/webdata", "wrong")[0] == 401
    assert served.get("/wasapi/v1/webdata", tokens.curator)[0] == 403
    status, headers, body = served.get("/wasapi/v1/webdata", tokens.harvester)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    (entry,) = json.loads(body)["files"]
    assert entry["filename"] == WARC_NAME

    (link,) = entry["locations"]
    assert link.startswith(served.base + "/wasapi/v1/webdata/")
    assert served.get(link)[0] == 401
    assert served.get(link, tokens.curator)[0] == 403
    status, headers, data = served.get(link, tokens.harvester)
    assert status == 200 and len(data) == entry["size"]
    assert hashlib.sha256(data).hexdigest() == entry["checksums"]["sha256"]
    assert "Serving the transfer listing at" in served.output


def test_serve_without_tokens_logs_that_the_listing_is_disabled(tmp_path, warc_store, tokens):
    server = Served(_env(tmp_path), tmp_path / "serve.log")
    try:
        assert server.get("/oai?verb=Identify")[0] == 200
        assert server.get("/wasapi/v1/webdata", tokens.harvester)[0] == 404
        assert "transfer listing disabled: DIANCANG_API_TOKENS" in server.output
        assert "Serving the transfer listing" not in server.output
    finally:
        server.stop()


def test_serve_refuses_a_malformed_token_configuration(tmp_path):
    result = subprocess.run(
        [str(DIANCANG), "serve", "--port", str(_free_port())],
        env=_env(tmp_path, DIANCANG_API_TOKENS="harvester:plain-secret-token"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DIANCANG_API_TOKENS: entry 1 (harvester)" in result.stderr
    assert "plain-secret-token" not in result.stderr + result.stdout
