"""The transfer listing (WASAPI-like): paged, filtered, with checksums and working links."""

from __future__ import annotations

import base64
import hashlib
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from warc_files import write_warc

from storage.local import LocalWarcStore
from storage.s3 import S3WarcStore
from storage.s3_client import S3Location, TransferOptions
from storage.transfer_api import transfer_blueprint

FILES = [
    ("govinfo-500000", "govinfo-500000-20261101080000000001-00000-h.warc.gz"),
    ("govinfo-500000", "govinfo-500000-20261110080000000001-00000-h.warc.gz"),
    ("govinfo-500000", "govinfo-500000-20261120080000000001-00000-h.warc.gz"),
    ("web-110000", "web-110000-20261115080000000001-00000-h.warc.gz"),
]


def _client(store):
    app = Flask("test")
    app.register_blueprint(transfer_blueprint(store, page_size=2))
    return app.test_client()


@pytest.fixture
def s3_store(bucket, prefix, spool) -> S3WarcStore:
    store = S3WarcStore(S3Location(bucket, prefix), spool, TransferOptions())
    for i, (collection, name) in enumerate(FILES):
        write_warc(store.spool_dir(collection) / name, seed=i)
    assert len(store.sync().stored) == len(FILES)
    return store


def test_listing_pages_through_every_file_with_size_and_sha256(s3_store):
    client = _client(s3_store)
    first = client.get("/wasapi/v1/webdata").get_json()
    assert first["count"] == 4 and first["previous"] is None
    assert [f["filename"] for f in first["files"]] == [FILES[0][1], FILES[1][1]]
    second = client.get(first["next"]).get_json()
    assert [f["filename"] for f in second["files"]] == [FILES[2][1], FILES[3][1]]
    assert second["next"] is None and second["previous"].endswith("page=1")

    entry = first["files"][0]
    record = s3_store.fixity_record(*FILES[0])
    assert entry["checksums"] == {"sha256": record.sha256} and entry["size"] == record.size
    assert (entry["collection"], entry["jurisdiction"]) == ("govinfo", "500000")
    assert entry["crawl-start"] == "2026-11-01T08:00:00Z"


def test_filters_by_collection_jurisdiction_and_crawl_date(s3_store):
    client = _client(s3_store)

    def names(query: str) -> list[str]:
        body = client.get(f"/wasapi/v1/webdata?page_size=10&{query}").get_json()
        return [f["filename"] for f in body["files"]]

    assert names("jurisdiction=110000") == [FILES[3][1]]
    assert names("collection=govinfo") == [name for _, name in FILES[:3]]
    assert names("collection=govinfo-500000") == [name for _, name in FILES[:3]]
    assert names("crawl-start-after=2026-11-05&crawl-start-before=2026-11-16") == [
        FILES[1][1],
        FILES[3][1],
    ]
    bad = client.get("/wasapi/v1/webdata?crawl-start-after=last+week")
    assert bad.status_code == 400 and "crawl-start-after" in bad.get_json()["error"]


def test_presigned_link_and_proxy_both_deliver_the_recorded_bytes(s3_store):
    client = _client(s3_store)
    entry = client.get("/wasapi/v1/webdata?jurisdiction=110000").get_json()["files"][0]
    presigned, proxy = entry["locations"]
    with urllib.request.urlopen(presigned, timeout=10) as response:
        assert hashlib.sha256(response.read()).hexdigest() == entry["checksums"]["sha256"]

    streamed = client.get(proxy)
    assert streamed.status_code == 200
    assert hashlib.sha256(streamed.data).hexdigest() == entry["checksums"]["sha256"]
    digest = base64.b64decode(streamed.headers["Digest"].removeprefix("sha-256="))
    assert digest.hex() == entry["checksums"]["sha256"]
    assert client.get("/wasapi/v1/webdata/web-110000/nope.warc.gz").status_code == 404


def test_local_store_lists_with_a_proxy_link_only(tmp_path: Path):
    store = LocalWarcStore(tmp_path / "warcs")
    path = write_warc(store.spool_dir("govinfo-500000") / FILES[0][1])
    store.commit(path, "govinfo-500000")
    client = _client(store)
    entry = client.get("/wasapi/v1/webdata").get_json()["files"][0]
    assert len(entry["locations"]) == 1
    assert client.get(entry["locations"][0]).data == path.read_bytes()
