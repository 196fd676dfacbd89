"""Recrawl modes (the seed field ``recrawl``): which requests they apply to, what they count.

``all`` fetches everything in full. ``changed`` asks the server whether a page the
collection already holds has changed (crawler/conditional.py). ``new`` fetches only pages
the collection does not hold (crawler/policy.py). Neither touches listing pages, which are
always fetched in full, nor robots.txt.
"""

from __future__ import annotations

from scrapy import Request

from diancang.crawler.request_meta import LISTING, ROBOTS_TXT
from diancang.warc_names import EMBED

ALL, CHANGED, NEW = "all", "changed", "new"

# What a recrawl found per page (requisites aside), in the crawl report's ``recrawl``:
# a URL the collection had no 200 capture of; one fetched in full whose payload differs
# from the stored one; one the server said is not modified, whose payload is the stored
# one, or that mode ``new`` did not fetch.
OUTCOME_NEW, OUTCOME_CHANGED, OUTCOME_UNCHANGED = "new", "changed", "unchanged"
OUTCOMES = (OUTCOME_NEW, OUTCOME_CHANGED, OUTCOME_UNCHANGED)
STATS_PREFIX = "recrawl/"


def mode_applies(request: Request) -> bool:
    """Whether a seed's recrawl mode decides how ``request`` is fetched."""
    return LISTING not in request.meta and not request.meta.get(ROBOTS_TXT)


def counted(request: Request) -> bool:
    """Whether ``request`` is a page whose outcome the report counts (not a requisite)."""
    return mode_applies(request) and not request.meta.get("hops", "").endswith(EMBED)


def count(stats, outcome: str) -> None:
    stats.inc_value(STATS_PREFIX + outcome)
