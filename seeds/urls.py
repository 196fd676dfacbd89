"""URL and host parsing shared by validation, seed ids and scope checks."""

from __future__ import annotations

import functools
import ipaddress
from typing import NamedTuple
from urllib.parse import urlsplit

import tldextract

from diancang.seeds.shown import shown

DEFAULT_PORTS = {"http": 80, "https": 443}


class Site(NamedTuple):
    host: str  # lower case, IDN as punycode, no trailing dot, IPv6 without brackets
    port: int | None  # None for the scheme's default port


def normalize_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host.isascii():
        host = host.encode("idna").decode("ascii")  # raises UnicodeError on a bad label
    return host


@functools.lru_cache(maxsize=8192)
def site_of(url: str) -> Site | None:
    """Host and port of an absolute http(s) URL, or None when it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
        if parts.scheme.lower() not in DEFAULT_PORTS or not host:
            return None
        host = normalize_host(host)
    except (ValueError, UnicodeError):
        return None
    if port == DEFAULT_PORTS[parts.scheme.lower()]:
        port = None
    return Site(host, port)


@functools.lru_cache(maxsize=1024)
def parse_host_port(text: str) -> Site:
    """Parse "host" or "host:port" ("[v6]:port" for IPv6); port None when not given."""
    text = text.strip()
    if not text or any(c in text for c in "/@?#"):
        raise ValueError(f"{shown(text)} is not a host or host:port")
    try:
        parts = urlsplit(f"//{text}")
        port = parts.port
        host = normalize_host(parts.hostname or "")
    except (ValueError, UnicodeError):
        raise ValueError(f"{shown(text)} is not a host or host:port") from None
    if not host:
        raise ValueError(f"{shown(text)} is not a host or host:port")
    return Site(host, port)


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # the bundled Public Suffix List snapshot: never fetch it, never write a cache
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.cache
def registered_domain(host: str) -> str:
    """The registrable domain (cq.gov.cn for www.cq.gov.cn); "" for IPs and bare names."""
    if is_ip(host):
        return ""
    parts = _extractor()(host)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else ""
