"""What a browser page loads obeys the robots.txt of the host it loads from.

Two pages are loaded at once from one host (its two transfer slots both held by Chromium)
while their images come from a second host on the same address, whose robots.txt is not
known yet: fetching it must not wait behind the pages that wait for it.
"""

from __future__ import annotations

from crawl_helpers import records, run_crawl_cli, write_seed_list
from sites.pages import site

from diancang.demo_portal.serving import Page

HTML = "text/html; charset=utf-8"
FILES = {
    "/robots.txt": Page(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
    "/public/a.png": Page(b"\x89PNG public", "image/png"),
    "/private/b.png": Page(b"\x89PNG private", "image/png"),
}


def _crawl(tmp_path, robots: str, robots_stall: float = 0, **env: str):
    stall = {"/robots.txt": robots_stall}
    with site(FILES, stall) as (files_url, files_requested):
        page = f'<html><body><h1>政务公开</h1><img src="{files_url}public/a.png">'
        page += f'<img src="{files_url}private/b.png"></body></html>'
        portal = {
            "/": Page(page.encode(), HTML),
            "/two.html": Page(page.encode(), HTML),
            "/robots.txt": Page(b"", "text/plain"),
        }
        with site(portal) as (portal_url, _):
            rows = [
                {"id": f"s{n}", "url": portal_url + path, "title": "重庆",
                 "jurisdiction": "500000", "collection": "govinfo", "depth": "0",
                 "browser": "true", "robots": robots,
                 "requisite_hosts": files_url.split("/")[2]}
                for n, path in enumerate(("", "two.html"))
            ]  # fmt: skip
            seed_list = write_seed_list(tmp_path / "seeds.csv", rows)
            crawl = run_crawl_cli(tmp_path, seed_list, **env)
    responses = {
        r.rec_headers.get_header("WARC-Target-URI")
        for r in records(tmp_path)
        if r.rec_type in ("response", "revisit")
    }
    return crawl, files_requested, responses, portal_url, files_url


def test_a_subresource_that_robots_txt_forbids_is_not_loaded(tmp_path):
    crawl, requested, responses, portal_url, files_url = _crawl(tmp_path, "obey")
    assert "/private/b.png" not in requested
    assert f"{files_url}private/b.png" not in responses
    assert f"{files_url}public/a.png" in responses
    assert f"{files_url}robots.txt" in responses
    assert requested.count("/robots.txt") == 1
    # both pages captured, on their first try
    assert {portal_url, f"{portal_url}two.html"} <= responses
    assert crawl.report["browser"]["pages"] == 2
    assert "errors" not in crawl.report["browser"]
    # once by each page, and once by the HTTP request the spider made for the image
    # found in the rendered page (the pages did not fetch it)
    assert crawl.report["robots_blocked"] == 3
    assert any(
        "robots.txt" in line and f"{files_url}private/b.png" in line
        for line in crawl.report["refused"]
    )


def test_a_seed_that_ignores_robots_txt_loads_it(tmp_path):
    crawl, requested, responses, _, files_url = _crawl(tmp_path, "ignore")
    assert "/private/b.png" in requested
    assert f"{files_url}private/b.png" in responses
    assert crawl.report["robots_blocked"] == 0


def test_a_page_waits_a_bounded_time_for_a_robots_txt(tmp_path):
    # robots.txt answers after 12 s; a page waits for it half its 12 s navigation time, then
    # loads as Scrapy does when robots.txt cannot be fetched (6 s left: room for a loaded
    # machine's Chromium)
    crawl, requested, responses, portal_url, files_url = _crawl(
        tmp_path, "obey", robots_stall=12, DIANCANG_BROWSER_PAGE_TIMEOUT="12"
    )
    assert {portal_url, f"{portal_url}two.html"} <= responses
    assert "errors" not in crawl.report["browser"]
    assert f"{files_url}public/a.png" in responses
    assert requested.count("/robots.txt") == 1
