"""py-wasapi-client 1.1.0 (the Archive-It/Webrecorder WASAPI client), its real command line,
against `diancang serve` on loopback over a real re-crawl of the demo portal: it counts,
filters, lists and downloads every WARC and verifies each one's checksum. Once over the
local store, once over an S3 store (SeaweedFS)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_runner import store_env
from crawl_helpers import crawl_env, diancang, portal_seed, write_seed_list
from served_app import Served

from diancang.settings import load_settings
from diancang.storage import open_store

CLIENT = Path(sys.executable).with_name("wasapi-client")
COLLECTION = "govinfo-500000"


@dataclass(frozen=True)
class Listing:
    server: Served
    token: str
    env: dict[str, str]  # of the crawls: DIANCANG_DATA_DIR and the store
    reports: list[dict]

    @property
    def webdata(self) -> str:
        return f"{self.server.base}/wasapi/v1/webdata"

    def stored(self) -> dict[str, str]:
        """Name -> SHA-256 of every WARC the store's fixity records list."""
        old = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            store = open_store(load_settings())
            try:
                return {r.name: r.sha256 for r in store.manifest()}
            finally:
                store.close()
        finally:
            for key, value in old.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def client(self, *args: str, auth: str = "token", cwd: Path | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WASAPI_")}
        command = [str(CLIENT), "-b", self.webdata, *args]
        if auth == "token":
            command.append(f"--token={self.token}")  # a token may start with "-"
        else:  # HTTP Basic, the token as password
            env.update(WASAPI_USER="harvester", WASAPI_PASS=self.token)
        result = subprocess.run(
            command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


def _serve(env: dict[str, str], log: Path) -> tuple[Served, str]:
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    return Served({**env, "DIANCANG_API_TOKENS": f"harvester:{digest}"}, log), token


def _reports(data_dir: Path) -> list[dict]:
    paths = sorted((data_dir / "warcs" / "reports").glob("*.json"))
    return [dict(json.loads(p.read_text(encoding="utf-8")), id=p.stem) for p in paths]


@pytest.fixture(scope="module")
def local_listing(recrawl, tmp_path_factory) -> Iterator[Listing]:
    env = crawl_env(recrawl.data_dir)
    server, token = _serve(env, tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield Listing(server, token, env, _reports(recrawl.data_dir))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3_listing(s3_server, demo_portal, tmp_path_factory) -> Iterator[Listing]:
    work = tmp_path_factory.mktemp("wasapi-s3")
    env = store_env(s3_server, work / "data", f"s3://{s3_server.bucket}/wasapi/warcs")
    seeds = write_seed_list(work / "seeds.csv", [portal_seed(demo_portal.base_url)])
    for _ in range(2):
        result = diancang("crawl", str(seeds), env=env)
        assert result.returncode == 0, result.stderr[-3000:]
    server, token = _serve(env, work / "serve.log")
    try:
        yield Listing(server, token, env, _reports(work / "data"))
    finally:
        server.stop()


def _download_all(listing: Listing, tmp_path: Path, auth: str) -> None:
    stored = listing.stored()
    assert len(stored) >= 2
    dest = tmp_path / auth
    dest.mkdir()
    out = listing.client("-d", str(dest), "-p", "2", auth=auth)
    assert f"Successful downloads: {len(stored)}" in out, out
    assert "Failed downloads: 0" in out, out
    got = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in dest.glob("*.warc.gz")}
    assert got == stored
    manifest = (dest / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(line.split()[0] for line in manifest) == sorted(stored.values())


@pytest.mark.parametrize("auth", ["token", "basic"])
def test_client_downloads_every_file_verified_from_the_local_store(local_listing, tmp_path, auth):
    _download_all(local_listing, tmp_path, auth)


def test_client_downloads_every_file_verified_from_s3(s3_listing, tmp_path):
    _download_all(s3_listing, tmp_path, "token")


def _count(listing: Listing, *args: str) -> int:
    out = listing.client("--count", *args)
    assert out.startswith("Number of Files:"), out
    return int(out.split(":", 1)[1])


def test_client_filters(local_listing):
    listing = local_listing
    stored = listing.stored()
    first, second = listing.reports[0], listing.reports[-1]
    assert _count(listing) == len(stored)
    assert _count(listing, "--crawl", second["id"]) == len(second["warc_files"])
    assert _count(listing, "--crawl", first["job"]) == len(stored)  # every run of the job
    assert _count(listing, "--collection", "govinfo", "web") == len(stored)
    assert _count(listing, "--collection", "web") == 0
    name = second["warc_files"][0]
    assert _count(listing, "--filename", name) == 1
    assert _count(listing, "--filename", name[:20] + "*") == len(stored)
    year = second["started"][:4]
    assert _count(listing, "--crawl-start-after", year) == len(stored)
    assert _count(listing, "--crawl-start-before", year) == 0
    assert _count(listing, "--crawl-time-after", second["started"][:19]) == len(
        second["warc_files"]
    )
    assert _count(listing, "--crawl-start-after", f"{int(year) + 1}-01") == 0
    urls = listing.client("--urls", "--crawl", second["id"]).split()
    assert sorted(u.rsplit("/", 1)[1] for u in urls) == sorted(second["warc_files"])
