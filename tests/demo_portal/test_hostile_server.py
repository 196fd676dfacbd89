"""The hostile server misbehaves as documented, with short timeouts on our side."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import zlib
from urllib.parse import urlsplit

import pytest
from portal_client import fetch
from sites.hostile import (
    BOMB_SIZE,
    HUGE_SIZE,
    PATHS,
    WRONG_CHARSET_TITLE,
    HostileServer,
)


def _connect(server: HostileServer, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(server.base_url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def _raw(server: HostileServer, path: str, timeout: float) -> socket.socket:
    parts = urlsplit(server.base_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode("ascii"))
    return sock


def _read_until_timeout(sock: socket.socket, limit: float) -> bytes:
    received = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            data = sock.recv(4096)
        except TimeoutError:
            continue
        if not data:
            break
        received += data
    return received


def _read_until(sock: socket.socket, done, limit: float = 10.0) -> bytes:
    """What the server sent until ``done(received)``; fails on its end or after ``limit``
    seconds (the bound is for a loaded machine: the checks are on what arrived, and when)."""
    received = b""
    deadline = time.monotonic() + limit
    while not done(received):
        assert time.monotonic() < deadline, f"not there after {limit} s: {received[-200:]!r}"
        try:
            data = sock.recv(4096)
        except TimeoutError:
            continue
        assert data, f"the server ended the response: {received[-200:]!r}"
        received += data
    return received


def test_index_links_every_endpoint(hostile: HostileServer) -> None:
    body = fetch(hostile.url("/")).body.decode("utf-8")
    assert all(f'href="{path}"' in body for path in PATHS)
    assert fetch(hostile.url("/ok.html")).status == 200


def test_drip_sends_headers_then_a_byte_at_a_time(hostile: HostileServer) -> None:
    with _raw(hostile, "/drip", timeout=0.5) as sock:
        asked = time.monotonic()
        received = _read_until(sock, lambda r: r.count(b"\r\n\r\n") and r.endswith(b".."))
        two_bytes = time.monotonic() - asked
        sock.settimeout(2)
        more = sock.recv(1)  # no end: another byte comes
    headers, body = received.split(b"\r\n\r\n", 1)
    assert headers.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length" not in headers and b"Connection: close" in headers
    assert body.strip(b".") == b"" and more == b"."
    assert two_bytes >= 0.95  # one byte every 0.5 s


def test_drip_headers_never_finish(hostile: HostileServer) -> None:
    with _raw(hostile, "/drip-headers", timeout=0.5) as sock:
        asked = time.monotonic()
        received = _read_until(sock, lambda r: r.endswith(b"X-Drip: aa"))
        two_drips = time.monotonic() - asked
        sock.settimeout(2)
        more = sock.recv(1)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\n\r\n" not in received and more == b"a"  # the header goes on
    assert two_drips >= 0.95  # a drip every 0.5 s


def test_redirect_loop_counts_forever(hostile: HostileServer) -> None:
    location = "/redirect-loop"
    for hop in range(1, 6):
        response = fetch(hostile.url(location))
        assert response.status == 302
        location = response.header("Location")
        assert location == f"/redirect-loop?n={hop}"


def test_huge_announces_200_mib_and_streams(hostile: HostileServer) -> None:
    connection = _connect(hostile, timeout=2)
    connection.request("GET", "/huge")
    response = connection.getresponse()
    assert int(response.getheader("Content-Length")) == HUGE_SIZE == 200 * 1024 * 1024
    first = response.read(1024 * 1024)
    assert len(first) == 1024 * 1024 and first.startswith(b"<p>0123456789abcdef")
    connection.close()


def test_bomb_is_small_and_inflates_to_a_gigabyte(hostile: HostileServer) -> None:
    response = fetch(hostile.url("/bomb"), headers={"Accept-Encoding": "gzip"})
    assert response.header("Content-Encoding") == "gzip"
    assert len(response.body) < 2 * 1024 * 1024
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(response.body[:4096], 64 * 1024 * 1024)
    assert len(out) > 1024 * 1024 and not out.strip(b"\x00")
    assert int.from_bytes(response.body[-4:], "little") == BOMB_SIZE % 2**32


def test_bad_headers_are_malformed(hostile: HostileServer) -> None:
    with _raw(hostile, "/bad-headers", timeout=2) as sock:
        received = _read_until_timeout(sock, limit=2)
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")[1:]
    assert b"This line has no colon" in lines
    assert any(line.startswith((b" ", b"\t")) for line in lines)  # obsolete line folding
    assert b": value with an empty name" in lines
    assert any(not line.isascii() for line in lines)
    assert body.startswith(b"<html>")


def test_wrong_charset_declares_utf8_and_sends_gbk(hostile: HostileServer) -> None:
    response = fetch(hostile.url("/wrong-charset"))
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    assert b'<meta charset="utf-8">' in response.body
    with pytest.raises(UnicodeDecodeError):
        response.body.decode("utf-8")
    assert WRONG_CHARSET_TITLE in response.body.decode("gbk")


def test_stalled_responses_do_not_block_other_requests(hostile: HostileServer) -> None:
    stalled = [_raw(hostile, path, timeout=1) for path in ("/drip", "/drip-headers", "/huge")]
    try:
        for sock in stalled:  # each one's handler is answering it
            _read_until(sock, lambda r: r.startswith(b"HTTP/1.1 200 OK"))
        started = time.monotonic()
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(fetch(hostile.url("/ok.html"))))
            for _ in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)  # a blocked server would never answer them
        assert [r.status for r in results] == [200] * 5
        assert time.monotonic() - started < 3.0
    finally:
        for sock in stalled:
            sock.close()


def test_stop_ends_stalled_responses_at_once() -> None:
    server = HostileServer(drip_interval=0.2).start()
    sock = _raw(server, "/drip", timeout=2)
    sock.recv(1024)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3.0  # a stalled response would hold it forever
    assert _read_until_timeout(sock, limit=1.0).count(b".") <= 6  # then EOF
    sock.close()
