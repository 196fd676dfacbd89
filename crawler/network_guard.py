"""Refuse targets on private, link-local or metadata addresses unless explicitly allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from diancang.crawler.request_meta import ROBOTS_TXT

log = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(IgnoreRequest):
    """A target that resolves to an address the crawler must not reach."""


def refusal(address: Address, allowed: tuple) -> str | None:
    """Why ``address`` may not be crawled, or None when it may."""
    if any(address in network for network in allowed):
        return None
    if address.is_link_local:
        return "link-local (cloud metadata services live here)"
    if address.is_loopback:
        return "loopback"
    if address.is_private or address.is_reserved or address.is_multicast:
        return "private or reserved"
    if not address.is_global:
        return "not globally routable"
    return None


class AddressPolicy:
    """Decides, per host and once, whether the crawler may connect to it.

    A name is resolved once and its addresses are kept: the browser's proxy connects to
    exactly the addresses that were checked. A name that does not resolve is refused (the
    guard never lets a connection decide for itself) and asked again next time, since a
    resolver failure may be passing.
    """

    def __init__(self, allowed: tuple):
        self.allowed = allowed
        self._checked: dict[str, tuple[Address, ...]] = {}
        self._refused: dict[str, str] = {}

    async def refusal(self, host: str) -> str | None:
        """Why the crawler may not connect to ``host``, or None when it may."""
        try:
            await self.addresses(host)
        except RefusedAddress as exc:
            return str(exc)
        return None

    async def addresses(self, host: str) -> tuple[Address, ...]:
        """The addresses of ``host``, all allowed; RefusedAddress says why not."""
        if host in self._checked:
            return self._checked[host]
        if host in self._refused:
            raise RefusedAddress(self._refused[host])
        try:
            addresses = (ipaddress.ip_address(host),)
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, None, type=socket.SOCK_STREAM
                )
            except OSError as exc:
                raise RefusedAddress(f"{host} does not resolve ({exc})") from exc
            addresses = tuple(
                dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
            )
        for address in addresses:
            why = refusal(address, self.allowed)
            if why:
                self._refused[host] = (
                    f"{host} resolves to {address}, a {why} address; "
                    "allow its network with DIANCANG_ALLOW_NETWORKS to crawl it"
                )
                raise RefusedAddress(self._refused[host])
        self._checked[host] = addresses
        return addresses


class NetworkGuardMiddleware:
    """Checks every target before download and every peer address after it.

    The check after download catches DNS answers that changed between the two (rebinding).
    """

    def __init__(self, policy: AddressPolicy, stats, refusals: list[str]):
        self.policy = policy
        self.stats = stats
        self.refusals = refusals

    @classmethod
    def from_crawler(cls, crawler):
        from diancang.crawler.context import crawl_context  # which imports this module

        context = crawl_context(crawler)
        return cls(context.policy, crawler.stats, context.refusals)

    def _refuse(self, request: Request, message: str) -> RefusedAddress:
        self.stats.inc_value("refused/address")
        # a robots.txt request is refused for the same host as the request it is made for
        if not request.meta.get(ROBOTS_TXT):
            self.refusals.append(message)
        return RefusedAddress(message)

    async def process_request(self, request: Request) -> None:
        reason = await self.policy.refusal(urlsplit(request.url).hostname or "")
        if reason:
            message = f"refused {request.url}: {reason}"
            log.error(message)
            raise self._refuse(request, message)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.ip_address is not None and refusal(response.ip_address, self.policy.allowed):
            raise self._refuse(
                request,
                f"refused {request.url}: connected to {response.ip_address}, "
                "which is not an allowed address",
            )
        return response
