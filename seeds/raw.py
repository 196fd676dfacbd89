"""A seed as read from a file, before validation: field values with their lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REQUIRED = ("url", "title", "jurisdiction", "collection")
SCOPE_FIELDS = ("include", "exclude", "requisite_hosts", "prefix")
LIMIT_FIELDS = ("depth", "pages", "bytes", "duration")
# the parts of a declared listing: nested under "listing:" in YAML, "listing_"-prefixed
# columns in CSV (and so in the flat names)
LISTING_PARTS = ("url", "first", "last", "items", "page_param")
LISTING_FIELDS = tuple(f"listing_{part}" for part in LISTING_PARTS)
# The flat field names, which are also the CSV columns; "scope" holds the scope mode.
FIELDS = (
    "id",
    *REQUIRED,
    "scope",
    *SCOPE_FIELDS,
    *LIMIT_FIELDS,
    "robots",
    "browser",
    "schedule",
    "timezone",
    "behaviors",
    "extract",
    "recrawl",
    *LISTING_FIELDS,
)


@dataclass
class RawSeed:
    line: int  # where the seed starts
    values: dict[str, Any] = field(default_factory=dict)  # flat field name -> value as read
    lines: dict[str, int] = field(default_factory=dict)  # flat field name -> line of its value
    labels: dict[str, str] = field(default_factory=dict)  # flat name -> name shown in errors
    bad: bool = False  # the reader already found it malformed
    unreadable: set[str] = field(default_factory=set)  # fields whose error the reader gave

    def set(self, name: str, value: Any, line: int, label: str | None = None) -> None:
        self.values[name] = value
        self.lines[name] = line
        if label:
            self.labels[name] = label

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)
