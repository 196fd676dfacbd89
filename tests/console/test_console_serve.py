"""`diancang serve` as a subprocess: OAI public, transfer listing for harvesters, or disabled."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import requests
from console_helpers import WARC_NAME
from ports import free_port
from served_app import DIANCANG, Served

from diancang.accounts.libraries import add_library
from diancang.accounts.throttle import USERNAME_POLICY
from diancang.accounts.tokens import issue_token
from diancang.accounts.users import add_user
from diancang.catalog.db import Catalog


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


def test_serve_runs_web_workers_of_their_own_engines_over_one_sqlite_catalogue(tmp_path):
    """[console] web_workers processes; none inherits a database handle across its fork, and
    concurrent writes through all of them land in the one SQLite catalogue (WAL)."""
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite'}")
    with catalog.session() as db:
        add_library(db, "重庆市图书馆", "province", "500000")
        user = add_user(db, "zhang", "librarian", "correct horse battery", "重庆市图书馆")
        token = issue_token(db, user)
    catalog.dispose()
    server = Served(_env(tmp_path, DIANCANG_CONSOLE_WEB_WORKERS="3"), tmp_path / "serve.log")
    try:
        (gunicorn,) = psutil.Process(server.process.pid).children()
        deadline = time.monotonic() + 60  # under load the last worker forks late
        while len(gunicorn.children()) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(gunicorn.children()) == 3

        def create(n: int) -> int:
            seed = {"url": f"http://site{n}.cq.gov.cn/", "title": f"网站 {n}",
                    "jurisdiction": "500000", "collection": "govinfo"}  # fmt: skip
            answer = requests.post(
                server.base + "/api/seeds", json=seed, timeout=60,
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
            return answer.status_code

        with ThreadPoolExecutor(12) as pool:
            assert set(pool.map(create, range(24))) == {201}
        status, _, body = server.get("/api/seeds?per_page=100", token)
        assert status == 200 and len(json.loads(body)["seeds"]) == 24
        opened = [f.path for f in gunicorn.open_files()]
        assert not [path for path in opened if "catalog.sqlite" in path], opened
    finally:
        server.stop()


def test_failed_logins_count_across_every_web_worker(tmp_path):
    """Three workers share one throttle (the catalogue): after `free` wrong passwords for
    one user name, the next attempt is refused whichever worker answers it."""
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite'}")
    with catalog.session() as db:
        add_library(db, "重庆市图书馆", "province", "500000")
        add_user(db, "zhang", "librarian", "correct horse battery", "重庆市图书馆")
    catalog.dispose()
    server = Served(_env(tmp_path, DIANCANG_CONSOLE_WEB_WORKERS="3"), tmp_path / "serve.log")

    def attempt(_: int) -> int:
        with requests.Session() as browser:  # a new connection: any worker may answer
            form = browser.get(server.base + "/login", timeout=60).text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            fields = {"csrf_token": token, "username": "zhang", "password": "wrong"}
            return browser.post(server.base + "/login", data=fields, timeout=60).status_code

    try:
        with ThreadPoolExecutor(5) as pool:  # concurrent: spread over the workers
            assert (
                list(pool.map(attempt, range(USERNAME_POLICY.free))) == [401] * USERNAME_POLICY.free
            )
        with ThreadPoolExecutor(6) as pool:
            assert set(pool.map(attempt, range(12))) == {429}
    finally:
        server.stop()
