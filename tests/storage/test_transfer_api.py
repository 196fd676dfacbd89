"""The transfer listing (WASAPI): paged, filtered, with checksums and working links."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from warc_files import write_html_warc

from diancang.storage.local import LocalWarcStore
from diancang.storage.s3 import S3WarcStore
from diancang.storage.s3_client import S3Location, TransferOptions
from diancang.storage.transfer_api import transfer_blueprint

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
    store = S3WarcStore(S3Location(bucket, prefix), spool, TransferOptions.configured({}))
    for i, (collection, name) in enumerate(FILES):
        write_html_warc(store.spool_dir(collection) / name, seed=i)
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
    proxy, presigned = entry["locations"]  # ours first: clients send their token to each
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
    path = write_html_warc(store.spool_dir("govinfo-500000") / FILES[0][1])
    store.commit(path, "govinfo-500000")
    client = _client(store)
    entry = client.get("/wasapi/v1/webdata").get_json()["files"][0]
    assert len(entry["locations"]) == 1
    assert client.get(entry["locations"][0]).data == path.read_bytes()


# The WASAPI query parameters, as Archive-It specifies them and py-wasapi-client sends them,
# over a local store and crawl reports: two runs of job "seeds" and one of job "web".
RUNS = {
    "seeds-20261101075900": ("seeds", "2026-11-01T07:59:00+00:00", FILES[:2]),
    "seeds-20261120075900": ("seeds", "2026-11-20T07:59:00+00:00", FILES[2:3]),
    "web-20261031230000": ("web", "2026-10-31T23:00:00+00:00", FILES[3:]),
}


@pytest.fixture
def wasapi(tmp_path: Path):
    store = LocalWarcStore(tmp_path / "warcs")
    for i, (collection, name) in enumerate(FILES):
        store.commit(write_html_warc(store.spool_dir(collection) / name, seed=i), collection)
    reports = tmp_path / "warcs" / "reports"
    reports.mkdir()
    for run, (job, started, files) in RUNS.items():
        report = {"job": job, "started": started, "warc_files": [n for _, n in files]}
        (reports / f"{run}.json").write_text(json.dumps(report), encoding="utf-8")
    (reports / "broken-20261130000000.json").write_text("{", encoding="utf-8")
    app = Flask("test")
    app.register_blueprint(transfer_blueprint(store, reports, page_size=2))
    return app.test_client()


def _names(client, query: str) -> list[str]:
    response = client.get(f"/wasapi/v1/webdata?page_size=100&{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["count"] == len(body["files"])
    return [f["filename"] for f in body["files"]]


def _error(client, query: str) -> str:
    response = client.get(f"/wasapi/v1/webdata?{query}")
    assert response.status_code == 400, response.get_json()
    return response.get_json()["error"]


ALL = [name for _, name in FILES]


def test_repeated_parameters_match_any_of_their_values(wasapi):
    assert _names(wasapi, "collection=web&collection=govinfo") == ALL
    assert _names(wasapi, "collection=web-110000&collection=nope") == ALL[3:]
    assert _names(wasapi, "jurisdiction=110000&jurisdiction=500000") == ALL
    assert _names(wasapi, "collection=govinfo&jurisdiction=110000") == []


def test_filename_takes_globs_and_semicolon_lists(wasapi):
    assert _names(wasapi, f"filename={ALL[1]}") == [ALL[1]]
    assert _names(wasapi, "filename=govinfo-*") == ALL[:3]
    assert _names(wasapi, "filename=*-2026111?08*") == [ALL[1], ALL[3]]
    assert _names(wasapi, f"filename={ALL[0]};web-*&filename={ALL[2]}") == [ALL[0], *ALL[2:]]
    assert _names(wasapi, "filename=govinfo") == []  # a glob matches the whole name


def test_filetype(wasapi):
    assert _names(wasapi, "filetype=warc") == ALL
    assert _names(wasapi, "filetype=wat;WARC") == ALL
    assert _names(wasapi, "filetype=wat&filetype=cdx") == []


@pytest.mark.slow
def test_crawl_names_one_run_or_every_run_of_a_job(wasapi, caplog):
    assert _names(wasapi, "crawl=seeds-20261120075900") == ALL[2:3]
    assert _names(wasapi, "crawl=seeds") == ALL[:3]
    assert _names(wasapi, "crawl=web-20261031230000&crawl=seeds-20261101075900") == [
        *ALL[:2],
        ALL[3],
    ]
    assert _names(wasapi, "crawl=broken") == []
    entry = wasapi.get("/wasapi/v1/webdata?crawl=web").get_json()["files"][0]
    assert entry["crawl"] == "web-20261031230000"
    assert entry["crawl-start"] == "2026-10-31T23:00:00Z"
    assert entry["crawl-time"] == "2026-11-15T08:00:00Z"
    broken = [r for r in caplog.records if "broken-20261130000000.json" in r.getMessage()]
    assert len(broken) == 1  # an unreadable report is told once, not on every request


def test_crawl_time_is_the_files_time_and_crawl_start_the_runs(wasapi):
    # the "web" run started in October; its only file was begun on 15 November
    assert _names(wasapi, "crawl-time-after=2026-11-15") == ALL[2:]
    assert _names(wasapi, "crawl-start-after=2026-11-15") == ALL[2:3]
    assert _names(wasapi, "crawl-start-before=2026-11") == ALL[3:]
    assert _names(wasapi, "crawl-time-before=2026-11-10T08:00:00Z") == ALL[:1]  # excluded
    assert _names(wasapi, "crawl-time-after=2026-11-10T08:00:00Z") == ALL[1:]  # included
    both = "crawl-time-after=2026-11-05&crawl-time-before=2026-11-16&crawl-start-after=2026-11"
    assert _names(wasapi, both) == ALL[1:2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026", ALL),
        ("2027", []),
        ("2026-11", ALL),
        ("2026-11-20", ALL[2:3]),
        ("2026-11-20T08:00:00Z", ALL[2:3]),
        ("2026-11-20T08:00:01Z", []),
        ("2026-11-20T08:00:00", ALL[2:3]),
        ("2026-11-20 16:00:00+0800", ALL[2:3]),  # py-wasapi-client's own example forms
        ("2026-11-20T16:00:00+08:00", ALL[2:3]),
        ("2026-11-20T07:59:59.5-00:00", ALL[2:3]),
    ],
)
def test_times_take_iso_8601_partial_dates_and_full_timestamps(wasapi, value, expected):
    assert _names(wasapi, f"crawl-time-after={quote(value)}") == expected


def test_bad_queries_are_400_naming_the_parameter(wasapi):
    assert "crawl-time-after" in _error(wasapi, "crawl-time-after=last+week")
    assert "crawl-start-before" in _error(wasapi, "crawl-start-before=2026-13")
    assert "crawl-start-after" in _error(wasapi, "crawl-start-after=2026-11-05T25:00")
    assert "given 2 times" in _error(wasapi, "crawl-start-after=2026&crawl-start-after=2025")
    assert "unknown parameter colection" in _error(wasapi, "colection=govinfo")
    assert "page_size" in _error(wasapi, "page_size=5000")
    assert "page=" in _error(wasapi, "page=0")
    assert "jurisdiction" in _error(wasapi, "jurisdiction=11")


def test_pages_link_to_each_other_with_every_filter_kept(wasapi):
    first = wasapi.get("/wasapi/v1/webdata/?collection=govinfo&collection=web&page_size=3")
    body = first.get_json()
    assert body["count"] == 4 and body["previous"] is None and len(body["files"]) == 3
    assert parse_qs(urlsplit(body["next"]).query) == {
        "collection": ["govinfo", "web"],
        "page_size": ["3"],
        "page": ["2"],
    }
    second = wasapi.get(body["next"]).get_json()
    assert [f["filename"] for f in second["files"]] == ALL[3:]
    assert second["next"] is None and "page=1" in second["previous"]
    beyond = wasapi.get("/wasapi/v1/webdata?page=9").get_json()
    assert beyond["count"] == 4 and beyond["files"] == []


def test_jobs_answer_as_a_server_that_runs_none(wasapi):
    listing = wasapi.get("/wasapi/v1/jobs")
    assert listing.status_code == 200
    assert listing.get_json() == {"count": 0, "next": None, "previous": None, "jobs": []}
    submitted = wasapi.post("/wasapi/v1/jobs", data={"query": "", "function": "build-wat"})
    assert submitted.status_code == 400 and "runs no WASAPI jobs" in submitted.get_json()["error"]
    assert wasapi.get("/wasapi/v1/jobs/42").status_code == 404
    assert wasapi.get("/wasapi/v1/jobs/42/result").status_code == 404
