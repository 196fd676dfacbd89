"""Jurisdictions: the GB/T 2260 administrative-division codes shipped in data/gbt2260.csv."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("data") / "gbt2260.csv"

# Names the standard uses for grouping rows under a province rather than for a real city:
# the districts and counties of a municipality, and counties governed by the province.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    level: str  # "province" | "city" | "county"
    parent: str | None  # code of the enclosing division; None for a province


@functools.cache
def _table() -> dict[str, Jurisdiction]:
    text = DATA.read_text(encoding="utf-8")
    table = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["code"]
        table[code] = Jurisdiction(code, row["name"], row["level"], row["parent"] or None)
    return table


def lookup(code: str) -> Jurisdiction | None:
    return _table().get(str(code).strip())


def is_valid(code: str) -> bool:
    return lookup(code) is not None


def province_of(code: str) -> Jurisdiction | None:
    """The province-level division containing `code` (itself for a province)."""
    j = lookup(code)
    while j is not None and j.parent is not None:
        j = lookup(j.parent)
    return j


def city_of(code: str) -> Jurisdiction | None:
    """The prefecture-level division containing `code` (itself for a city; None for a province).

    For a district of a municipality this is the standard's grouping row, e.g. 500100 市辖区.
    """
    j = lookup(code)
    while j is not None and j.level == "county":
        j = lookup(j.parent) if j.parent else None
    return j if j is not None and j.level == "city" else None


def full_name(code: str) -> str | None:
    """The name with its enclosing divisions, e.g. 重庆市渝中区, skipping grouping rows."""
    j = lookup(code)
    if j is None:
        return None
    names = []
    while j is not None:
        if j.name not in PLACEHOLDER_NAMES:
            names.append(j.name)
        j = lookup(j.parent) if j.parent else None
    return "".join(reversed(names))


def contains(outer: str, inner: str) -> bool:
    """True if division ``inner`` lies within ``outer`` (a division contains itself)."""
    outer = str(outer).strip()
    j = lookup(inner)
    while j is not None:
        if j.code == outer:
            return True
        j = lookup(j.parent) if j.parent else None
    return False


@functools.lru_cache(maxsize=512)
def within(code: str) -> tuple[Jurisdiction, ...]:
    """``code`` and every division inside it, in code order (province → city → county)."""
    return tuple(j for j in _table().values() if contains(code, j.code))


def children(code: str | None) -> list[Jurisdiction]:
    """The divisions directly under ``code``; the provinces for None."""
    return [j for j in _table().values() if j.parent == code]


def search(query: str, inside: str | None = None, limit: int = 50) -> list[Jurisdiction]:
    """Divisions whose code starts with ``query`` or whose full name holds it (at most
    ``limit``, in code order), only those inside ``inside`` when it is given."""
    q = query.strip()
    found = []
    for j in _table().values():
        if j.name in PLACEHOLDER_NAMES or (inside and not contains(inside, j.code)):
            continue
        if j.code.startswith(q) or (q and q in (full_name(j.code) or "")):
            found.append(j)
            if len(found) == limit:
                break
    return found
