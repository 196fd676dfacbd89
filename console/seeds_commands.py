"""`diancang seeds ...`: check and show seed lists."""

from __future__ import annotations

import unicodedata
from collections import Counter

import click

from diancang import jurisdictions
from diancang.seeds.load import load_seed_list
from diancang.seeds.schema import COLLECTIONS, SeedList


@click.group()
def seeds() -> None:
    """Seed lists: what to capture, in which jurisdiction, and when."""


@seeds.command()
@click.argument("file", type=str)
def validate(file: str) -> None:
    """Check a seed list (.csv, .yaml); print one FILE:LINE: FIELD: message per error."""
    result = _load(file)
    counts = Counter(s.collection for s in result.seeds)
    by_collection = ", ".join(f"{c} {counts[c]}" for c in COLLECTIONS if counts[c])
    n = len(result.seeds)
    summary = f"{file}: {n} seed{'' if n == 1 else 's'}"
    click.echo(f"{summary} ({by_collection})" if by_collection else summary)


@seeds.command(name="list")
@click.argument("file", type=str)
def list_(file: str) -> None:
    """Show the seeds of a list as a table."""
    result = load_seed_list(file)
    for error in result.errors:
        click.echo(str(error), err=True)
    header = ("id", "url", "jurisdiction", "collection", "browser", "schedule")
    rows = [header]
    for s in result.seeds:
        name = jurisdictions.full_name(s.jurisdiction) or ""
        browser = "yes" if s.browser else "no"
        rows.append(
            (s.id, s.url, f"{s.jurisdiction} {name}", s.collection, browser, s.schedule or "-")
        )
    for line in _table(rows):
        click.echo(line)
    if result.errors:
        raise SystemExit(1)


def _load(file: str) -> SeedList:
    result = load_seed_list(file)
    if result.errors:
        for error in result.errors:
            click.echo(str(error), err=True)
        raise SystemExit(1)
    return result


def _width(text: str) -> int:
    # Chinese names take two terminal columns a character
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]
