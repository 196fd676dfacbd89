"""HTTP/1.1 serving on loopback: a threaded server, a base handler and a background runner.

Every server of the demo portal (main site, files host, hostile server, generated site)
is built from these pieces:

* :class:`LoopbackHTTPServer` -- ``ThreadingHTTPServer`` that sets ``TCP_NODELAY`` on each
  accepted socket (without it every keep-alive request stalls about 40 ms: Nagle against
  delayed ACK) and remembers open connections so that :meth:`close_connections` can end
  idle keep-alive threads at shutdown.
* :class:`PageHandler` -- ``BaseHTTPRequestHandler`` speaking HTTP/1.1 keep-alive that
  sends a :class:`Page` with a Content-Length or a chunked body, gzip when asked.
* :class:`BackgroundServer` -- runs ``serve_forever`` in a daemon thread.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

CHUNK_SIZE = 4096
SITE_LAST_MODIFIED = datetime(2024, 3, 5, 2, 0, 0, tzinfo=UTC)
DISCONNECT_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


@dataclass(frozen=True)
class Page:
    """One prepared HTTP response. Bodies are bytes fixed at build time (deterministic)."""

    body: bytes
    content_type: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    gzip: bool = False  # compress when the client sends Accept-Encoding: gzip
    chunked: bool = False  # Transfer-Encoding: chunked instead of Content-Length
    last_modified: datetime = SITE_LAST_MODIFIED
    gzipped_body: bytes = field(default=b"", repr=False)
    etag: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.gzip and not self.gzipped_body:
            # mtime=0 keeps the compressed bytes identical from one run to the next.
            compressed = gzip.compress(self.body, compresslevel=6, mtime=0)
            object.__setattr__(self, "gzipped_body", compressed)
        if not self.etag:
            object.__setattr__(self, "etag", '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"')


class LoopbackHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP server: one thread per connection, TCP_NODELAY, closable connections."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.stopping = threading.Event()
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._connections_lock:
            self._connections.add(sock)
        return sock, address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut down every open connection so that idle keep-alive threads end now."""
        with self._connections_lock:
            connections = list(self._connections)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients of a crawler test hang up mid-response all the time; that is not an error.
        return None


class PageHandler(BaseHTTPRequestHandler):
    """Base handler: HTTP/1.1 keep-alive, quiet logs, :meth:`send_page`."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is closed after a minute
    server: LoopbackHTTPServer

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return None

    def handle(self) -> None:
        try:
            super().handle()
        except DISCONNECT_ERRORS:
            self.close_connection = True

    def wait_latency(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def accepts_gzip(self) -> bool:
        accept = self.headers.get("Accept-Encoding", "")
        return any(part.split(";")[0].strip().lower() == "gzip" for part in accept.split(","))

    def send_page(self, page: Page, head_only: bool = False) -> None:
        """Send ``page``: gzip if it is a gzip page and the client accepts it; chunked or not."""
        body = page.body
        use_gzip = page.gzip and self.accepts_gzip()
        if use_gzip:
            body = page.gzipped_body
        if page.status == 200 and self.headers.get("If-None-Match") == page.etag:
            self.send_response(304)
            self.send_header("ETag", page.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        chunked = page.chunked and self.request_version == "HTTP/1.1"
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        if page.status == 200:
            self.send_header("Last-Modified", format_datetime(page.last_modified, usegmt=True))
            self.send_header("ETag", page.etag)
        for name, value in page.headers:
            self.send_header(name, value)
        if page.gzip:
            self.send_header("Vary", "Accept-Encoding")
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head_only:
            return
        if chunked:
            self.write_chunked(body)
        else:
            self.wfile.write(body)

    def write_chunked(self, body: bytes) -> None:
        for start in range(0, len(body), CHUNK_SIZE):
            piece = body[start : start + CHUNK_SIZE]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")


class ServedSite:
    """A site served from background threads: ``with Site(...) as site:`` starts and stops it.

    A subclass puts its :class:`BackgroundServer` objects in ``servers``; one that must do
    more when it starts or stops overrides :meth:`start` and :meth:`stop`.
    """

    servers: list[BackgroundServer]

    def start(self) -> Self:
        for server in self.servers:
            server.start()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class BackgroundServer:
    """Run a :class:`LoopbackHTTPServer` in a daemon thread; stop it and its connections."""

    def __init__(self, server: LoopbackHTTPServer, name: str) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
        )

    @property
    def host(self) -> str:
        return str(self.server.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.stopping.set()
        if self._thread.is_alive():
            self.server.shutdown()
        self.server.close_connections()
        self.server.server_close()
        self._thread.join(timeout=5)
