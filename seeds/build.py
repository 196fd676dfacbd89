"""Turn a RawSeed into a validated Seed, collecting one error per bad field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from diancang.seeds import fields, options
from diancang.seeds.raw import LISTING_PARTS, RawSeed
from diancang.seeds.schema import (
    COLLECTIONS,
    RECRAWL,
    ROBOTS,
    SCOPE_MODES,
    Limits,
    Listing,
    Scope,
    SeedError,
)


class _Row:
    def __init__(self, path: str, raw: RawSeed) -> None:
        self.path, self.raw = path, raw
        self.errors: list[SeedError] = []

    def get(self, name: str, parse: Callable[[Any], Any]) -> Any:
        if name in self.raw.unreadable:
            return None
        try:
            return parse(self.raw.values.get(name))
        except ValueError as e:
            self.fail(name, str(e))
            return None

    def fail(self, name: str, message: str) -> None:
        raw = self.raw
        self.errors.append(SeedError(self.path, raw.line_of(name), raw.label(name), message))


def build_seed(path: str, raw: RawSeed) -> tuple[dict[str, Any] | None, list[SeedError]]:
    """The Seed's keyword arguments (id None when not given), or None and the errors."""
    row = _Row(path, raw)
    seed_id = row.get("id", lambda v: fields.seed_id(v) if fields.text(v) else None)
    url = row.get("url", fields.url)
    title = row.get("title", _required_text)
    jurisdiction = row.get("jurisdiction", fields.jurisdiction)
    collection = row.get("collection", lambda v: fields.choice(v, COLLECTIONS))
    scope = Scope(
        mode=row.get("scope", lambda v: fields.choice(v, SCOPE_MODES, "host")),
        include=row.get("include", fields.regexes),
        exclude=row.get("exclude", fields.regexes),
        requisite_hosts=row.get("requisite_hosts", fields.host_list),
        prefix=row.get("prefix", lambda v: fields.url(v) if fields.text(v) else ""),
    )
    if scope.prefix and scope.mode != "prefix":
        row.fail("prefix", "a prefix needs scope mode prefix")
    depth = row.get("depth", lambda v: fields.count(v, minimum=0))
    limits = Limits(
        depth=10 if depth is None else depth,
        pages=row.get("pages", fields.count),
        bytes=row.get("bytes", fields.size),
        duration=row.get("duration", fields.duration),
    )
    robots = row.get("robots", lambda v: fields.choice(v, ROBOTS, "obey"))
    browser = row.get("browser", fields.boolean)
    schedule = row.get("schedule", fields.schedule)
    timezone = row.get("timezone", fields.timezone)
    behaviors = row.get("behaviors", lambda v: options.behaviors(fields.mapping(v)))
    extract = row.get("extract", lambda v: options.extract(fields.mapping(v)))
    recrawl = row.get("recrawl", lambda v: fields.choice(v, RECRAWL, "all"))
    if behaviors and browser is False:
        row.fail("behaviors", "behaviours run only in the browser: set browser to true")
    listing = _listing(row)
    if row.errors or raw.bad:
        return None, row.errors
    return (
        dict(
            id=seed_id,
            url=url,
            title=title,
            jurisdiction=jurisdiction,
            collection=collection,
            scope=scope,
            limits=limits,
            robots=robots,
            browser=browser,
            schedule=schedule,
            timezone=timezone,
            behaviors=behaviors,
            extract=extract,
            recrawl=recrawl,
            listing=listing,
            source=f"{path}:{raw.line}",
        ),
        [],
    )


_LISTING_PARSERS = {
    "url": lambda v: fields.listing_url(v) if fields.text(v) else None,
    "first": fields.page_number,
    "last": fields.page_number,
    "items": fields.json_path,
    "page_param": fields.query_param,
}


def _listing(row: _Row) -> Listing | None:
    before = len(row.errors)
    parts = {part: row.get(f"listing_{part}", _LISTING_PARSERS[part]) for part in LISTING_PARTS}
    if len(row.errors) > before or any(f"listing_{p}" in row.raw.unreadable for p in parts):
        return None  # each bad part has its error; together they would only repeat it
    try:
        return fields.listing(**parts)
    except fields.ListingError as e:
        row.fail(f"listing_{e.part}", str(e))
        return None


def _required_text(value: Any) -> str:
    s = fields.text(value)
    if not s:
        raise ValueError("required")
    return s
