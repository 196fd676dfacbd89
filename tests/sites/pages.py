"""A loopback site serving a fixed set of pages, recording the paths asked for.

with site({"/": Page(b"<html>...", "text/html")}) as (base_url, requested):
    ...
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from diancang.demo_portal.serving import BackgroundServer, LoopbackHTTPServer, Page, PageHandler


@contextmanager
def site(
    pages: dict[str, Page], stall: dict[str, float] | None = None
) -> Iterator[tuple[str, list[str]]]:
    """A loopback site serving ``pages``, each path of ``stall`` after that many seconds;
    yields its base URL and the paths requested."""
    requested: list[str] = []

    class Handler(PageHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            requested.append(self.path)
            time.sleep((stall or {}).get(self.path, 0))
            self.send_page(pages.get(self.path) or Page(b"not found", "text/plain", status=404))

    server = BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), Handler), "pages").start()
    try:
        yield server.url, requested
    finally:
        server.stop()
