"""A hostile page cannot steer Chromium to an address the network policy refuses.

Two loopback addresses stand for the two sides: the policy allows only the attacker's
(127.0.0.3/32); the victim on 127.0.0.2 stands for the library's own network. The
attacker's pages reach for the victim every way a page can: redirects of the navigation,
an image, a stylesheet, an iframe, fetch, EventSource and sendBeacon, a WebSocket, a
service worker, prefetch and preconnect. The victim counts every connection it accepts.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from crawl_helpers import records, run_crawl_cli, write_seed_list

from diancang.demo_portal.serving import BackgroundServer, LoopbackHTTPServer, Page, PageHandler

ATTACKER_HOST, VICTIM_HOST = "127.0.0.3", "127.0.0.2"
SECRET = b"VICTIM-SECRET-8f3a"
# smallest valid PNG (1x1)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class VictimServer(LoopbackHTTPServer):
    """Counts every TCP connection: a preconnect or a WebSocket never sends a full GET."""

    def __init__(self, address: tuple[str, int], handler: type) -> None:
        super().__init__(address, handler)
        self.connections = 0
        self.paths: list[str] = []
        self.count_lock = threading.Lock()

    def get_request(self) -> tuple[Any, Any]:
        with self.count_lock:
            self.connections += 1
        return super().get_request()


class VictimHandler(PageHandler):
    server: VictimServer

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        with self.server.count_lock:
            self.server.paths.append(self.path)
        body = b"<html><body><h1>" + SECRET + b"</h1></body></html>"
        self.send_page(Page(body, "text/html; charset=utf-8"))

    do_POST = do_GET  # noqa: N815 - sendBeacon posts


def attacker_pages(victim: str) -> dict[str, Page]:
    html = f"""<!doctype html><html><head><title>attacker</title>
<link rel="stylesheet" href="/r/css">
<link rel="prefetch" href="/r/prefetch">
<link rel="preconnect" href="{victim}">
<link rel="dns-prefetch" href="{victim}">
</head><body><h1>ATTACKER-PAGE</h1>
<img src="/own.png"><img src="/r/img">
<iframe src="/r/frame"></iframe>
<ul id="list"></ul>
<script>
fetch('/r/fetch').catch(() => {{}});
new EventSource('/r/events');
navigator.sendBeacon('/r/beacon', 'x');
try {{ new WebSocket('{victim.replace("http", "ws")}ws'); }} catch (e) {{}}
if (navigator.serviceWorker) navigator.serviceWorker.register('/sw.js').catch(() => {{}});
document.getElementById('list').innerHTML = '<li>built by script</li>';
</script></body></html>"""
    worker = f"self.addEventListener('install', () => fetch('{victim}sw'));"
    return {
        "/": Page(html.encode(), "text/html; charset=utf-8"),
        "/own.png": Page(PNG, "image/png"),
        "/sw.js": Page(worker.encode(), "application/javascript"),
    }


def attacker_server(victim: str) -> BackgroundServer:
    pages = attacker_pages(victim)

    class AttackerHandler(PageHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            if self.path.startswith(("/r/", "/nav")):
                name = self.path.rsplit("/", 1)[-1]
                redirect = Page(b"", "text/html", 302, (("Location", victim + name),))
                self.send_page(redirect)
            else:
                self.send_page(pages.get(self.path, Page(b"not found", "text/plain", 404)))

        do_POST = do_GET  # noqa: N815

    return BackgroundServer(LoopbackHTTPServer((ATTACKER_HOST, 0), AttackerHandler), "attacker")


@pytest.fixture(scope="module")
def hostile_browser_crawl(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-guard")
    victim = VictimServer((VICTIM_HOST, 0), VictimHandler)
    victim_runner = BackgroundServer(victim, "victim").start()
    attacker = attacker_server(victim_runner.url).start()
    try:
        row = {"title": "t", "jurisdiction": "500000", "collection": "govinfo", "depth": "0",
               "browser": "true"}  # fmt: skip
        seeds = write_seed_list(
            root / "seeds.csv",
            [{"url": attacker.url, **row}, {"url": attacker.url + "nav", **row}],
        )
        crawl = run_crawl_cli(root / "data", seeds, DIANCANG_ALLOW_NETWORKS=f"{ATTACKER_HOST}/32")
    finally:
        attacker.stop()
        victim_runner.stop()
    return crawl, victim, attacker.url, victim_runner.url


def test_chromium_never_connects_to_a_refused_address(hostile_browser_crawl):
    _, victim, _, _ = hostile_browser_crawl
    print("VICTIM", victim.connections, victim.paths)
    assert (victim.connections, victim.paths) == (0, [])


def test_nothing_of_the_refused_address_is_stored(hostile_browser_crawl):
    crawl, _, _, victim_url = hostile_browser_crawl
    for record in records(crawl.data_dir):
        assert SECRET not in record.content
        if record.rec_type in ("response", "resource"):
            assert VICTIM_HOST not in record.rec_headers.get_header("WARC-Target-URI")


def test_refusals_are_reported_and_the_page_itself_is_captured(hostile_browser_crawl):
    crawl, _, attacker_url, victim_url = hostile_browser_crawl
    victim_target = victim_url.removeprefix("http://").rstrip("/")
    refused = [line for line in crawl.report["refused"] if victim_target in line]
    assert refused and all("loopback" in line for line in refused)
    assert crawl.report["refused_addresses"] >= len(refused)

    all_records = list(records(crawl.data_dir))
    by_uri = {r.rec_headers.get_header("WARC-Target-URI"): r for r in all_records}
    assert by_uri[f"urn:screenshot:{attacker_url}"].content.startswith(b"\x89PNG")
    image = by_uri[attacker_url + "own.png"]
    assert image.content.endswith(PNG)
    # Chromium talks to the proxy; the records name the server the proxy connected to
    for record in all_records:
        if record.rec_type in ("request", "response"):
            assert record.rec_headers.get_header("WARC-IP-Address") == ATTACKER_HOST
    # the redirect hops that led to the victim are stored as the attacker sent them
    assert by_uri[attacker_url + "r/img"].http_headers.get_statuscode() == "302"
