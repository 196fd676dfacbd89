"""ReplayWeb.page served from loopback, and a headless Chromium that opens a WACZ in it.

ReplayWeb.page is the npm package ``replaywebpage`` (version pinned in package.json beside
this file, installed by ``make clients``, or here when it is missing). Only its prebuilt
``ui.js`` and ``sw.js`` are used: ``index.html`` loads ``ui.js`` and holds one
``<replay-web-page>`` element; the service worker ``replay/sw.js`` reads the WACZ over HTTP
range requests. Service workers need a secure context, which http://127.0.0.1 is.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

from diancang.demo_portal.serving import BackgroundServer, LoopbackHTTPServer, PageHandler

HERE = Path(__file__).parent
PACKAGE = HERE / "node_modules" / "replaywebpage"
INSTALLED = HERE / "node_modules" / ".installed"
CHROMIUM = "/usr/bin/chromium"
MISSING_ORIGINAL = "Original Archived Page Missing"
NOT_FOUND = "Archived Page Not Found"
FILE_SERVER_404 = "Nothing matches the given URI"  # http.server's 404 page, not the player's
MAX_RELOADS = 3
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wacz": "application/zip"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def install_replaywebpage() -> Path:
    """The replaywebpage package, installed from package-lock.json if it is not yet."""
    if not INSTALLED.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE, check=True, timeout=600,
        )  # fmt: skip
        INSTALLED.touch()
    for name in ("ui.js", "sw.js"):
        assert (PACKAGE / name).is_file(), f"{PACKAGE / name} missing after npm ci"
    return PACKAGE


def _handler(root: Path) -> type[PageHandler]:
    class StaticHandler(PageHandler):
        """Files under ``root``, with byte ranges (the service worker reads WACZ by range)."""

        def do_HEAD(self) -> None:
            self._serve(head_only=True)

        def do_GET(self) -> None:
            self._serve(head_only=False)

        def _serve(self, head_only: bool) -> None:
            path = (root / self.path.split("?")[0].lstrip("/")).resolve()
            if path.is_dir():
                path = path / "index.html"
            if not path.is_relative_to(root) or not path.is_file():
                print(f"replayweb file server: 404 for {self.path}", file=sys.stderr)
                self.send_error(404)
                return
            data = path.read_bytes()
            status, start, end = 200, 0, len(data)
            wanted = _RANGE.fullmatch(self.headers.get("Range", ""))
            if wanted and (wanted.group(1) or wanted.group(2)):
                if wanted.group(1):
                    start = int(wanted.group(1))
                    end = min(len(data), int(wanted.group(2)) + 1) if wanted.group(2) else end
                else:
                    start = max(0, len(data) - int(wanted.group(2)))
                status = 206
            self.send_response(status)
            self.send_header("Content-Type", _TYPES.get(path.suffix, "application/octet-stream"))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
            self.end_headers()
            if not head_only:
                self.wfile.write(data[start:end])

    return StaticHandler


@contextmanager
def replay_site(wacz: Path, url: str, work: Path) -> Iterator[str]:
    """Serve ReplayWeb.page with ``wacz`` at ``url``; yields the page's address."""
    package = install_replaywebpage()
    root = (work / "site").resolve()
    (root / "replay").mkdir(parents=True)
    shutil.copy(package / "ui.js", root / "ui.js")
    shutil.copy(package / "sw.js", root / "replay" / "sw.js")
    shutil.copy(wacz, root / "archive.wacz")
    (root / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><script src='ui.js'></script>"
        "</head><body><replay-web-page source='archive.wacz' "
        f"url='{html.escape(url, quote=True)}' replaybase='./replay/'>"
        "</replay-web-page></body></html>",
        encoding="utf-8",
    )
    server = BackgroundServer(
        LoopbackHTTPServer(("127.0.0.1", 0), _handler(root)), "replayweb"
    ).start()
    try:
        yield f"http://127.0.0.1:{server.port}/index.html"
    finally:
        server.stop()


def replayed_text(page_url: str, expected: str, timeout_s: float = 90) -> str:
    """The text of the frame that shows ``expected`` (or the text of every frame, when the
    wait runs out: the assertion that follows shows what the player said instead)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto(page_url)
            # The player's first load can race its own service worker: the frame's request
            # for replay/ then reaches the file server and shows its 404 (ReplayWeb.page
            # issue #412; the player itself reloads up to twice). Wait until the worker is
            # active, then load the page again, and again while the frame shows that 404.
            page.wait_for_function(
                "async () => { const r = await navigator.serviceWorker.getRegistration("
                "'./replay/'); return !!(r && r.active && r.active.state === 'activated'); }",
                timeout=timeout_s * 1000,
                polling=250,
            )
            page.reload()
            reloads, deadline_ms, waited = 1, int(timeout_s * 1000), 0
            while waited < deadline_ms:
                texts = []
                for frame in page.frames:
                    try:
                        texts.append(frame.evaluate("document.body ? document.body.innerText : ''"))
                    except Exception:  # a frame navigating away: read it on the next round
                        continue
                shadow = page.evaluate(
                    "() => { const e = document.querySelector('replay-web-page');"
                    " return e && e.shadowRoot ? e.shadowRoot.textContent : ''; }"
                )
                texts.append(shadow)
                for text in texts:
                    if expected in text or MISSING_ORIGINAL in text or NOT_FOUND in text:
                        return text
                if reloads < MAX_RELOADS and any(FILE_SERVER_404 in text for text in texts):
                    page.reload()
                    reloads += 1
                page.wait_for_timeout(500)
                waited += 500
            return "\n---\n".join(texts)
        finally:
            browser.close()
