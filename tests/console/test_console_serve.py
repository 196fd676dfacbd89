"""`diancang serve` as a subprocess: OAI public, transfer listing for harvesters, or disabled."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import WARC_NAME
from ports import free_port
from served_app import DIANCANG, Served


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
        [str(DIANCANG), "serve", "--port", str(free_port())],
        env=_env(tmp_path, DIANCANG_API_TOKENS="harvester:plain-secret-token"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DIANCANG_API_TOKENS: entry 1 (harvester)" in result.stderr
    assert "plain-secret-token" not in result.stderr + result.stdout
