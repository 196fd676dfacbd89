"""`diancang demo` serves the console over its own capture, with a demo admin whose
password it prints; and what it registers is registered once however often it runs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from console.console_helpers import Browser
from ports import free_port
from sqlalchemy import func, select

from diancang.accounts.models import Library, User
from diancang.accounts.users import authenticate
from diancang.catalog.db import Catalog
from diancang.console.demo_setup import DEMO_ADMIN, DEMO_LIBRARY, DEMO_SEED_KEY, register_demo
from diancang.registry.models import RegisteredSeed

DIANCANG = Path(sys.executable).with_name("diancang")
DEMO_TIMEOUT = 300  # seconds to crawl and catalogue the portal and start the servers


@dataclass
class Portal:
    base_url: str
    files_url: str


def test_the_demo_registers_its_library_admin_and_seed_once(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    try:
        with catalog.session() as db:
            first = register_demo(db, Portal("http://www.127.0.0.1.nip.io:4001/", "http://f:4002/"))
        with catalog.session() as db:
            again = register_demo(db, Portal("http://www.127.0.0.1.nip.io:4101/", "http://f:4102/"))
        with catalog.session() as db:
            assert db.scalar(select(func.count(Library.id))) == 1
            assert db.scalar(select(func.count(User.id))) == 1
            (seed,) = db.scalars(select(RegisteredSeed)).all()
            assert seed.seed_key == DEMO_SEED_KEY and seed.url.endswith(":4101/")
            assert seed.fields["requisite_hosts"] == "f:4102"
            assert seed.library.name == DEMO_LIBRARY and seed.library.level == "province"
            assert first.password != again.password  # a new one every run
            assert authenticate(catalog, DEMO_ADMIN, first.password) is None
            assert authenticate(catalog, DEMO_ADMIN, again.password).role == "admin"
            stored = db.scalar(select(User.password_hash))
            assert again.password not in stored and stored.startswith("$argon2id$")
    finally:
        catalog.dispose()


@pytest.mark.slow
def test_the_demo_prints_the_admin_and_the_console_that_takes_them(tmp_path):
    port, replay_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env["DIANCANG_DATA_DIR"] = str(tmp_path / "data")
    # not about QA (tests/jobs/test_worker_qa.py scores a worker's jobs): scoring the demo's
    # 74 pages in Chromium took most of this test's time
    env["DIANCANG_REVIEW_QA_AFTER_CRAWL"] = "false"
    env["DIANCANG_CONSOLE_WORKER_INTERVAL"] = "0.5"
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [str(DIANCANG), "demo", "--port", str(port), "--replay-port", str(replay_port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        browser = Browser(base)
        deadline = time.monotonic() + DEMO_TIMEOUT
        while True:
            output = log.read_text(encoding="utf-8", errors="replace")
            assert demo.poll() is None, output
            assert time.monotonic() < deadline, output
            if "Ctrl-C stops it." in output and _answers(browser):
                break
            time.sleep(0.5)
        assert f"Console: {base}/login" in output
        assert f"OAI-PMH: {base}/oai" in output
        assert f"http://127.0.0.1:{replay_port}/govinfo-500000/" in output
        user = re.search(r"user: (\S+)", output).group(1)
        password = re.search(r"password: (\S+)", output).group(1)
        assert user == DEMO_ADMIN
        assert browser.login(user, password).status_code == 200
        page = browser.get("/dashboard")
        assert page.status_code == 200
        captures = re.search(
            rf'data-library="{DEMO_LIBRARY}".*?data-captures="(\d+)"', page.text, re.S
        )
        assert captures and int(captures.group(1)) > 10  # the portal's pages, catalogued
        records = re.search(
            rf'data-library="{DEMO_LIBRARY}".*?data-records="(\d+)"', page.text, re.S
        )
        assert records and int(records.group(1)) > 0  # owned by the demo library: its job's
        assert re.search(r"Crawl job \d+: 已完成 \(finished\), \d+ pages", output)
        # replay in a fresh data directory: pywb knows the collection the crawl made
        replayed = re.search(rf"(http://127.0.0.1:{replay_port}/govinfo-500000/http\S+)", output)
        deadline = time.monotonic() + 60
        while (status := _status(replayed.group(1))) != 200 and time.monotonic() < deadline:
            time.sleep(0.5)  # pywb takes a few seconds to start
        assert status == 200
        # publishing follows review: nothing is harvested before a curator approves it
        oai = browser.get("/oai?verb=ListRecords&metadataPrefix=oai_dc")
        assert oai.status_code == 200 and b'code="noRecordsMatch"' in oai.content
    finally:
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == -signal.SIGTERM


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _answers(browser: Browser) -> bool:
    try:
        return browser.get("/login").status_code == 200
    except OSError:
        return False
