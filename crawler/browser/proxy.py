"""The only way out for Chromium: a SOCKS5 proxy that applies the crawl's address policy.

Chromium is launched with this proxy for every scheme and for loopback too, and with a
host resolver that resolves nothing itself, so each TCP connection a page makes (every
redirect hop, subresource, WebSocket, prefetch, service worker, beacon) arrives here as
"host:port". The proxy resolves the host through the same AddressPolicy as the HTTP
crawl and connects to the very addresses it checked, so a DNS answer cannot change
between check and connection. SOCKS5 rather than an HTTP proxy: one connection carries
one host, whatever the protocol inside, so there is no HTTP to parse and no keep-alive
connection that could switch hosts.

Bounded: a connection cap, a deadline for the handshake and the upstream connect, and
an idle timeout on every tunnel.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import struct
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from diancang.crawler.network_guard import Address, AddressPolicy, RefusedAddress

log = logging.getLogger(__name__)

VERSION = 5
NO_AUTH, NO_ACCEPTABLE_METHOD = 0, 0xFF
CONNECT = 1
IPV4, DOMAIN, IPV6 = 1, 3, 4
# reply codes (RFC 1928 section 6)
SUCCEEDED, NOT_ALLOWED, HOST_UNREACHABLE = 0, 2, 4
COMMAND_NOT_SUPPORTED, ADDRESS_TYPE_NOT_SUPPORTED = 7, 8
CHUNK = 64 * 1024


class HandshakeError(Exception):
    """The client did not speak SOCKS5 CONNECT; carries the reply code to send, if any."""

    def __init__(self, code: int | None):
        self.code = code


class GuardedProxy:
    """SOCKS5 CONNECT proxy on 127.0.0.1 that opens only connections the policy allows.

    :meth:`bind` takes the listening socket before the event loop serves it, so that
    Chromium's launch flags can name its port; until :meth:`start`, connections wait in
    the backlog. ``on_refused(target, reason)`` is called for each refused connection.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        timeout: float,
        max_connections: int = 256,
    ):
        self.policy = policy
        self.timeout = timeout
        self.max_connections = max_connections
        self.on_refused: Callable[[str, str], None] = lambda target, reason: None
        self._socket: socket.socket | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task] = set()
        self._connected: dict[tuple[str, int], str] = {}

    def bind(self) -> list[str]:
        """Take a port on 127.0.0.1; returns the launch flags that leave Chromium no way
        around the proxy on it."""
        if self._socket is None:
            self._socket = socket.create_server(("127.0.0.1", 0), backlog=128)
        return [
            f"--proxy-server=socks5://127.0.0.1:{self.port}",
            "--proxy-bypass-list=<-loopback>",  # loopback goes through the proxy too
            # Chromium resolves no name itself (DNS prefetch, a direct fallback): only the
            # proxy, an address literal, is reachable
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            # WebRTC may use UDP only through a proxy, and SOCKS5 here carries no UDP
            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        ]

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the browser proxy has no port before bind()")
        return self._socket.getsockname()[1]

    def address_of(self, url: str) -> str | None:
        """The server address behind the proxy for ``url`` (Chromium sees only the proxy's):
        the one the last tunnel to its host and port connected to, for WARC-IP-Address."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
        return self._connected.get(((parts.hostname or "").lower(), port))

    async def start(self) -> None:
        if self._server is None:
            self.bind()
            self._server = await asyncio.start_server(self._accept, sock=self._socket)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        if self._socket is not None:
            self._socket.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if len(self._connections) >= self.max_connections:
            log.warning("browser proxy: %d connections open, refusing one", len(self._connections))
            writer.close()
            return
        self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            log.debug("browser proxy: connection ended: %r", exc)
        finally:
            self._connections.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            host, port = await asyncio.wait_for(self._handshake(reader, writer), self.timeout)
        except HandshakeError as exc:
            if exc.code is not None:
                await _reply(writer, exc.code)
            return
        target = f"{host}:{port}"
        try:
            addresses = await self.policy.addresses(host)
        except RefusedAddress as exc:
            log.warning("browser: refused connection to %s: %s", target, exc)
            self.on_refused(target, str(exc))
            await _reply(writer, NOT_ALLOWED)
            return
        upstream = await self._connect(addresses, port)
        if upstream is None:
            await _reply(writer, HOST_UNREACHABLE)
            return
        up_reader, up_writer, address = upstream
        self._connected[(host.lower(), port)] = str(address)
        try:
            await _reply(writer, SUCCEEDED)
            await self._relay(reader, writer, up_reader, up_writer)
        finally:
            up_writer.close()

    async def _handshake(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[str, int]:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if version != VERSION or NO_AUTH not in methods:
            writer.write(bytes((VERSION, NO_ACCEPTABLE_METHOD)))
            raise HandshakeError(None)
        writer.write(bytes((VERSION, NO_AUTH)))
        version, command, _, kind = await reader.readexactly(4)
        if kind == IPV4:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == IPV6:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        elif kind == DOMAIN:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode("ascii", "replace")
        else:
            raise HandshakeError(ADDRESS_TYPE_NOT_SUPPORTED)
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if version != VERSION or command != CONNECT:
            raise HandshakeError(COMMAND_NOT_SUPPORTED)  # no BIND, no UDP ASSOCIATE
        return host, port

    async def _connect(self, addresses: tuple[Address, ...], port: int):
        for address in addresses:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(str(address), port), self.timeout
                )
            except (OSError, TimeoutError) as exc:
                log.debug("browser proxy: %s port %d: %r", address, port, exc)
                continue
            return reader, writer, address
        return None

    async def _relay(self, *streams) -> None:
        """Copy both ways until both sides are done or nothing moved for ``timeout``."""
        client_reader, client_writer, up_reader, up_writer = streams
        last = [time.monotonic()]

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while True:
                try:
                    data = await asyncio.wait_for(source.read(CHUNK), self.timeout)
                except TimeoutError:
                    if time.monotonic() - last[0] < self.timeout:
                        continue  # the other direction is busy
                    raise
                if not data:
                    if sink.can_write_eof():
                        with contextlib.suppress(OSError):
                            sink.write_eof()
                    return
                last[0] = time.monotonic()
                sink.write(data)
                await sink.drain()

        tasks = [
            asyncio.ensure_future(copy(client_reader, up_writer)),
            asyncio.ensure_future(copy(up_reader, client_writer)),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _reply(writer: asyncio.StreamWriter, code: int) -> None:
    writer.write(bytes((VERSION, code, 0, IPV4, 0, 0, 0, 0, 0, 0)))
    await writer.drain()
