"""A hostile HTTP server for crawler tests: endpoints that stall, loop, flood or lie.

    from sites.hostile import HostileServer

    with HostileServer() as server:          # HostileServer(host, port=0).start()
        server.url("/drip")

Paths (``/`` links all of them):

``/drip``           200 headers at once (no Content-Length, ``Connection: close``), then one
                    body byte per ``drip_interval`` seconds (1 s) forever.
``/drip-headers``   the status line, then one byte of a header line per second forever.
``/redirect-loop``  302 to ``/redirect-loop?n=N+1`` forever.
``/huge``           200 with ``Content-Length`` of 200 MiB, streamed in 64 KiB pieces
                    (never held in memory).
``/bomb``           about 1 MB of gzip (``Content-Encoding: gzip``) that inflates to 1 GiB.
``/bad-headers``    a response whose header lines are malformed (no colon, folded line,
                    space in a name, empty name, bytes that are not ASCII).
``/wrong-charset``  declares UTF-8 (header and ``<meta>``), sends GBK bytes.
``/short-body``     ``Content-Length`` of ``CUT_SIZE`` bytes, sends half and closes.
``/reset-body``     ``Content-Length`` of ``CUT_SIZE`` bytes, sends half and resets the
                    connection (``SO_LINGER`` 0: an RST, not a FIN).
``/chunked-cut``    a chunked body of half ``CUT_SIZE`` that closes before its last chunk.
``/bad-links``      a page whose links include malformed URLs (``BAD_LINKS``) among good
                    ones; the good ones lead to ``/after-bad-links?n=1`` and ``?n=2``.
``/ok.html``        a normal page.

Each connection has its own thread: a dripping response never blocks the others, and
:meth:`HostileServer.stop` ends every stalled response at once.
"""

from __future__ import annotations

import socket
import struct
import threading
import zlib
from urllib.parse import parse_qs

from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)

HUGE_SIZE = 200 * 1024 * 1024
BOMB_SIZE = 1024 * 1024 * 1024
_PIECE = 64 * 1024
CUT_SIZE = 400_000  # announced by the cut bodies, which send half of it
_HTML = "text/html; charset=utf-8"
PATHS = (
    "/drip",
    "/drip-headers",
    "/redirect-loop",
    "/huge",
    "/bomb",
    "/bad-headers",
    "/wrong-charset",
    "/ok.html",
    "/short-body",
    "/reset-body",
    "/chunked-cut",
    "/bad-links",
)
# hrefs that urljoin or urlsplit refuse (ValueError), or whose port is out of range
BAD_LINKS = (
    "//[::1",
    "http://[127.0.0.1]/",
    "http://[::1/x",
    "http://example.org:99999/",
    "http://[zz::1]/",
)

_bomb_lock = threading.Lock()
_bomb_cache: list[bytes] = []


def gzip_bomb() -> bytes:
    """A single-member gzip stream of ``BOMB_SIZE`` zero bytes, built in about 0.2 s.

    After a full flush, deflate's output for each further MiB of zeros is identical, so the
    stream is one compressed MiB repeated, framed by a gzip header and trailer."""
    with _bomb_lock:
        if _bomb_cache:
            return _bomb_cache[0]
        block = bytes(1024 * 1024)
        count = BOMB_SIZE // len(block)
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        middle = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        last = compressor.compress(block) + compressor.flush(zlib.Z_FINISH)
        crc = 0
        for _ in range(count):
            crc = zlib.crc32(block, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # mtime 0, max compression
        trailer = crc.to_bytes(4, "little") + (BOMB_SIZE % 2**32).to_bytes(4, "little")
        bomb = header + first + middle * (count - 2) + last + trailer
        _bomb_cache.append(bomb)
        return bomb


def _index_page() -> Page:
    links = "\n".join(f'<li><a href="{path}">{path}</a></li>' for path in PATHS)
    body = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>恶意服务器测试页</title></head><body>\n<h1>恶意服务器测试页</h1>\n<ul>\n"
        f"{links}\n</ul>\n</body></html>\n"
    )
    return Page(body.encode("utf-8"), _HTML)


def _ok_page() -> Page:
    body = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>正常页面</title>'
        '</head><body><h1>正常页面</h1><p>这是一个正常的页面。</p><a href="/">返回</a>'
        "</body></html>\n"
    )
    return Page(body.encode("utf-8"), _HTML)


def _bad_links_page() -> Page:
    bad = "".join(f'<a href="{href}">坏链接</a>' for href in BAD_LINKS)
    body = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>坏链接</title>'
        f'</head><body><a href="/after-bad-links?n=1">前</a>{bad}'
        '<img src="//[::1"><a href="/after-bad-links?n=2">后</a></body></html>\n'
    )
    return Page(body.encode("utf-8"), _HTML)


