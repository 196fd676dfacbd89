"""A browser capture stores the bytes the server sent, whatever the page's charset.

Chromium's DevTools protocol hands out the body of a document, script or stylesheet as
text it has decoded, so a page in GBK or Shift_JIS came back as UTF-8 under a header that
still named the page's charset, and replayed as mojibake.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess

import pytest
from crawl_helpers import BIN, records, run_crawl_cli, warc_files, write_seed_list
from playwright.sync_api import sync_playwright
from pywb_runner import Pywb
from sites.pages import site

from diancang.crawler.browser.settings import CHROMIUM_ARGS
from diancang.demo_portal.serving import Page

CHROMIUM = os.environ.get("DIANCANG_CHROMIUM", "/usr/bin/chromium")
COLLECTION = "govinfo-500000"
GBK_TEXT = "重庆市人民政府办公厅关于政府信息公开工作的通知"
SJIS_TEXT = "東京都の行政情報公開について"
SCRIPT_TEXT = "脚本生成的段落"


def _pages() -> dict[str, Page]:
    gbk = f"""<!DOCTYPE html><html><head><title>政府信息公开</title>
<script src="/gbk.js"></script></head><body><h1>{GBK_TEXT}</h1>
<p id="script"></p><a href="/gbk-next.html">下一篇：财政预算</a></body></html>"""
    script = 'document.addEventListener("DOMContentLoaded", function () {\n'
    script += f'  document.getElementById("script").textContent = "{SCRIPT_TEXT}";\n}});\n'
    sjis = f"""<!DOCTYPE html><html><head><meta charset="Shift_JIS"><title>情報公開</title>
</head><body><h1>{SJIS_TEXT}</h1></body></html>"""
    next_page = "<!DOCTYPE html><html><body><h1>财政预算</h1></body></html>"
    return {
        "/gbk.html": Page(gbk.encode("gbk"), "text/html; charset=GBK", gzip=True),
        "/gbk.js": Page(script.encode("gbk"), "application/javascript; charset=GBK"),
        "/gbk-next.html": Page(next_page.encode("gbk"), "text/html; charset=GBK"),
        # the charset only in a <meta>: the header names none
        "/sjis.html": Page(sjis.encode("shift_jis"), "text/html"),
        "/robots.txt": Page(b"", "text/plain"),
    }


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    root = tmp_path_factory.mktemp("bytes")
    pages = _pages()
    with site(pages) as (base, _):
        rows = [
            {"id": name, "url": base + path, "title": "信息公开", "jurisdiction": "500000",
             "collection": "govinfo", "depth": depth, "browser": "true"}
            for name, path, depth in (("gbk", "gbk.html", "1"), ("sjis", "sjis.html", "0"))
        ]  # fmt: skip
        crawl = run_crawl_cli(root, write_seed_list(root / "seeds.csv", rows))
    return crawl, base, pages


def _responses(data_dir) -> dict:
    return {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for r in records(data_dir)
        if r.rec_type == "response"
    }


def _sha1(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@pytest.mark.parametrize("path", ["/gbk.html", "/sjis.html", "/gbk.js"])
def test_the_response_record_holds_the_bytes_the_server_sent(capture, path):
    crawl, base, pages = capture
    record = _responses(crawl.data_dir)[base + path.lstrip("/")]
    assert record.content == pages[path].body
    assert record.rec_headers.get_header("WARC-Payload-Digest") == _sha1(pages[path].body)
    content_type = record.http_headers.get_header("Content-Type")
    assert content_type == pages[path].content_type


def test_a_compressed_page_is_stored_decoded_with_its_encoding_named(capture):
    crawl, base, _ = capture
    record = _responses(crawl.data_dir)[base + "gbk.html"]
    assert record.http_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert record.http_headers.get_header("Content-Encoding") is None
    for path in warc_files(crawl.data_dir):
        check = subprocess.run([BIN / "warcio", "check", str(path)], capture_output=True)
        assert check.returncode == 0, check.stdout


def test_links_of_a_gbk_page_are_followed(capture):
    crawl, base, pages = capture
    record = _responses(crawl.data_dir)[base + "gbk-next.html"]
    assert record.content == pages["/gbk-next.html"].body


def test_the_captured_pages_replay_with_their_text(capture):
    crawl, base, _ = capture
    wayback = Pywb.for_data_dir(crawl.data_dir)
    shown = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for path in ("gbk.html", "sjis.html"):
                page.goto(f"{wayback.base}{COLLECTION}/{base}{path}", wait_until="load")
                frame = page.frame_locator("#replay_iframe")
                shown[path] = frame.locator("h1").inner_text()
                if path == "gbk.html":
                    shown["script"] = frame.locator("#script").inner_text()
            browser.close()
    finally:
        wayback.stop()
    assert shown == {"gbk.html": GBK_TEXT, "sjis.html": SJIS_TEXT, "script": SCRIPT_TEXT}
