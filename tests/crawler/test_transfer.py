"""What a response costs and how it is decoded: the time budget counts the transfer only,
and br and zstd pages are read (their links followed) while stored as sent."""

from __future__ import annotations

import brotlicffi
import pytest
from backports import zstd
from crawl_helpers import records, run_crawl_cli, write_seed_list

from diancang.crawler.compression import accept_encoding, decodes
from diancang.demo_portal.serving import BackgroundServer, LoopbackHTTPServer, Page, PageHandler

_HTML = "text/html; charset=utf-8"
PAGES = 10
PAGE_BYTES = 300_000  # several 64 KiB reads per body
SLOW_PIECES = 12  # a body sent 64 KiB per half second: 6 s, cut at the 2 s timeout


def _page(number: int) -> bytes:
    filler = f"<p>第{number}页的正文内容，用于填充页面。</p>\n".encode() * (PAGE_BYTES // 60)
    return (
        b"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        + filler
        + (b"</body></html>\n")
    )


def _seed(data_dir, url):
    return write_seed_list(
        data_dir / "seeds.csv",
        [{"url": url, "title": "测试站", "jurisdiction": "500000", "collection": "webarchive"}],
    )


def _responses(data_dir) -> dict[str, object]:
    return {
        r.rec_headers.get_header("WARC-Target-URI").split("/", 3)[-1]: r
        for r in records(data_dir)
        if r.rec_type == "response"
    }


class _QueuedHandler(PageHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path == "/":
            links = "".join(f'<a href="/p/{n}.html">{n}</a>' for n in range(PAGES))
            body = f'<html><body>{links}<a href="/slow.html">slow</a></body></html>'
            self.send_page(Page(body.encode(), _HTML))
        elif self.path.startswith("/p/"):
            self.send_page(Page(_page(int(self.path[3:].split(".")[0])), _HTML))
        elif self.path == "/slow.html":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", _HTML)
            self.send_header("Content-Length", str(SLOW_PIECES * 65536))
            self.end_headers()
            for _ in range(SLOW_PIECES):
                self.wfile.write(b"x" * 65536)
                if self.server.stopping.wait(0.5):
                    return
        else:
            self.send_page(Page(b"not found", "text/plain", status=404))


@pytest.mark.slow
def test_waiting_in_the_host_queue_does_not_count_against_the_time_budget(tmp_path):
    # With a 0.5 s delay, the last of 11 pages waits about 5 s in the host's queue: more
    # than the 2 s budget, which must count only the transfer.
    server = BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), _QueuedHandler), "queued")
    server.start()
    try:
        crawl = run_crawl_cli(
            tmp_path, _seed(tmp_path, server.url), DIANCANG_DELAY="0.5", DIANCANG_TIMEOUT="2"
        )
    finally:
        server.stop()
    responses = _responses(tmp_path)
    for number in range(PAGES):
        page = responses[f"p/{number}.html"]
        assert page.rec_headers.get_header("WARC-Truncated") is None, number
        assert page.content == _page(number)
    slow = responses["slow.html"]  # a slow body is still cut at the budget
    assert slow.rec_headers.get_header("WARC-Truncated") == "time"
    assert 0 < len(slow.content) < SLOW_PIECES * 65536
    assert crawl.report["truncated"] == {"time": 1}


ENCODERS = {"br": brotlicffi.compress, "zstd": zstd.compress}


class _EncodedHandler(PageHandler):
    """Every page in the encoding its path names: /br/... in br, /zstd/... in zstd."""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        encoding, _, name = self.path.strip("/").partition("/")
        if encoding not in ENCODERS:
            links = "".join(f'<a href="/{e}/index.html">{e}</a>' for e in ENCODERS)
            self.send_page(Page(f"<html><body>{links}</body></html>".encode(), _HTML))
            return
        self.send_page(
            Page(encoded_page(encoding, name), _HTML, headers=(("Content-Encoding", encoding),))
        )


def encoded_page(encoding: str, name: str) -> bytes:
    links = '<a href="a.html">a</a><a href="b.html">b</a>' if name == "index.html" else ""
    return ENCODERS[encoding](f"<html><body><h1>{name}</h1>{links}</body></html>".encode())


def test_br_and_zstd_decode_with_the_crawl_s_own_decoders():
    assert accept_encoding() == "gzip, deflate, br, zstd"  # installs the br decoder
    assert decodes(b"br") and decodes(b"zstd")


@pytest.mark.slow
@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_an_encoded_page_is_parsed_and_stored_as_sent(tmp_path, encoding):
    server = BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), _EncodedHandler), "encoded")
    server.start()
    try:
        run_crawl_cli(tmp_path, _seed(tmp_path, f"{server.url}{encoding}/index.html"))
    finally:
        server.stop()
    responses = _responses(tmp_path)
    assert {f"{encoding}/a.html", f"{encoding}/b.html"} <= set(responses)  # links followed
    index = responses[f"{encoding}/index.html"]
    assert index.http_headers.get_header("Content-Encoding") == encoding
    assert index.content == encoded_page(encoding, "index.html")  # the encoded body as sent
    request = next(r for r in records(tmp_path) if r.rec_type == "request")
    assert encoding in request.http_headers.get_header("Accept-Encoding")
