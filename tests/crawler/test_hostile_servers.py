"""Broken and hostile servers cost bounded time and space and never stop the crawl."""

from __future__ import annotations

import time

import pytest
from crawl_helpers import (
    crawl_env,
    diancang,
    portal_seed,
    records,
    run_crawl_cli,
    write_seed_list,
)
from ports import free_port
from sites.hostile import BAD_LINKS, CUT_SIZE, HostileServer, gzip_bomb

TIMEOUT = 8  # seconds a response may take before it is cut (room for a loaded machine)
MAX_BYTES = 2_000_000  # above the bomb's compressed size
REDIRECT_LIMIT = 5


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hostile")
    with HostileServer(drip_interval=0.5) as server:
        seeds = write_seed_list(
            data_dir / "hostile.csv",
            [
                {
                    "url": server.url("/"),
                    "title": "恶意站点",
                    "jurisdiction": "500000",
                    "collection": "webarchive",
                }
            ],  # fmt: skip
        )
        started = time.monotonic()
        crawl = run_crawl_cli(
            data_dir,
            seeds,
            DIANCANG_TIMEOUT=str(TIMEOUT),
            DIANCANG_MAX_RESPONSE_BYTES=str(MAX_BYTES),
            DIANCANG_MAX_DECOMPRESSED_BYTES="10000000",
            DIANCANG_REDIRECT_LIMIT=str(REDIRECT_LIMIT),
            DIANCANG_RETRY_TIMES="0",  # a retry of a dripping server costs another timeout
        )
        crawl.elapsed = time.monotonic() - started
        crawl.server = server
        crawl.by_path = {}
        for record in records(data_dir):
            if record.rec_type == "response":
                uri = record.rec_headers.get_header("WARC-Target-URI")
                crawl.by_path.setdefault(uri.split(server.url("/"))[-1].split("?")[0], []).append(
                    record
                )
        yield crawl


def test_the_crawl_ends_within_its_bound_and_captures_the_good_page(hostile_crawl):
    # every hostile case runs in parallel; the slowest is a stalled header (1.5 x timeout)
    assert hostile_crawl.elapsed < 60
    assert "ok.html" in hostile_crawl.by_path
    assert hostile_crawl.by_path["ok.html"][0].http_headers.get_statuscode() == "200"


def test_a_dripping_body_is_cut_at_the_timeout_and_kept(hostile_crawl):
    (drip,) = hostile_crawl.by_path["drip"]
    assert drip.rec_headers.get_header("WARC-Truncated") == "time"
    assert 0 < len(drip.content) <= 2 * TIMEOUT / 0.5 + 2
    assert hostile_crawl.report["truncated"]["time"] >= 1


def test_a_huge_body_is_cut_at_the_size_limit_and_kept(hostile_crawl):
    (huge,) = hostile_crawl.by_path["huge"]
    assert huge.rec_headers.get_header("WARC-Truncated") == "length"
    assert len(huge.content) == MAX_BYTES


def test_a_redirect_loop_stops_at_the_limit(hostile_crawl):
    loop = hostile_crawl.by_path["redirect-loop"]
    assert len(loop) == REDIRECT_LIMIT + 1
    assert all(r.http_headers.get_statuscode() == "302" for r in loop)


def test_a_decompression_bomb_is_kept_compressed_and_not_expanded(hostile_crawl):
    (bomb,) = hostile_crawl.by_path["bomb"]
    assert bomb.http_headers.get_header("Content-Encoding") == "gzip"
    assert bomb.rec_headers.get_header("WARC-Truncated") is None
    assert bomb.content == gzip_bomb()  # stored as sent: compressed, whole
    log = next((hostile_crawl.data_dir / "jobs").glob("*/crawl.log")).read_text()
    assert "during decompression" in log  # parsing gave up at the decompression limit


def test_a_wrong_charset_is_kept_as_received(hostile_crawl):
    (page,) = hostile_crawl.by_path["wrong-charset"]
    assert "本页声明为UTF-8编码".encode("gbk") in page.content


