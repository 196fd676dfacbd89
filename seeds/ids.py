"""Readable, stable seed ids derived from the seed URL."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from diancang.seeds.urls import site_of

_INDEX_PAGE = re.compile(r"^(index|default|home)\.\w+$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
MAX_LENGTH = 80


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text.lower()).strip("-.")


def derive_id(url: str) -> str:
    """www.cq.gov.cn, 127.0.0.1-8080, www.cq.gov.cn-zwgk for https://www.cq.gov.cn/zwgk/index.html."""
    site = site_of(url)
    if site is None:
        raise ValueError(f"{url!r} is not an absolute http(s) URL")
    host = f"ipv6-{site.host.replace(':', '-')}" if ":" in site.host else site.host
    parts = [_slug(host)]
    if site.port is not None:
        parts.append(str(site.port))
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    if segments and _INDEX_PAGE.match(segments[-1]):
        segments.pop()
    parts += [s for s in map(_slug, segments) if s]
    return "-".join(p for p in parts if p)[:MAX_LENGTH].rstrip("-.") or "seed"


def unique_ids(bases: Iterable[str], taken: set[str]) -> list[str]:
    """Make each base unique against `taken` and the others by a -2, -3 ... suffix."""
    out = []
    taken = set(taken)
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        out.append(candidate)
    return out
