"""A registered seed as a seed-list row, and seed-list files written from the registry.

The worker writes the CSV a crawl reads (``diancang crawl``); the console's export writes the
same rows, which an import reads back to the same seeds. The row's ``id`` is the seed key,
so every WARC record names the registered seed it was captured for.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from diancang.registry.models import RegisteredSeed
from diancang.seeds.raw import FIELDS


def seed_row(seed: RegisteredSeed) -> dict[str, str]:
    """The seed-list row of ``seed``: every field of ``FIELDS``, as text."""
    row = {name: str(seed.fields.get(name) or "") for name in FIELDS}
    row["id"] = seed.seed_key
    return row


def write_seed_csv(seeds: Iterable[RegisteredSeed], path: Path) -> Path:
    """A CSV seed list of ``seeds`` with every column, written to ``path``."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        write_csv(seeds, fh)
    return path


def write_csv(seeds: Iterable[RegisteredSeed], fh: TextIO) -> None:
    """The CSV seed list of ``seeds`` (a header of every column, then one row a seed)."""
    write_rows(map(seed_row, seeds), fh)


def write_rows(rows: Iterable[dict[str, str]], fh: TextIO) -> None:
    """A CSV seed list of seed-list ``rows`` (fields of ``FIELDS``)."""
    writer = csv.DictWriter(fh, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
