"""The two keys of a registered seed: the URL as compared, and the crawl's seed key."""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from diancang.seeds.urls import DEFAULT_PORTS


def compared_url(url: str) -> str:
    """``url`` as the registry compares it for duplicates: w3lib's canonical form (scheme and
    host in lower case, query arguments sorted, no fragment), without the scheme's default
    port, and the path without a trailing slash (``http://a.cn`` = ``http://A.cn:80/``)."""
    parts = urlsplit(canonicalize_url(url.strip()))
    netloc = parts.netloc
    if parts.port is not None and parts.port == DEFAULT_PORTS.get(parts.scheme):
        netloc = netloc[: netloc.rfind(":")]
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


@functools.lru_cache(maxsize=4096)  # an import asks for each row's key more than once
def url_key(url: str) -> str:
    """The SHA-1 hex digest of ``compared_url(url)`` (``RegisteredSeed.url_key``)."""
    return hashlib.sha1(compared_url(url).encode("utf-8")).hexdigest()
