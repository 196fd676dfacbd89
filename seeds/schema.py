"""The seed-list schema: what the crawler is given for each seed."""

from __future__ import annotations

from dataclasses import dataclass, field

COLLECTIONS = ("govinfo", "webarchive")
SCOPE_MODES = ("host", "domain", "prefix")
ROBOTS = ("obey", "ignore")
# how a seed is crawled again: everything in full, conditional requests for the pages
# already captured, or only the pages not yet captured (listing pages are always fetched)
RECRAWL = ("all", "changed", "new")

# Upper bounds of the limits: beyond them a value is a typing slip, not a crawl plan.
MAX_COUNT = 10**9  # depth and pages
MAX_BYTES = 2**50  # 1 PiB
MAX_DURATION = 366 * 86400  # seconds


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
    schedule: str | None = None  # 5-field cron expression, validated, stored only
    behaviors: dict = field(default_factory=dict)  # browser behaviours
    extract: dict = field(default_factory=dict)  # {field: "css:..." | "xpath:..."}
    recrawl: str = "all"  # one of RECRAWL
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
