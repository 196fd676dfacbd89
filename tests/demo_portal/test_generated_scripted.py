"""The generated site's scripted mode: a page's HTML names no other page, its JSON endpoint
lists them, and a real browser (Debian's Chromium through Playwright) builds the list."""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

import pytest
from page_shots import CHROMIUM
from playwright import sync_api
from portal_client import extract_links, fetch
from sites.generated import (
    CSS_PATH,
    SCRIPT_PATH,
    GeneratedSite,
    linked_pages,
    links_path,
    page_path,
)


def test_html_has_no_item_links_and_the_json_lists_them() -> None:
    with GeneratedSite(hosts=2, pages=30, latency=0.0, scripted=True) as site:
        pages = site.page_urls()
        assert len(pages) == 2 * 30 and len(site.links_urls()) == 2 * 30
        for base in site.host_urls():
            assert fetch(urljoin(base, SCRIPT_PATH)).status == 200
            for number in (0, 1, 29):
                url = urljoin(base, page_path(number))
                page = fetch(url)
                assert page.status == 200
                # the style sheet and the script, nothing else: no page is linked
                assert extract_links(url, page) == {
                    urljoin(base, CSS_PATH),
                    urljoin(base, SCRIPT_PATH),
                }
                assert f'data-src="{links_path(number)}"'.encode() in page.body
                answer = fetch(urljoin(base, links_path(number)))
                assert answer.status == 200
                assert answer.header("Content-Type").startswith("application/json")
                data = json.loads(answer.body)
                assert (data["site"], data["page"]) == (site.host_urls().index(base) + 1, number)
                listed = [link["url"] for link in data["links"]]
                assert listed == [page_path(target) for target in linked_pages(number, 30)]
                assert {urljoin(base, path) for path in listed} <= pages
        expected = pages | site.links_urls()
        expected |= {
            urljoin(base, path) for base in site.host_urls() for path in (CSS_PATH, SCRIPT_PATH)
        }
        assert site.all_urls() == expected


def test_plain_site_is_unchanged_by_the_option() -> None:
    with GeneratedSite(hosts=1, pages=5, latency=0.0) as site:
        assert site.links_urls() == set()
        assert len(site.all_urls()) == 5 + 1
        base = site.host_urls()[0]
        assert fetch(urljoin(base, SCRIPT_PATH)).status == 404
        assert fetch(urljoin(base, links_path(1))).status == 404
        links = extract_links(urljoin(base, page_path(1)), fetch(urljoin(base, page_path(1))))
        assert {urljoin(base, page_path(t)) for t in linked_pages(1, 5)} <= links


@pytest.mark.slow
def test_a_browser_builds_the_list_from_the_json() -> None:
    with GeneratedSite(hosts=1, pages=30, latency=0.0, scripted=True) as site:
        base = site.host_urls()[0]
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page()
                fetched: list[str] = []
                page.on("request", lambda request: fetched.append(request.url))
                page.goto(urljoin(base, page_path(7)), wait_until="networkidle")
                hrefs = page.eval_on_selector_all("#links a", "links => links.map(a => a.href)")
            finally:
                browser.close()
    assert hrefs == [urljoin(base, page_path(target)) for target in linked_pages(7, 30)]
    assert urljoin(base, links_path(7)) in fetched
    assert {urlsplit(url).netloc for url in fetched} == {urlsplit(base).netloc}
