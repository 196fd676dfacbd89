"""Scrapy's robots.txt middleware lets through the requests that waited for a host's robots.txt,
and has no public way to take a robots.txt body fetched elsewhere (by another worker)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from upstream_bugs import assert_shape_error, still_broken

from diancang.demo_portal.serving import BackgroundServer, LoopbackHTTPServer, Page, PageHandler
from diancang.upstream import scrapy_robots

PEER = Path(__file__).parents[1] / "benchmarks" / "crawl_scrapy_peer.py"
WAITERS = 10
# RobotsTxtMiddleware's public names in Scrapy 2.19: none gives or takes a robots.txt body
PUBLIC_2_19 = {"DOWNLOAD_PRIORITY", "from_crawler", "process_request", "process_request_2"}
PUBLIC_2_19 |= {"robot_parser"}


class _DisallowingHandler(PageHandler):
    """robots.txt (answered after a moment, so requests queue behind it) forbids /private/."""

    fetched: list[str] = []

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            time.sleep(0.3)
            self.send_page(Page(b"User-agent: *\nDisallow: /private/\n", "text/plain"))
            return
        self.fetched.append(self.path)
        self.send_page(Page(b"<html><body>private</body></html>", "text/html"))


def test_plain_scrapy_fetches_pages_its_robots_txt_forbids(tmp_path):
    _DisallowingHandler.fetched = []
    server = BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), _DisallowingHandler), "robots")
    server.start()
    try:
        urls = [f"{server.url}private/{n}.html" for n in range(WAITERS)]
        result_path = tmp_path / "result.json"
        run = subprocess.run(
            [sys.executable, str(PEER), str(result_path), *urls],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        server.stop()
    assert json.loads(result_path.read_text())["finish_reason"] == "finished", run.stderr
    still_broken(
        len(_DisallowingHandler.fetched) > 0,
        "RobotsTxtMiddleware.robot_parser answering only the first waiter",
        "scrapy_robots",
    )


def test_a_changed_robot_parser_is_refused(monkeypatch):
    async def robot_parser(self, request):
        return None

    monkeypatch.setattr(RobotsTxtMiddleware, "robot_parser", robot_parser)
    assert_shape_error(scrapy_robots.check, "scrapy", "scrapy_robots")


def test_the_middleware_still_has_no_public_way_to_take_a_robots_txt_body():
    public = {name for name in dir(RobotsTxtMiddleware) if not name.startswith("_")}
    still_broken(
        public <= PUBLIC_2_19,
        "RobotsTxtMiddleware's missing public way to give it a robots.txt body "
        f"(new public names: {sorted(public - PUBLIC_2_19)})",
        "scrapy_robots",
    )


def test_a_changed_parse_robots_is_refused(monkeypatch):
    async def parse_robots(self, response, netloc):
        return None

    monkeypatch.setattr(RobotsTxtMiddleware, "_parse_robots", parse_robots)
    assert_shape_error(scrapy_robots.check, "scrapy", "scrapy_robots")
