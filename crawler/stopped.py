"""The limits and traps that stopped anything: counted in the crawl's stats, with examples.

A limit or trap is named as in the crawl report's ``stopped_by`` (``depth``, ``pages``,
``listing-pages``, ``bytes``, ``duration``, ``trap:<name>``). Its count lives in Scrapy's
stats under the key the report has always read (``links/beyond_depth``, ``limits/pages``,
``links/trap/<name>`` …), so the progress line sees it as it happens; a few example URLs
per name are kept here, bounded.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

DEPTH = "depth"
PAGES = "pages"
LISTING_PAGES = "listing-pages"
BYTES = "bytes"
DURATION = "duration"
LIMITS = (DEPTH, PAGES, LISTING_PAGES, BYTES, DURATION)  # in the order they are reported
TRAP_PREFIX = "trap:"
REPEATED_CONTENT = "repeated-content"  # the trap of a listing page repeating another
OUT_OF_SCOPE = "out-of-scope"  # a refusal reason, not a limit: the seed's scope says so
# a refusal reason of recrawl mode `new`: the collection already holds the page
ALREADY_CAPTURED = "already-captured"
MAX_EXAMPLES = 5
# URLs remembered as counted (one integer each); past this many a URL that several pages
# link is counted once per link, so memory stays bounded however large the crawl
MAX_COUNTED = 1 << 20


class LimitReached(IgnoreRequest):
    """A request dropped because its seed is out of bytes or time: a limit, not a failure."""


def trap(name: str) -> str:
    return f"{TRAP_PREFIX}{name}"


def stats_key(name: str) -> str:
    if name == DEPTH:
        return "links/beyond_depth"
    if name.startswith(TRAP_PREFIX):
        return f"links/trap/{name.removeprefix(TRAP_PREFIX)}"
    return f"limits/{name}"


def reason(name: str) -> str:
    """The token of a ``not-followed`` metadata line: limit:pages, depth, trap:… ."""
    return name if name == DEPTH or name.startswith(TRAP_PREFIX) else f"limit:{name}"


def counts(stats: dict) -> dict[str, int]:
    """Every limit and trap that stopped anything, with the URLs it left, from the stats."""
    found = {name: stats.get(stats_key(name), 0) for name in LIMITS}
    traps = sorted(k.removeprefix("links/trap/") for k in stats if k.startswith("links/trap/"))
    found.update({trap(name): stats[f"links/trap/{name}"] for name in traps})
    return {name: count for name, count in found.items() if count}


class StopExamples:
    """Up to MAX_EXAMPLES URLs per limit or trap; the counts go to the crawl's stats.

    A URL is counted once per limit however many pages link it (the crumb's 首页 of every
    page of a listing is one URL left); the URLs counted are kept as hashes, one integer
    each, up to MAX_COUNTED.
    """

    def __init__(self) -> None:
        self.examples: dict[str, list[str]] = {}
        self._counted: set[int] = set()

    def add(self, stats, name: str, url: str, count: int = 1) -> str:
        """Count the URL stopped by ``name`` -- or ``count`` URLs of which ``url`` is one and
        the others unnamed (pages of a range) --; return the not-followed reason."""
        if count == 1:
            key = hash((name, url))
            if key in self._counted:
                return reason(name)
            if len(self._counted) < MAX_COUNTED:
                self._counted.add(key)
        stats.inc_value(stats_key(name), count)
        examples = self.examples.setdefault(name, [])
        if len(examples) < MAX_EXAMPLES and url not in examples:
            examples.append(url)
        return reason(name)


def stopped_by(stats: dict, examples: dict[str, list[str]]) -> list[dict]:
    """The report's ``stopped_by``: one entry per limit or trap that stopped anything."""
    return [
        {"name": name, "not_followed": count, "examples": examples.get(name, [])}
        for name, count in counts(stats).items()
    ]
