"""A page captured into S3 replays in pywb, read from the bucket with range requests."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
import yaml
from cli_runner import S3Crawl
from pywb_runner import get, wayback

from diancang.replay.index import CollectionIndexes
from diancang.replay.pywb_config import write_config
from diancang.replay.server import prepare
from diancang.settings import load_settings
from diancang.storage import open_store


def _title(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        html = response.read().decode("utf-8")
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@pytest.mark.slow
def test_captured_page_replays_from_the_bucket(s3_crawl: S3Crawl, s3_env, tmp_path: Path):
    settings = load_settings(s3_crawl.env)
    store = open_store(settings)
    indexes = CollectionIndexes(settings.index_dir)
    indexes.update(store)
    config = write_config(tmp_path / "replay", indexes, store)
    paths = yaml.safe_load(config.read_text())["collections"]["govinfo-500000"]["archive_paths"]
    assert paths == f"{s3_crawl.store_url}/govinfo-500000/"
    assert not list((s3_crawl.data_dir / "spool").glob("*/*.warc.gz"))  # nothing local

    with wayback(tmp_path / "replay", s3_env) as url:
        status, body = get(f"{url}/govinfo-500000/mp_/{s3_crawl.base_url}")

    assert status == 200, body[:500]
    assert _title(s3_crawl.base_url) in body


@pytest.mark.slow
def test_replay_serves_its_collections_root_from_the_bucket(s3_crawl: S3Crawl, s3_env):
    """``diancang replay``'s own configuration: every collection of its root, WARCs in S3."""
    directory, collections = prepare(load_settings(s3_crawl.env))
    assert "govinfo-500000" in collections
    with wayback(directory, s3_env) as url:
        status, body = get(f"{url}/govinfo-500000/mp_/{s3_crawl.base_url}")
    assert status == 200, body[:500]
    assert _title(s3_crawl.base_url) in body
