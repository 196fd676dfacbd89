"""The demo portal answers every expected URL as designed, and its links agree with
expected_urls(): a polite breadth-first crawl from the home page finds exactly that set."""

from __future__ import annotations

import statistics
import time
from collections import deque
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from portal_client import extract_links, fetch

from diancang.demo_portal.server import DemoPortal


def test_expected_urls_answer_200_301_404_as_designed(demo_portal: DemoPortal) -> None:
    source, target = demo_portal.redirect_urls()
    expected = demo_portal.expected_urls()
    assert {source, target, demo_portal.not_found_url(), demo_portal.trap_url()} <= expected
    for url in sorted(expected):
        response = fetch(url)
        if url == source:
            assert response.status == 301
            assert response.header("Location") == target
        elif url == demo_portal.not_found_url():
            assert response.status == 404
            assert "页面不存在" in response.body.decode("utf-8")
        else:
            assert response.status == 200, url
        assert response.header("Content-Length") or response.header("Transfer-Encoding")


def test_expected_urls_cover_every_kind_of_resource(demo_portal: DemoPortal) -> None:
    main = {url for url in demo_portal.expected_urls() if url.startswith(demo_portal.base_url)}
    paths = {urlsplit(url).path for url in main}
    assert {"/", "/robots.txt", "/css/style.css", "/images/bg.png", "/favicon.ico"} <= paths
    assert {"/images/logo@2x.png", "/images/banner@2x.png", "/js/site.js"} <= paths
    assert {"/frame/notice.html", "/xxgk/index.html", "/xxgk/index_3.html"} <= paths
    assert sum(path.startswith("/xxgk/20") for path in paths) == 24 + 1  # + the 404 page
    assert sum(path.startswith("/zwgk/zcwj/20") for path in paths) == 3
    files = {url for url in demo_portal.expected_urls() if url.startswith(demo_portal.files_url)}
    suffixes = {urlsplit(url).path.rsplit(".", 1)[-1] for url in files}
    assert suffixes == {"txt", "pdf", "docx", "xlsx"}
    assert not demo_portal.expected_urls() & demo_portal.disallowed_urls()
    assert not demo_portal.expected_urls() & demo_portal.session_urls()


def _polite_crawl(demo_portal: DemoPortal) -> tuple[set[str], set[str]]:
    """Follow every link within the portal's two hosts, obeying robots.txt, not following
    calendar pages beyond the first. Returns (fetched, seen) URLs."""
    scope = {urlsplit(demo_portal.base_url).netloc, urlsplit(demo_portal.files_url).netloc}
    robots: dict[str, RobotFileParser] = {}
    fetched: set[str] = set()
    seen: set[str] = {demo_portal.base_url}
    queue = deque([demo_portal.base_url])
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in robots:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = RobotFileParser()
            parser.parse(fetch(robots_url).body.decode("utf-8").splitlines())
            robots[parts.netloc] = parser
            fetched.add(robots_url)
        if not robots[parts.netloc].can_fetch("diancang-test", url):
            continue
        response = fetch(url)
        fetched.add(url)
        if response.status in (301, 302):
            links = {response.header("Location")}
        else:
            links = extract_links(url, response)
        if parts.path == "/calendar/" and url != demo_portal.trap_url():
            continue  # the trap: do not go further than its first page
        for link in links - seen:
            seen.add(link)
            if urlsplit(link).netloc in scope:
                queue.append(link)
    return fetched, seen


def test_polite_crawl_from_home_finds_exactly_the_expected_urls(demo_portal: DemoPortal) -> None:
    fetched, seen = _polite_crawl(demo_portal)
    beyond_trap = {url for url in fetched if "/calendar/" in url and url != demo_portal.trap_url()}
    assert len(beyond_trap) == 2  # the months before and after the first page
    assert fetched - beyond_trap - demo_portal.session_urls() == demo_portal.expected_urls()
    assert demo_portal.disallowed_urls() <= seen
    assert not demo_portal.disallowed_urls() & fetched
    assert demo_portal.out_of_scope_urls() <= seen
    assert demo_portal.session_urls() <= seen


def test_keep_alive_requests_do_not_stall(demo_portal: DemoPortal) -> None:
    import http.client

    parts = urlsplit(demo_portal.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    times = []
    for _ in range(40):
        started = time.monotonic()
        connection.request("GET", "/xxgk/index_1.html")
        response = connection.getresponse()
        assert response.status == 200
        response.read()
        times.append(time.monotonic() - started)
    connection.close()
    # Nagle against delayed ACK would cost about 40 ms every request; a loaded machine slows
    # some requests, not the median
    assert statistics.median(times) < 0.03


def test_head_and_conditional_requests(demo_portal: DemoPortal) -> None:
    url = demo_portal.url("/xxgk/index.html")
    full = fetch(url)
    head = fetch(url, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Length") == str(len(full.body))
    assert fetch(url, headers={"If-None-Match": full.header("ETag")}).status == 304
