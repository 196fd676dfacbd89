"""The guarded SOCKS5 proxy on its own, spoken to as Chromium does, over real sockets."""

from __future__ import annotations

import asyncio
import ipaddress
import struct

from diancang.crawler.browser.proxy import GuardedProxy
from diancang.crawler.network_guard import AddressPolicy

ALLOWED, REFUSED = "127.0.0.3", "127.0.0.2"
SUCCEEDED, NOT_ALLOWED, COMMAND_NOT_SUPPORTED = 0, 2, 7


async def echo_server(host: str, accepted: list) -> asyncio.Server:
    async def echo(reader, writer):
        accepted.append(host)
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(echo, host, 0)


async def socks(proxy_port: int, host: str, port: int, command: int = 1):
    """A SOCKS5 handshake asking for ``host:port`` by name; returns the reply code."""
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
    writer.write(b"\x05\x01\x00")
    assert await reader.readexactly(2) == b"\x05\x00"
    name = host.encode()
    writer.write(bytes((5, command, 0, 3, len(name))) + name + struct.pack("!H", port))
    reply = await reader.readexactly(10)
    return reply[1], reader, writer


def run_with_proxy(test, timeout: float = 5, max_connections: int = 256):
    async def main():
        accepted: list[str] = []
        allowed = await echo_server(ALLOWED, accepted)
        refused = await echo_server(REFUSED, accepted)
        policy = AddressPolicy((ipaddress.ip_network(f"{ALLOWED}/32"),))
        proxy = GuardedProxy(policy, timeout=timeout, max_connections=max_connections)
        refusals: list[tuple[str, str]] = []
        proxy.on_refused = lambda target, reason: refusals.append((target, reason))
        proxy.bind()
        await proxy.start()
        ports = {
            h: s.sockets[0].getsockname()[1] for h, s in ((ALLOWED, allowed), (REFUSED, refused))
        }
        try:
            return await asyncio.wait_for(test(proxy, proxy.port, ports, refusals), 30), accepted
        finally:
            await proxy.close()
            allowed.close()
            refused.close()

    return asyncio.run(main())


def test_an_allowed_target_is_tunnelled_and_its_address_remembered():
    async def test(proxy, proxy_port, ports, refusals):
        code, reader, writer = await socks(proxy_port, ALLOWED, ports[ALLOWED])
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        echoed = await reader.readexactly(18)
        writer.close()
        return code, echoed, proxy.address_of(f"http://{ALLOWED}:{ports[ALLOWED]}/x"), refusals

    (code, echoed, address, refusals), accepted = run_with_proxy(test)
    assert (code, echoed, address, refusals) == (
        SUCCEEDED, b"GET / HTTP/1.1\r\n\r\n", ALLOWED, []
    )  # fmt: skip
    assert accepted == [ALLOWED]


def test_a_refused_or_unresolvable_target_gets_no_connection():
    async def test(proxy, proxy_port, ports, refusals):
        refused, *_ = await socks(proxy_port, REFUSED, ports[REFUSED])
        by_name, *_ = await socks(proxy_port, "localhost", ports[REFUSED])
        unresolvable, *_ = await socks(proxy_port, "nonexistent.invalid", 80)
        return refused, by_name, unresolvable, refusals

    (refused, by_name, unresolvable, refusals), accepted = run_with_proxy(test)
    assert (refused, by_name, unresolvable) == (NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
    assert accepted == []
    (target, reason), (local, local_reason), (name, why) = refusals
    assert target.startswith(f"{REFUSED}:") and "loopback" in reason
    assert local.startswith("localhost:") and local_reason.startswith("localhost resolves to")
    assert name == "nonexistent.invalid:80" and why.startswith("nonexistent.invalid does not")


def test_only_connect_is_offered():
    async def test(proxy, proxy_port, ports, refusals):
        udp_associate, *_ = await socks(proxy_port, ALLOWED, ports[ALLOWED], command=3)
        bind, *_ = await socks(proxy_port, ALLOWED, ports[ALLOWED], command=2)
        return udp_associate, bind

    (udp_associate, bind), accepted = run_with_proxy(test)
    assert (udp_associate, bind) == (COMMAND_NOT_SUPPORTED, COMMAND_NOT_SUPPORTED)
    assert accepted == []


def test_connections_beyond_the_cap_are_closed_and_idle_tunnels_end():
    async def test(proxy, proxy_port, ports, refusals):
        code, reader, _ = await socks(proxy_port, ALLOWED, ports[ALLOWED])
        extra_reader, _ = await asyncio.open_connection("127.0.0.1", proxy_port)
        over_cap = await extra_reader.read(1)  # closed without a handshake
        idle_end = await reader.read(1)  # nothing moves: the proxy ends the tunnel
        return code, over_cap, idle_end

    (code, over_cap, idle_end), _ = run_with_proxy(test, timeout=2, max_connections=1)
    assert (code, over_cap, idle_end) == (SUCCEEDED, b"", b"")
