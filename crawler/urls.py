"""URL hygiene for the frontier: session ids removed, fragments dropped, traps bounded."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import safe_url_string, url_query_cleaner

# Query parameters and path parameters that carry a session and change on every visit.
SESSION_PARAMS = frozenset(
    {
        "jsessionid",
        "phpsessid",
        "sid",
        "sessionid",
        "session_id",
        "sessid",
        "aspsessionid",
        "cfid",
        "cftoken",
        "_session",
    }
)
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.IGNORECASE)
_ASP_COOKIELESS = re.compile(r"/\(S\([a-z0-9]+\)\)", re.IGNORECASE)
# URLs whose cleaned form is kept: a site's navigation links recur on every page
CLEANED_CACHED = 4096


@lru_cache(maxsize=CLEANED_CACHED)
def clean_url(url: str) -> str | None:
    """An absolute http(s) URL without fragment and session ids, or None if unusable."""
    try:
        parts = urlsplit(safe_url_string(url.strip()))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        parts.port  # noqa: B018 - raises ValueError when the port is out of range
    except ValueError:  # bad brackets, an invalid IPv6 or IDNA host
        return None
    path = _ASP_COOKIELESS.sub("", _PATH_SESSION.sub("", parts.path)) or "/"
    cleaned = urlunsplit((parts.scheme, parts.netloc.lower(), path, parts.query, ""))
    names = {pair.partition("=")[0] for pair in parts.query.split("&")} if parts.query else ()
    sessions = [name for name in names if name.lower() in SESSION_PARAMS]
    if sessions:  # the other parameters are kept as linked, not decoded and re-encoded
        cleaned = url_query_cleaner(cleaned, sessions, remove=True, unique=False)
    return cleaned


class TrapGuard:
    """Refuses URLs that look like crawler traps.

    Calendars and faceted searches generate endless query strings on one path; broken
    relative links generate endlessly repeated path segments. Both are bounded here, per
    host and path, the way Heritrix's TooManyPathSegments and query budgets do.
    """

    def __init__(self, query_variants_per_path: int, max_url_length: int, max_repeats: int = 3):
        self.query_variants_per_path = query_variants_per_path
        self.max_url_length = max_url_length
        self.max_repeats = max_repeats
        # distinct URLs per host and path: a URL followed for two collections counts once
        self._variants: dict[str, set[str]] = {}

    def reason_to_refuse(self, url: str, count_query: bool = True) -> str | None:
        """The trap ``url`` looks like, or None; ``count_query=False`` leaves the query
        variants uncounted (a listing's pages have a budget of their own)."""
        if len(url) > self.max_url_length:
            return "url-too-long"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(Counter(segments).values()) > self.max_repeats:
            return "repeated-path-segments"
        if parts.query and count_query and not self.new_variant(f"{parts.netloc}{parts.path}", url):
            return "query-variants"
        return None

    def new_variant(self, path_key: str, url: str) -> bool:
        """Count ``url`` as a query variant of its path; False when the path has its limit."""
        variants = self._variants.setdefault(path_key, set())
        if url not in variants:
            if len(variants) >= self.query_variants_per_path:
                return False
            variants.add(url)
        return True