def test_malformed_header_lines_are_a_logged_error_not_a_capture(hostile_crawl):
    assert "bad-headers" not in hostile_crawl.by_path  # nothing stored as if it had parsed
    # named by Twisted's error under Scrapy's DownloadFailedError and ResponseFailed
    assert hostile_crawl.report["errors"].get("InvalidHeaderName", 0) >= 1
    log = next((hostile_crawl.data_dir / "jobs").glob("*/crawl.log")).read_text()
    assert f"failed {hostile_crawl.server.url('/bad-headers')}: " in log
    assert "InvalidHeaderName" in log


def test_a_stalled_header_is_an_error_not_a_hang(hostile_crawl):
    assert "drip-headers" not in hostile_crawl.by_path
    assert sum(hostile_crawl.report["errors"].values()) >= 1


@pytest.mark.parametrize("path", ["short-body", "reset-body", "chunked-cut"])
def test_a_body_the_server_did_not_finish_is_marked_disconnect(hostile_crawl, path):
    (cut,) = hostile_crawl.by_path[path]
    assert cut.rec_headers.get_header("WARC-Truncated") == "disconnect"
    assert 0 < len(cut.content) < CUT_SIZE


def test_cut_bodies_are_counted_as_truncated_not_complete(hostile_crawl):
    (short,) = hostile_crawl.by_path["short-body"]
    assert short.http_headers.get_header("Content-Length") == str(CUT_SIZE)  # as sent
    assert len(short.content) == CUT_SIZE // 2  # what arrived is kept
    assert hostile_crawl.report["truncated"]["disconnect"] == 3


def test_malformed_links_are_skipped_counted_and_the_others_followed(hostile_crawl):
    assert len(hostile_crawl.by_path["after-bad-links"]) == 2  # ?n=1 and ?n=2
    assert hostile_crawl.report["invalid_links"] == len(BAD_LINKS) + 1  # and the <img>


def test_a_refused_connection_is_named_by_twisteds_error_not_scrapys_wrapper(tmp_path):
    seed = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    seeds = write_seed_list(tmp_path / "seeds.csv", [portal_seed(seed)])
    crawl = run_crawl_cli(tmp_path, seeds, DIANCANG_BROWSER_DETECT="false")
    assert crawl.report["errors"] == {"ConnectionRefusedError": 1}
    (metadata,) = [r for r in records(tmp_path) if r.rec_type == "metadata"]
    fields = dict(line.split(": ", 1) for line in metadata.content.decode().splitlines())
    assert fields["fetch-error"].startswith("connection-refused Connection was refused")


@pytest.mark.slow
def test_seeds_on_private_and_metadata_addresses_are_refused(tmp_path):
    seeds = write_seed_list(
        tmp_path / "internal.csv",
        [
            {
                "url": "http://169.254.169.254/latest/meta-data/",
                "title": "元数据",
                "jurisdiction": "500000",
                "collection": "govinfo",
            },
            {
                "url": "http://10.0.0.1/",
                "title": "内网",
                "jurisdiction": "500000",
                "collection": "govinfo",
            },
        ],  # fmt: skip
    )
    result = diancang("crawl", str(seeds), env=crawl_env(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "refused http://169.254.169.254/latest/meta-data/: 169.254.169.254 resolves to" in out
    assert "link-local" in out
    assert "refused http://10.0.0.1/: 10.0.0.1 resolves to 10.0.0.1, a private" in out
    assert "DIANCANG_ALLOW_NETWORKS" in out
    # nothing fetched: the WARCs say only that each seed was refused, and why
    refused = {}
    for record in records(tmp_path):
        assert record.rec_type in ("warcinfo", "metadata")
        if record.rec_type == "metadata":
            fields = dict(line.split(": ", 1) for line in record.content.decode().splitlines())
            refused[record.rec_headers.get_header("WARC-Target-URI")] = fields["fetch-error"]
    assert refused["http://169.254.169.254/latest/meta-data/"].startswith("refused-address ")
    assert "link-local" in refused["http://169.254.169.254/latest/meta-data/"]
    assert refused["http://10.0.0.1/"].startswith("refused-address ")
