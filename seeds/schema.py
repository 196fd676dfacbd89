"""The seed-list schema: what the crawler is given for each seed."""

from __future__ import annotations

from dataclasses import dataclass, field

from w3lib.url import add_or_replace_parameter

COLLECTIONS = ("govinfo", "webarchive")
COLLECTION_NAMES = {"govinfo": "政府公开信息", "webarchive": "网事典藏"}  # as librarians say them
SCOPE_MODES = ("host", "domain", "prefix")
ROBOTS = ("obey", "ignore")
# how a seed is crawled again: everything in full, conditional requests for the pages
# already captured, or only the pages not yet captured (listing pages are always fetched)
RECRAWL = ("all", "changed", "new")
# Schedule words and the cron expression each stands for: crawls at 02:00 local time, when
# government sites are quiet. "once" is one crawl, queued as soon as the seed is registered.
ONCE = "once"
SCHEDULE_WORDS = {ONCE: None, "daily": "0 2 * * *", "weekly": "0 2 * * 1", "monthly": "0 2 1 * *"}
DEFAULT_TIMEZONE = "Asia/Shanghai"

# Upper bounds of the limits: beyond them a value is a typing slip, not a crawl plan.
MAX_COUNT = 10**9  # depth and pages
MAX_BYTES = 2**50  # 1 PiB
MAX_DURATION = 366 * 86400  # seconds
# Pages of one declared listing: a directory of 24,000 documents a year at 20 a page needs
# 1,200; a JSON listing without a last page stops here at the latest.
MAX_LISTING_PAGES = 10_000
PAGE_PLACEHOLDER = "{page}"  # where a listing URL template takes the page number


@dataclass(frozen=True)
class Scope:
    mode: str = "host"  # "host" | "domain" (registered domain via tldextract) | "prefix"
    include: tuple[str, ...] = ()  # regexes; when non-empty a URL must match one
    exclude: tuple[str, ...] = ()  # regexes; a matching URL is out of scope
    # extra hosts ("host" or "host:port") whose page requisites/attachments may be fetched
    requisite_hosts: tuple[str, ...] = ()
    # mode "prefix" only: the URL prefix; empty means the seed URL's directory
    prefix: str = ""


@dataclass(frozen=True)
class Limits:
    depth: int = 10  # link hops from the seed
    pages: int | None = None  # max responses
    bytes: int | None = None  # max payload bytes
    duration: float | None = None  # seconds


@dataclass(frozen=True)
class Listing:
    """A listing the seed declares: pages from ``first`` to ``last`` (or, for a JSON
    listing without ``last``, up to the first page that lists no new item)."""

    url: str  # holds PAGE_PLACEHOLDER once, or (with page_param) none
    first: int
    last: int | None  # required unless items is set
    items: str = ""  # a JSON listing: the path to the item URLs, e.g. "data.list[].url"
    page_param: str = ""  # the query parameter set to the page number

    @property
    def kind(self) -> str:
        return "json" if self.items else "template"

    @property
    def final_page(self) -> int:
        """The last page requested: ``last``, or the bound of a listing without one."""
        return self.last if self.last is not None else self.first + MAX_LISTING_PAGES - 1

    def page_url(self, page: int) -> str:
        if self.page_param:
            return add_or_replace_parameter(self.url, self.page_param, str(page))
        return self.url.replace(PAGE_PLACEHOLDER, str(page))


@dataclass(frozen=True)
class Seed:
    id: str
    url: str
    title: str
    jurisdiction: str  # six-digit GB/T 2260 code
    collection: str  # "govinfo" | "webarchive"
    scope: Scope
    limits: Limits
    robots: str = "obey"  # "obey" | "ignore"
    browser: bool = False
    schedule: str | None = None  # a word of SCHEDULE_WORDS or a 5-field cron expression
    timezone: str = DEFAULT_TIMEZONE  # IANA name the schedule is read in
    behaviors: dict = field(default_factory=dict)  # browser behaviours
    extract: dict = field(default_factory=dict)  # {field: "css:..." | "xpath:..."}
    recrawl: str = "all"  # one of RECRAWL
    listing: Listing | None = None  # a declared listing (crawler/declared_listings.py)
    source: str = ""  # "FILE:LINE" where the seed was defined


@dataclass(frozen=True)
class SeedError:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        name = f" {self.field}:" if self.field else ""
        return f"{where}:{name} {self.message}"


@dataclass
class SeedList:
    path: str
    seeds: list[Seed] = field(default_factory=list)
    errors: list[SeedError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
