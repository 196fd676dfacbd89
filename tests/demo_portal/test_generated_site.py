"""The generated benchmark site serves every page it promises, on distinct hosts, with
latency that overlaps across concurrent requests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from portal_client import extract_links, fetch
from sites.generated import GeneratedSite, linked_pages


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


def test_latency_applies_per_request_without_serialising() -> None:
    with GeneratedSite(hosts=2, pages=20, latency=0.1) as site:
        urls = sorted(site.page_urls())
        started = time.monotonic()
        fetch(urls[0])
        single = time.monotonic() - started
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            statuses = [r.status for r in pool.map(fetch, urls)]
        together = time.monotonic() - started
    assert statuses == [200] * len(urls)
    assert single >= 0.1
    assert together < 0.1 * len(urls) / 4  # 40 requests overlap instead of taking 4 s