def _after_bad_links_page(query: str) -> Page:
    body = f"<!DOCTYPE html>\n<html><body><p>坏链接之后的页面 {query}</p></body></html>\n"
    return Page(body.encode("utf-8"), _HTML)


def _cut_body() -> bytes:
    line = b"<p>" + b"abcdefghijklmnop" * 6 + b"</p>\n"
    return (line * (CUT_SIZE // len(line) + 1))[: CUT_SIZE // 2]


WRONG_CHARSET_TITLE = "重庆市人民政府关于错误编码页面的说明"


def _wrong_charset_page() -> Page:
    text = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{WRONG_CHARSET_TITLE}</title></head><body><h1>{WRONG_CHARSET_TITLE}</h1>"
        "<p>本页声明为UTF-8编码，实际以GBK编码发送。</p></body></html>\n"
    )
    return Page(text.encode("gbk"), _HTML)


def _bad_headers_response() -> bytes:
    body = b"<html><body><p>bad headers</p></body></html>\n"
    return (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n"
        b"This line has no colon\r\n"
        b"X-Folded: first part\r\n"
        b"  continued on a folded line\r\n"
        b"X-Space In-Name: value\r\n"
        b": value with an empty name\r\n"
        b"X-Not-Ascii: \xff\xfe\xe9\r\n"
        b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n"
        b"Connection: close\r\n"
        b"\r\n" + body
    )


class HostileHandler(PageHandler):
    drip_interval = 1.0
    timeout = 30

    def _stopping(self, seconds: float) -> bool:
        """Wait ``seconds``; True when the server is shutting down."""
        return self.server.stopping.wait(seconds)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        path, _, query = self.path.partition("?")
        route = {
            "/": lambda: self.send_page(_index_page()),
            "/ok.html": lambda: self.send_page(_ok_page()),
            "/wrong-charset": lambda: self.send_page(_wrong_charset_page()),
            "/drip": self._drip,
            "/drip-headers": self._drip_headers,
            "/redirect-loop": lambda: self._redirect_loop(query),
            "/huge": self._huge,
            "/bomb": self._bomb,
            "/bad-headers": self._bad_headers,
            "/short-body": lambda: self._cut_short(reset=False),
            "/reset-body": lambda: self._cut_short(reset=True),
            "/chunked-cut": self._chunked_cut,
            "/bad-links": lambda: self.send_page(_bad_links_page()),
            "/after-bad-links": lambda: self.send_page(_after_bad_links_page(query)),
        }.get(path)
        if route is None:
            self.send_page(Page(b"not found\n", "text/plain; charset=utf-8", status=404))
            return
        route()

    def _drip(self) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        while not self._stopping(self.drip_interval):
            self.wfile.write(b".")

    def _drip_headers(self) -> None:
        self.close_connection = True
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Drip: ")
        while not self._stopping(self.drip_interval):
            self.wfile.write(b"a")

    def _redirect_loop(self, query: str) -> None:
        raw = parse_qs(query).get("n", ["0"])[0]
        count = int(raw) if raw.isdigit() else 0
        self.send_response(302)
        self.send_header("Location", f"/redirect-loop?n={count + 1}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(HUGE_SIZE))
        self.end_headers()
        line = b"<p>" + b"0123456789abcdef" * 6 + b"</p>\n"
        piece = (line * (_PIECE // len(line) + 1))[:_PIECE]
        sent = 0
        while sent < HUGE_SIZE and not self.server.stopping.is_set():
            chunk = piece[: HUGE_SIZE - sent]
            self.wfile.write(chunk)
            sent += len(chunk)

    def _bomb(self) -> None:
        body = gzip_bomb()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _bad_headers(self) -> None:
        self.close_connection = True
        self.wfile.write(_bad_headers_response())

    def _cut_short(self, reset: bool) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(CUT_SIZE))
        self.end_headers()
        self.wfile.write(_cut_body())
        if reset:
            self._stopping(0.3)  # let the client read what was sent: an RST discards it
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # drop the last reference: close() now sends the RST
            self.connection.close()

    def _chunked_cut(self) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        body = _cut_body()
        for start in range(0, len(body), _PIECE):
            piece = body[start : start + _PIECE]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        # no terminating zero-length chunk: the connection closes mid-body


class HostileServer(ServedSite):
    """Misbehaving endpoints on loopback, each connection in its own thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, drip_interval: float = 1.0) -> None:
        handler = type("HostileHandler", (HostileHandler,), {"drip_interval": drip_interval})
        self._runner = BackgroundServer(LoopbackHTTPServer((host, port), handler), "hostile")
        self.servers = [self._runner]

    @property
    def base_url(self) -> str:
        return self._runner.url

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` (e.g. ``"/drip"``) on this server."""
        return self._runner.url.rstrip("/") + "/" + path.lstrip("/")
