"""Scope rules: which URLs a seed's crawl may follow, and where its page requisites may come from.

Hosts are compared after normalisation (lower case, IDN as punycode, default ports dropped),
so http and https on their default ports count as the same site. Scrapy's
LinkExtractor(allow_domains=...) is not used: it does not match IP hosts with ports.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from diancang.seeds.patterns import compile_pattern
from diancang.seeds.schema import Seed
from diancang.seeds.urls import Site, parse_host_port, registered_domain, site_of


def in_scope(seed: Seed, url: str) -> bool:
    """Whether `url` is a page the crawl of `seed` may follow."""
    target = site_of(url)
    origin = site_of(seed.url)
    if target is None or origin is None:
        return False
    if seed.scope.mode == "domain":
        inside = _same_domain(origin, target)
    elif seed.scope.mode == "prefix":
        inside = _key(url).startswith(_prefix_of(seed))
    else:
        inside = target == origin
    return inside and _included(seed, url) and not _excluded(seed, url)


def requisite_allowed(seed: Seed, url: str, sibling_seeds: Sequence[Seed]) -> bool:
    """Whether `url` may be fetched as a page requisite or attachment of a page of `seed`.

    Besides what is in scope: hosts listed in scope.requisite_hosts, hosts of the seed's
    registered domain, and hosts of other seeds of the same jurisdiction. Exclude patterns
    still apply; include patterns do not, since they describe pages, not images or files.
    """
    target = site_of(url)
    origin = site_of(seed.url)
    if target is None or origin is None or _excluded(seed, url):
        return False
    if in_scope(seed, url) or target == origin or _same_domain(origin, target):
        return True
    if any(_host_matches(entry, target) for entry in seed.scope.requisite_hosts):
        return True
    return any(
        site_of(other.url) == target
        for other in sibling_seeds
        if other.jurisdiction == seed.jurisdiction
    )


def _same_domain(origin: Site, target: Site) -> bool:
    domain = registered_domain(origin.host)
    if not domain:  # an IP address or a bare name matches only itself
        return origin == target
    return registered_domain(target.host) == domain


def _host_matches(entry: str, target: Site) -> bool:
    """ "host" matches any port; "host:port" that port (80 and 443 also match a default port)."""
    want = parse_host_port(entry)
    if want.host != target.host:
        return False
    if want.port is None or want.port == target.port:
        return True
    return target.port is None and want.port in (80, 443)


def _key(url: str) -> str:
    """host[:port]/path[?query] of a URL, normalised for prefix comparison."""
    site = site_of(url)
    parts = urlsplit(safe_url_string(url.strip()))  # percent-encodes non-ASCII paths
    netloc = site.host if site.port is None else f"{site.host}:{site.port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{netloc}{parts.path or '/'}{query}"


def _prefix_of(seed: Seed) -> str:
    """The prefix given, else the seed URL's directory: https://h/a/b.html -> h/a/."""
    if seed.scope.prefix:
        return _key(seed.scope.prefix)
    key = _key(seed.url).split("?", 1)[0]
    return key[: key.rfind("/") + 1]


def _included(seed: Seed, url: str) -> bool:
    patterns = seed.scope.include
    return not patterns or any(compile_pattern(p).search(url) for p in patterns)


def _excluded(seed: Seed, url: str) -> bool:
    return any(compile_pattern(p).search(url) for p in seed.scope.exclude)
