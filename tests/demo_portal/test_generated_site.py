"""The generated benchmark site serves every page it promises, on distinct hosts, with
latency that overlaps across concurrent requests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from portal_client import extract_links, fetch
from sites.generated import GeneratedSite, linked_pages, render_page
from sites.request_probe import RequestProbe

from diancang.crawler.links import extract_from_html
from diancang.crawler.pagination import paginate


def _crawl(seeds: list[str], scope: set[str]) -> set[str]:
    """Breadth-first, 16 requests at a time, every link within ``scope`` (host:port)."""
    seen = set(seeds)
    frontier = list(seeds)
    with ThreadPoolExecutor(max_workers=16) as pool:
        while frontier:
            responses = list(pool.map(fetch, frontier))
            found: set[str] = set()
            for url, response in zip(frontier, responses, strict=True):
                assert response.status == 200, url
                found |= extract_links(url, response)
            frontier = sorted(u for u in found - seen if urlsplit(u).netloc in scope)
            seen |= set(frontier)
    return seen


def test_crawl_reaches_every_promised_page() -> None:
    with GeneratedSite(hosts=3, pages=60, latency=0.0) as site:
        hosts = {urlsplit(url).hostname for url in site.seed_urls()}
        assert hosts == {"127.0.1.1", "127.0.1.2", "127.0.1.3"}
        assert len(site.page_urls()) == 3 * 60
        assert len(site.all_urls()) == 3 * 60 + 3  # + one style sheet per host
        scope = {urlsplit(url).netloc for url in site.seed_urls()}
        assert _crawl(site.seed_urls(), scope) == site.all_urls()
        assert all(fetch(url).status == 200 for url in site.robots_urls())


def test_pages_link_about_ten_others_on_the_same_host() -> None:
    for number in (0, 1, 250, 499):
        links = linked_pages(number, 500)
        assert len(links) == 10 and number not in links and links[0] == (number + 1) % 500


def test_no_page_reads_as_a_page_of_a_listing() -> None:
    # The site is a plain web of articles: were its links pages of one listing, the crawler
    # would stop at pages repeating another's (empty) items, wherever they came first.
    for number in (0, 1, 30, 59):
        url = f"http://127.0.1.1:8000/p/{number}.html" if number else "http://127.0.1.1:8000/"
        links = extract_from_html(render_page(0, number, 60), "utf-8", url).links
        assert len(links) == 11  # ten pages and the style sheet
        assert paginate(url, links).pages == []


def test_latency_applies_per_request_without_serialising() -> None:
    probe = RequestProbe()
    with GeneratedSite(hosts=2, pages=20, latency=0.1) as site, probe.installed():
        urls = sorted(site.page_urls())
        started = time.monotonic()
        fetch(urls[0])
        single = time.monotonic() - started
        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            statuses = [r.status for r in pool.map(fetch, urls)]
    assert statuses == [200] * len(urls)
    assert single >= 0.1
    # requests wait their latency side by side (counted, not timed: the machine may be busy)
    assert sum(probe.peak.values()) > 2
