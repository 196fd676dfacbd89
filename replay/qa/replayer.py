"""Pages replayed for QA: a pywb of QA's own on a free loopback port, headless Chromium.

QA's pywb serves every collection without its banner and without the top frame
(``framed_replay: false``), so a replayed page is laid out in the browser's window exactly
as it was at capture time (same viewport) and can be compared pixel by pixel.

Nothing reaches the live web: every request to another origin than QA's pywb is aborted
by Playwright's routing and recorded as a live leak, and Chromium's proxy is a closed port
for anything that routing does not see (only QA's pywb bypasses it).

A resource is *missing* when pywb answers 404 without memento headers: that is pywb's own
"not in the archive" page; a 404 the site sent at capture time replays with them.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from playwright.async_api import Browser, Route, WebSocketRoute, async_playwright
from playwright.async_api import Error as PlaywrightError

from diancang.child_processes import ChildProcesses
from diancang.crawler.browser.behaviors import NetworkWatch, run_behaviors
from diancang.crawler.browser.settings import CHROMIUM_ARGS, VIEWPORT
from diancang.replay.index import CollectionIndexes
from diancang.replay.pywb_config import write_config
from diancang.replay.server import wayback_command
from diancang.settings import Settings
from diancang.storage import open_store

BANNER = "qa_banner.html"  # an empty banner template: nothing drawn over the page
START_TIMEOUT = 60.0  # seconds for pywb to answer
CLOSED_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens there
_SAFE = ":/?&=%#;@+,~!$*()[]"


def qa_dir(settings: Settings) -> Path:
    """Where QA keeps its images and its pywb configuration."""
    return settings.data_dir / "qa"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _configure(settings: Settings) -> Path:
    """Index new WARCs; write QA's pywb directory (config and the empty banner)."""
    directory = qa_dir(settings) / "pywb"
    store = open_store(settings)
    try:
        indexes = CollectionIndexes(settings.index_dir)
        indexes.update(store)
        write_config(directory, indexes, store, framed_replay=False, banner_html=BANNER)
    finally:
        store.close()
    (directory / "templates").mkdir(exist_ok=True)
    (directory / "templates" / BANNER).write_text("", encoding="utf-8")
    return directory


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"QA 的回放服务（pywb）未能启动，详见 {log}")
        try:
            urllib.request.urlopen(base, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"QA 的回放服务（pywb）{START_TIMEOUT:.0f} 秒内未应答") from None
            time.sleep(0.2)


@contextmanager
def qa_wayback(settings: Settings) -> Iterator[str]:
    """pywb for QA on a free loopback port for the ``with`` block; yields its base URL."""
    directory = _configure(settings)
    children = ChildProcesses()  # not entered: it may run in a worker's thread
    port = _free_port()
    log = directory / "wayback.log"
    with log.open("ab") as out:
        process = children.start(
            wayback_command(port, "127.0.0.1"),
            cwd=directory,
            env={**os.environ, "PYWB_CONFIG_FILE": str(directory / "config.yaml")},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}/"
        _wait_until_up(base, process, log)
        yield base
    finally:
        children.stop()


def closed_proxy_args(pywb_netloc: str) -> list[str]:
    """Chromium's flags for a proxy that goes nowhere, bypassed only by QA's pywb. Later
    bypass rules win, so loopback's implicit bypass is removed first (Playwright's own
    ``proxy`` option appends that removal last, which would undo the pywb bypass)."""
    return [f"--proxy-server={CLOSED_PROXY}", f"--proxy-bypass-list=<-loopback>;{pywb_netloc}"]


def content_url(base: str, collection: str, when: datetime, url: str) -> str:
    """The page itself, as pywb replays it inside its frame (``mp_``), without the frame."""
    return f"{base}{collection}/{when:%Y%m%d%H%M%S}mp_/{quote(url, safe=_SAFE)}"


_REPLAYED = re.compile(r"^/[^/]+/(?:\d{1,14})?(?:[a-z]+_)?/(.+)$")


def original_url(replayed: str) -> str:
    """``http://pywb/COLL/2026…im_/http://site/a.png`` -> ``http://site/a.png``."""
    parts = urlsplit(replayed)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    found = _REPLAYED.match(path)
    return found.group(1) if found else replayed


@dataclass
class Target:
    key: int  # the caller's name for it (a review item)
    collection: str
    captured_at: datetime
    url: str


@dataclass
class Replayed:
    key: int
    screenshot: bytes | None = None
    text: str = ""
    missing: list[str] = field(default_factory=list)
    archive_requests: int = 0  # the page's requests that pywb answered, found or missing
    live_leaks: list[str] = field(default_factory=list)
    error: str | None = None  # why the page could not be replayed


class PageReplayer:
    """Replays pages in one Chromium, ``at_once`` pages at a time."""

    def __init__(self, settings: Settings, base: str, at_once: int):
        self.settings = settings
        self.base = base
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        self.at_once = at_once
        self.timeout = settings.review.qa_page_timeout
        self.behaviour_budget = min(settings.crawl.behavior_timeout, self.timeout / 3)

    def run(self, targets: list[Target], done: Callable[[Replayed], Awaitable[None]]) -> None:
        """Replay ``targets``, handing each page to ``done`` as soon as it is replayed."""
        asyncio.run(self._run(targets, done))

    async def _run(self, targets: list[Target], done) -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=self.settings.crawl.chromium,
                headless=True,
                args=[*CHROMIUM_ARGS, *closed_proxy_args(urlsplit(self.base).netloc)],
            )
            slots = asyncio.Semaphore(self.at_once)

            async def one(target: Target) -> None:
                async with slots:
                    replayed = await self._replay(browser, target)
                await done(replayed)

            try:
                await asyncio.gather(*(one(t) for t in targets))
            finally:
                await browser.close()

    async def _replay(self, browser: Browser, target: Target) -> Replayed:
        done = Replayed(target.key)
        context = await browser.new_context(viewport=VIEWPORT, service_workers="block")
        try:
            await asyncio.wait_for(self._load(context, target, done), self.timeout)
        except TimeoutError:
            done.error = f"回放超时（{self.timeout:.0f} 秒）"
        except PlaywrightError as exc:
            done.error = f"回放失败：{exc.message.splitlines()[0][:300]}"
        finally:
            await context.close()
        done.missing = sorted(set(done.missing))
        done.live_leaks = sorted(set(done.live_leaks))
        return done

    async def _load(self, context, target: Target, done: Replayed) -> None:
        async def guard(route: Route) -> None:
            url = route.request.url
            if url.startswith(self.origin + "/"):
                await route.continue_()
            else:
                done.live_leaks.append(url)
                await route.abort("blockedbyclient")

        async def guard_socket(socket_route: WebSocketRoute) -> None:
            done.live_leaks.append(socket_route.url)
            await socket_route.close()

        def on_response(response) -> None:
            if not response.url.startswith(self.origin + "/"):
                return
            done.archive_requests += 1
            if response.status == 404:
                headers = response.headers
                if "memento-datetime" not in headers and "link" not in headers:
                    done.missing.append(original_url(response.url))

        await context.route("**/*", guard)
        await context.route_web_socket(re.compile(".*"), guard_socket)
        page = await context.new_page()
        page.on("response", on_response)
        watch = NetworkWatch(page)
        url = content_url(self.base, target.collection, target.captured_at, target.url)
        await page.goto(url, wait_until="load")
        await run_behaviors(page, watch, {}, self.behaviour_budget)
        done.screenshot = await page.screenshot(full_page=True, type="png")
        done.text = await page.inner_text("body")
