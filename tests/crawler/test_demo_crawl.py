"""The demo portal crawled end to end: WARC conformance, coverage, scope, traps, report."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import (
    captured_urls,
    records,
    run_crawl_cli,
    warc_files,
    write_demo_seed_list,
    write_seed_list,
)
from warcio.archiveiterator import ArchiveIterator

from diancang.storage.recovery import complete_length

WARCIO = Path(sys.executable).parent / "warcio"
CDXJ_INDEXER = Path(sys.executable).parent / "cdxj-indexer"


def test_every_warc_passes_warcio_check(demo_crawl):
    files = warc_files(demo_crawl.data_dir)
    assert files
    result = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list((demo_crawl.data_dir / "warcs").glob("*/*.open"))


def test_warcinfo_first_and_one_gzip_member_per_record(demo_crawl):
    for path in warc_files(demo_crawl.data_dir):
        with gzip.open(path, "rb") as fh:
            first = fh.read(4096)
        assert first.startswith(b"WARC/1.1\r\nWARC-Type: warcinfo"), path
        for field in (b"software:", b"hostname:", b"operator:", b"collection: govinfo",
                      b"jurisdiction: 500000", b"robots: obey", b"seed: demo"):  # fmt: skip
            assert field in first, field
        complete_bytes, member_count = complete_length(path)
        assert complete_bytes == path.stat().st_size
        with path.open("rb") as fh:
            assert member_count == sum(1 for _ in ArchiveIterator(fh))


def test_records_are_gzipped_at_level_6_and_indexed_by_cdxj_indexer(demo_crawl):
    # RFC 1952 XFL (byte 8 of a member's header): zlib writes 0 at level 6, 2 at level 9
    for path in warc_files(demo_crawl.data_dir):
        index = subprocess.run([str(CDXJ_INDEXER), str(path)], capture_output=True, check=True)
        lines = index.stdout.decode().splitlines()
        assert lines, path
        data = path.read_bytes()
        for line in lines:
            offset = int(json.loads(line.split(" ", 2)[2])["offset"])
            assert data[offset : offset + 3] == b"\x1f\x8b\x08", line
            assert data[offset + 8] == 0, line


def test_records_are_linked_and_carry_ip_addresses(demo_crawl):
    all_records = list(records(demo_crawl.data_dir))
    ids = {r.rec_headers.get_header("WARC-Record-ID"): r for r in all_records}
    for record in all_records:
        kind = record.rec_type
        if kind == "metadata" and record.rec_headers.get_header("WARC-Concurrent-To") is None:
            assert b"\r\nfetch-error: " in record.content  # a fetch that failed: no response
        elif kind in ("request", "metadata"):
            target = ids[record.rec_headers.get_header("WARC-Concurrent-To")]
            assert target.rec_type in ("response", "revisit")
            uri = record.rec_headers.get_header("WARC-Target-URI")
            assert uri == target.rec_headers.get_header("WARC-Target-URI")
        if kind in ("request", "response", "revisit"):
            assert record.rec_headers.get_header("WARC-IP-Address") in ("127.0.0.1", "127.0.0.2")
        else:  # warcinfo and metadata describe the crawl, not one connection (README)
            assert record.rec_headers.get_header("WARC-IP-Address") is None
        if kind == "response":
            assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
            assert record.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")
        if kind == "revisit":
            headers = record.rec_headers
            assert headers.get_header("WARC-Profile").endswith("identical-payload-digest")
            original = ids[headers.get_header("WARC-Refers-To")]
            assert original.rec_headers.get_header("WARC-Payload-Digest") == headers.get_header(
                "WARC-Payload-Digest"
            )
            assert headers.get_header(
                "WARC-Refers-To-Target-URI"
            ) == original.rec_headers.get_header("WARC-Target-URI")


def test_every_in_scope_url_has_a_response_and_a_request(demo_crawl, demo_portal):
    all_records = list(records(demo_crawl.data_dir))
    responses = {
        r.rec_headers.get_header("WARC-Record-ID"): r.rec_headers.get_header("WARC-Target-URI")
        for r in all_records
        if r.rec_type in ("response", "revisit")
    }
    requested = {
        responses[r.rec_headers.get_header("WARC-Concurrent-To")]
        for r in all_records
        if r.rec_type == "request"
    }
    missing = demo_portal.expected_urls() - set(responses.values())
    assert not missing
    assert set(responses.values()) == requested


def test_robots_disallowed_and_out_of_scope_urls_are_absent(demo_crawl, demo_portal):
    captured = captured_urls(demo_crawl.data_dir)
    assert not captured & demo_portal.disallowed_urls()
    assert not captured & demo_portal.out_of_scope_urls()
    assert demo_crawl.report["robots_blocked"] >= len(demo_portal.disallowed_urls())
    assert demo_crawl.report["out_of_scope"] >= len(demo_portal.out_of_scope_urls())


def test_session_ids_are_not_followed_as_new_pages(demo_crawl, demo_portal):
    captured = captured_urls(demo_crawl.data_dir)
    assert demo_portal.url("/service.html") in captured
    assert not captured & set(demo_portal.session_urls())


def test_calendar_trap_is_bounded(demo_crawl):
    calendar = [url for url in captured_urls(demo_crawl.data_dir) if "/calendar/" in url]
    assert 1 <= len(calendar) <= 2 * 10 + 1  # the trap's start, then depth 10 each way


def test_content_encoding_is_kept_and_chunking_removed(demo_crawl, demo_portal):
    by_url = {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for r in records(demo_crawl.data_dir)
        if r.rec_type == "response"
    }
    home = by_url[demo_portal.base_url]
    assert home.http_headers.get_header("Content-Encoding") == "gzip"
    assert gzip.decompress(home.content).decode("utf-8").count("<html") == 1
    chunked = [
        r for r in by_url.values() if r.http_headers.get_header("X-Archive-Orig-Transfer-Encoding")
    ]
    assert chunked
    assert all(r.http_headers.get_header("Transfer-Encoding") is None for r in by_url.values())


def test_report_counts_match_the_warcs(demo_crawl):
    report = demo_crawl.report
    responses = [r for r in records(demo_crawl.data_dir) if r.rec_type in ("response", "revisit")]
    assert report["responses"] == len(responses)
    assert sum(report["by_status"].values()) == len(responses)
    assert report["by_status"]["404"] == 1 and report["by_status"]["301"] == 1
    assert report["by_mime"]["application/pdf"] == 3
    assert report["errors"] == {}
    assert "responses" in demo_crawl.result.stdout and "robots-blocked" in demo_crawl.result.stdout


@pytest.mark.slow
def test_the_trap_guard_not_the_depth_limit_bounds_the_calendar(demo_portal, tmp_path):
    # depth 500 would let the calendar run 500 months each way: only the trap guard's
    # budget of query strings per path can stop it
    variants = 8
    rows = [{"url": demo_portal.trap_url(), "title": "重庆", "jurisdiction": "500000",
             "collection": "govinfo", "depth": "500"}]  # fmt: skip
    crawl = run_crawl_cli(
        tmp_path,
        write_seed_list(tmp_path / "calendar.csv", rows),
        DIANCANG_QUERY_VARIANTS_PER_PATH=str(variants),
        DIANCANG_BROWSER_DETECT="0",
    )
    calendar = [url for url in captured_urls(tmp_path) if "/calendar/" in url]
    assert len(calendar) == 1 + variants  # the seed, then the guard's budget of variants
    assert crawl.report["traps"].get("query-variants", 0) >= 1
    assert crawl.report["beyond_depth"] == 0 and crawl.report["limits"] == {}


@pytest.mark.slow
def test_robots_txt_is_obeyed_by_requests_that_wait_for_it_together(demo_portal, tmp_path):
    # Three seeds on one host ask for its robots.txt at the same moment.
    private = sorted(demo_portal.disallowed_urls())
    rows = [
        {"id": f"s{i}", "url": url, "title": "重庆", "jurisdiction": "500000",
         "collection": "govinfo", "depth": "0"}
        for i, url in enumerate([demo_portal.base_url, *private])
    ]  # fmt: skip
    crawl = run_crawl_cli(tmp_path, write_seed_list(tmp_path / "same-host.csv", rows))
    captured = captured_urls(tmp_path)
    assert demo_portal.base_url in captured
    assert not captured & set(private)
    assert crawl.report["robots_blocked"] == len(private)


@pytest.mark.slow
def test_warc_files_roll_over_at_the_configured_size(demo_portal, tmp_path):
    seeds = write_demo_seed_list(tmp_path, demo_portal)
    run_crawl_cli(tmp_path, seeds, DIANCANG_WARC_MAX_SIZE="60000")
    files = warc_files(tmp_path)
    assert len(files) >= 3
    # COLLECTION-JURISDICTION-TIMESTAMP-SERIAL-PID-HOST.warc.gz (a host name may hold "-")
    # COLLECTION-JURISDICTION-TIMESTAMP-SERIAL-PID-HOST.warc.gz (the host may hold "-")
    serials = sorted(int(path.name.split("-")[3]) for path in files)
    assert serials == list(range(len(files)))
    for path in files:
        assert path.name.startswith("govinfo-500000-")
        with gzip.open(path, "rb") as fh:
            assert fh.read(40).startswith(b"WARC/1.1\r\nWARC-Type: warcinfo")
    assert captured_urls(tmp_path) >= demo_portal.expected_urls()


@pytest.mark.slow
def test_page_limit_bounds_a_seed(demo_portal, tmp_path):
    rows = [{"url": demo_portal.base_url, "title": "重庆", "jurisdiction": "500000",
             "collection": "govinfo", "pages": "10"}]  # fmt: skip
    crawl = run_crawl_cli(tmp_path, write_seed_list(tmp_path / "limited.csv", rows))
    pages = {url for url in captured_urls(tmp_path) if not url.endswith("/robots.txt")}
    assert len(pages) == 10
    assert crawl.report["limits"]["pages"] > 0


@pytest.mark.slow
def test_byte_limit_stops_a_seed(demo_portal, tmp_path, demo_crawl):
    rows = [{"url": demo_portal.base_url, "title": "重庆", "jurisdiction": "500000",
             "collection": "govinfo", "bytes": "30KB"}]  # fmt: skip
    crawl = run_crawl_cli(tmp_path, write_seed_list(tmp_path / "limited.csv", rows))
    assert crawl.report["limits"]["bytes"] > 0
    assert crawl.report["bytes_received"] < demo_crawl.report["bytes_received"] / 2


def test_a_fetch_robots_forbid_is_a_metadata_record_saying_so(demo_crawl, demo_portal):
    errors = {}
    for record in records(demo_crawl.data_dir):
        if record.rec_type == "metadata" and b"fetch-error: " in record.content:
            assert record.rec_headers.get_header("WARC-Concurrent-To") is None
            fields = dict(
                line.split(": ", 1) for line in record.content.decode("utf-8").splitlines() if line
            )
            errors[record.rec_headers.get_header("WARC-Target-URI")] = fields
    for url in demo_portal.disallowed_urls():
        assert errors[url]["fetch-error"] == "robots"
        assert errors[url]["seed"] == "demo"
        assert errors[url]["via"].startswith(demo_portal.base_url)


def test_the_demo_listings_are_reported_with_their_pages(demo_crawl, demo_portal):
    listings = demo_crawl.report["listings"]
    xxgk = listings[f"demo:{demo_portal.base_url}xxgk/index_{{page}}.html"]
    assert xxgk["pages"] >= 2 and xxgk["items"] >= 6
    assert listings["demo:listing"]["pages"] == 1  # the seed's home page
