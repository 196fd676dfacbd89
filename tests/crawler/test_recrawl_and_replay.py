"""A second crawl stores revisits; pywb replays pages, GBK text, requisites and the calendar."""

from __future__ import annotations

import re

import pytest
from crawl_helpers import assert_recrawl_stores_revisits, records
from pywb_runner import Pywb

COLLECTION = "govinfo-500000"


@pytest.fixture(scope="module")
def wayback(recrawl):
    server = Pywb.for_data_dir(recrawl.data_dir)
    yield server
    server.stop()


def test_second_crawl_stores_at_least_90_percent_fewer_payload_bytes(demo_crawl, recrawl):
    assert_recrawl_stores_revisits(demo_crawl.report, recrawl.report)


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_gbk_page_replays_with_its_chinese_title(wayback, demo_portal):
    gbk_doc = next(d for d in demo_portal.documents() if d.charset == "gbk")
    url = demo_portal.document_url(gbk_doc)
    status, headers, body = wayback.get(f"{COLLECTION}/id_/{url}")
    assert status == 200
    assert "gbk" in headers["Content-Type"].lower()
    assert gbk_doc.title in _title(body.decode("gbk"))
    status, _, body = wayback.get(f"{COLLECTION}/mp_/{url}")
    assert status == 200 and gbk_doc.title in body.decode("gbk", errors="replace")


def test_every_captured_html_page_replays_with_status_200(wayback, recrawl):
    pages = {
        r.rec_headers.get_header("WARC-Target-URI")
        for r in records(recrawl.data_dir)
        if r.rec_type in ("response", "revisit")
        and r.http_headers.get_statuscode() == "200"
        and "text/html" in (r.http_headers.get_header("Content-Type") or "")
    }
    assert len(pages) > 40
    for url in sorted(pages):
        status, _, _ = wayback.get(f"{COLLECTION}/mp_/{url}")
        assert status == 200, url


def test_stylesheet_and_images_load_from_the_archive(wayback, demo_portal):
    status, _, body = wayback.get(f"{COLLECTION}/mp_/{demo_portal.base_url}")
    html = body.decode("utf-8")
    assert status == 200
    css = re.search(r'href="[^"]*?/' + COLLECTION + r'/(\d*)cs_/([^"]+\.css)"', html)
    img = re.search(r'src="[^"]*?/' + COLLECTION + r'/(\d*)im_/([^"]+\.png)"', html)
    assert css and img, "pywb did not rewrite the page's requisites"
    for match, kind in ((css, "cs_"), (img, "im_")):
        status, _, _ = wayback.get(f"{COLLECTION}/{match.group(1)}{kind}/{match.group(2)}")
        assert status == 200, match.group(2)


def test_calendar_lists_every_capture_of_a_url(wayback, demo_portal):
    status, _, body = wayback.get(f"{COLLECTION}/cdx?url={demo_portal.base_url}&output=json")
    captures = [line for line in body.decode().splitlines() if line.strip()]
    assert status == 200 and len(captures) == 2
    status, _, body = wayback.get(f"{COLLECTION}/*/{demo_portal.base_url}")
    assert status == 200  # pywb's calendar page, which reads the same index
