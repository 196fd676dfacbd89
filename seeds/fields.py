"""Parsers for single seed fields. Each returns the clean value or raises ValueError(message).

Values come either as text (CSV cells) or already typed (YAML scalars, lists, mappings).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from diancang import jurisdictions
from diancang.seeds import json_path as json_paths
from diancang.seeds.patterns import compile_pattern
from diancang.seeds.schema import (
    DEFAULT_TIMEZONE,
    MAX_BYTES,
    MAX_COUNT,
    MAX_DURATION,
    MAX_LISTING_PAGES,
    PAGE_PLACEHOLDER,
    SCHEDULE_WORDS,
    Listing,
)
from diancang.seeds.shown import clip, shown
from diancang.seeds.urls import DEFAULT_PORTS, is_ip, parse_host_port, site_of

_HOST_CHARS = re.compile(r"^[a-z0-9._-]+$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_INTEGER = re.compile(r"[+-]?\d+")
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$", re.IGNORECASE)
_BYTE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_BYTE_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
MAX_TEXT = 4096  # characters of one field's value: far above any URL, title or pattern
_NUMBER_DIGITS = 30  # longer numbers are beyond every maximum; int() of them is not free
_ALLOWED_CONTROLS = "\t\n\r"
_PARAM = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,100}$")


def text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ValueError("expected a single value")
    s = "" if value is None else str(value).strip()
    if len(s) > MAX_TEXT:
        raise ValueError(f"{shown(s)} is {len(s)} characters long (at most {MAX_TEXT})")
    for c in s:
        if unicodedata.category(c) in ("Cc", "Cs") and c not in _ALLOWED_CONTROLS:
            raise ValueError(f"{shown(s)} contains the control character U+{ord(c):04X}")
    return s


def url(value: Any) -> str:
    u = text(value)
    if not u:
        raise ValueError("required")
    scheme = u.split(":", 1)[0].lower()
    if scheme not in DEFAULT_PORTS or "://" not in u:
        raise ValueError(f"{shown(u)} is not an absolute http(s) URL")
    if any(c.isspace() for c in u):
        raise ValueError(f"{shown(u)} contains whitespace")
    site = site_of(u)
    if site is None or not (is_ip(site.host) or _HOST_CHARS.match(site.host)):
        raise ValueError(f"{shown(u)} has no valid host")
    return u


def seed_id(value: Any) -> str:
    s = text(value)
    if not _ID.match(s):
        raise ValueError(
            f"{shown(s)} is not a valid id (letters, digits, '.', '_', '-'; at most 100 characters)"
        )
    return s


def jurisdiction(value: Any) -> str:
    code = text(value)
    if not code:
        raise ValueError("required")
    if not re.fullmatch(r"\d{6}", code):
        raise ValueError(f"{shown(code)} is not a six-digit GB/T 2260 code")
    if not jurisdictions.is_valid(code):
        raise ValueError(f"{code} is not a known GB/T 2260 code")
    return code


def choice(value: Any, allowed: tuple[str, ...], default: str | None = None) -> str:
    s = text(value).lower()
    if not s and default is not None:
        return default
    if not s:
        raise ValueError(f"required (one of {', '.join(allowed)})")
    if s not in allowed:
        raise ValueError(f"{shown(s)} is not one of {', '.join(allowed)}")
    return s


def boolean(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    s = text(value).lower()
    if not s:
        return default
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"{shown(s)} is not a boolean (true/false, yes/no, 1/0)")


def count(value: Any, minimum: int = 1) -> int | None:
    """An integer from minimum to MAX_COUNT; None when empty."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    s = text(value)
    if not s:
        return None
    if not _INTEGER.fullmatch(s):
        raise ValueError(f"{shown(s)} is not an integer")
    if len(s) > _NUMBER_DIGITS or int(s) > MAX_COUNT:
        raise ValueError(f"{shown(s)} is too large (at most {MAX_COUNT})")
    n = int(s)
    if n < minimum:
        raise ValueError(f"{n} must be {'positive' if minimum == 1 else f'{minimum} or more'}")
    return n


def size(value: Any) -> int | None:
    """Bytes: 1048576, "500MB" (SI, 1000-based) or "512MiB" (1024-based); None when empty."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a size")
    s = text(value)
    if not s:
        return None
    m = _BYTES.match(s)
    if not m:
        raise ValueError(f"{shown(s)} is not a size (e.g. 1048576, 500MB, 2GiB)")
    if len(m.group(1)) > _NUMBER_DIGITS:
        n = MAX_BYTES + 1
    else:  # Decimal: exact, where float would turn 400 digits into infinity
        n = int(Decimal(m.group(1)) * _BYTE_UNITS[(m.group(2) or "b").lower()])
    if n <= 0:
        raise ValueError(f"{shown(s)} must be positive")
    if n > MAX_BYTES:
        raise ValueError(f"{shown(s)} is too large (at most 1PiB)")
    return n


def duration(value: Any) -> float | None:
    """Seconds: 90, "90s", "30m", "2h", "1d", "1h30m"; None when empty."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    s = text(value)
    if not s:
        return None
    try:
        seconds = float(s)
    except ValueError:
        compact = s.replace(" ", "")
        parts = _DURATION_PART.findall(compact)
        if not parts or "".join(n + u for n, u in parts) != compact:
            raise ValueError(f"{shown(s)} is not a duration (e.g. 90s, 30m, 2h, 1h30m)") from None
        seconds = sum(float(n) * _SECONDS[u.lower()] for n, u in parts)
    if math.isnan(seconds):  # float() reads "nan", "inf" and "1e999" too
        raise ValueError(f"{shown(s)} is not a duration (e.g. 90s, 30m, 2h, 1h30m)")
    if seconds <= 0:
        raise ValueError(f"{shown(s)} must be positive")
    if seconds > MAX_DURATION:
        raise ValueError(f"{shown(s)} is too long (at most 366d)")
    return seconds


def schedule(value: Any) -> str | None:
    """A schedule word of ``SCHEDULE_WORDS`` (lower case), or a 5-field cron expression."""
    s = " ".join(text(value).split())
    if not s:
        return None
    if s.lower() in SCHEDULE_WORDS:
        return s.lower()
    words = ", ".join(SCHEDULE_WORDS)
    if len(s.split()) != 5:
        raise ValueError(
            f"{shown(s)} is neither one of {words} nor a 5-field cron expression "
            "(minute hour day month weekday)"
        )
    if not croniter.is_valid(s):
        raise ValueError(f"{shown(s)} is not a valid cron expression")
    return s


def timezone(value: Any) -> str:
    """An IANA time-zone name; empty: ``DEFAULT_TIMEZONE``."""
    s = text(value)
    if not s:
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(s)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"{shown(s)} is not an IANA time zone such as Asia/Shanghai") from None
    return s


def split_list(value: Any) -> tuple[str, ...]:
    """A YAML list, or text separated by '|' or whitespace."""
    if isinstance(value, list):
        return tuple(text(v) for v in value if text(v))
    return tuple(p for p in re.split(r"[|\s]+", text(value)) if p)


def split_regexes(value: Any) -> tuple[str, ...]:
    """Like split_list, but a '|' splits only outside groups, classes and escapes.

    Splitting a top-level alternation changes nothing since any one pattern may match,
    while "(a|b)c" must stay whole.
    """
    if isinstance(value, list):
        return tuple(text(v) for v in value if text(v))
    out: list[str] = []
    for word in text(value).split():
        depth, in_class, escaped, start = 0, False, False, 0
        for i, c in enumerate(word):
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif in_class:
                in_class = c != "]"
            elif c == "[":
                in_class = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "|" and depth == 0:
                out.append(word[start:i])
                start = i + 1
        out.append(word[start:])
    return tuple(p for p in out if p)


def regexes(value: Any) -> tuple[str, ...]:
    patterns = split_regexes(value)
    for p in patterns:
        compile_pattern(p)
    return patterns


def host_list(value: Any) -> tuple[str, ...]:
    hosts = split_list(value)
    for h in hosts:
        parse_host_port(h)
    return tuple(h.lower() for h in hosts)


def mapping(value: Any) -> dict:
    """A YAML mapping, or JSON object text."""
    if isinstance(value, dict):
        return value
    s = text(value)
    if not s:
        return {}
    try:
        obj = json.loads(s)
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None
    except ValueError as e:  # JSONDecodeError, and numbers beyond Python's digit limit
        raise ValueError(f"not valid JSON: {clip(str(e))}") from None
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    return obj


class ListingError(ValueError):
    """A declared listing that is wrong as a whole; ``part`` names the part to correct."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def listing_url(value: Any) -> str:
    """A listing URL: absolute http(s), with PAGE_PLACEHOLDER at most once, after the host."""
    u = text(value)
    if not u:
        raise ValueError("required")
    if u.count(PAGE_PLACEHOLDER) > 1:
        raise ValueError(f"{shown(u)} holds {PAGE_PLACEHOLDER} more than once")
    if PAGE_PLACEHOLDER in u.partition("://")[2].split("/", 1)[0]:
        raise ValueError(f"{shown(u)} holds {PAGE_PLACEHOLDER} in its host")
    url(u.replace(PAGE_PLACEHOLDER, "1"))
    return u


def page_number(value: Any) -> int | None:
    """A listing page number: an integer from 0; None when empty."""
    return count(value, minimum=0)


def query_param(value: Any) -> str:
    s = text(value)
    if s and not _PARAM.match(s):
        raise ValueError(
            f"{shown(s)} is not a query parameter name (letters, digits, '_', '-', '.', '[]')"
        )
    return s


def json_path(value: Any) -> str:
    """A path to the item URLs in JSON (seeds/json_path.py), e.g. ``data.list[].url``."""
    s = text(value)
    if s:
        try:
            json_paths.parse(s)
        except ValueError as e:
            raise ValueError(f"{shown(s)}: {e}") from None
    return s


def listing(
    url: str | None, first: int | None, last: int | None, items: str, page_param: str
) -> Listing | None:
    """The declared listing of these parts (each already parsed above), or None when none is
    given; ListingError names the part that makes them wrong together."""
    if not url:
        parts = {"first": first, "last": last, "items": items, "page_param": page_param}
        given = [part for part, v in parts.items() if v not in (None, "")]
        if given:
            raise ListingError("url", f"required: a listing with {given[0]} needs its URL")
        return None
    if PAGE_PLACEHOLDER in url and page_param:
        raise ListingError(
            "page_param", f"the URL already holds {PAGE_PLACEHOLDER}: give one of the two"
        )
    if PAGE_PLACEHOLDER not in url and not page_param:
        raise ListingError(
            "url",
            f"{shown(url)} holds no {PAGE_PLACEHOLDER}: put it where the page number goes "
            "(or, for a query parameter, give page_param)",
        )
    first = 1 if first is None else first
    if last is None and not items:
        raise ListingError("last", "required: the last page of the listing (or items, for JSON)")
    if last is not None and last < first:
        raise ListingError("last", f"{last} is before the first page {first}")
    if last is not None and last - first + 1 > MAX_LISTING_PAGES:
        raise ListingError(
            "last", f"{last - first + 1} pages from {first} to {last} (at most {MAX_LISTING_PAGES})"
        )
    return Listing(url=url, first=first, last=last, items=items, page_param=page_param)
