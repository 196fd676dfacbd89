"""Read a CSV seed list: a header row, then one seed a row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from diancang.seeds.raw import FIELDS, REQUIRED, RawSeed
from diancang.seeds.schema import SeedError
from diancang.seeds.shown import clip, name


def read_csv(path: str, text: str) -> Iterator[RawSeed | SeedError]:
    """Each row's RawSeed and each problem found, in file order.

    A cell longer than csv.field_size_limit() (128 KiB unless raised) stops the read.
    """
    yield from read_table(path, _csv_rows(path, text))


def _csv_rows(path: str, text: str) -> Iterator[tuple[int, list[str]] | SeedError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1  # csv counts lines read so far; a row may span several
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield SeedError(path, line, None, f"bad CSV: {clip(str(e))}")
            return
        yield line, cells


def read_table(
    path: str, rows: Iterable[tuple[int, list[str]] | SeedError]
) -> Iterator[RawSeed | SeedError]:
    """The seeds of a table: a header row naming the columns, then one seed a row.

    ``rows`` gives each row's line (or spreadsheet row number) and its cells as text; a
    SeedError among them stops the read.
    """
    header: list[str] | None = None
    header_line = 0
    found = False  # any row or error after the header
    for item in rows:
        if isinstance(item, SeedError):
            yield item
            return
        line, cells = item
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue  # blank and comment rows
        if header is None:
            header, header_line = [c.strip().lower() for c in cells], line
            header_errors = _check_header(path, line, header)
            yield from header_errors
            if any(e.field is None for e in header_errors):
                return
            found = bool(header_errors)
            continue
        found = True
        if len(cells) > len(header):
            yield SeedError(
                path, line, None, f"row has {len(cells)} cells, the header has {len(header)}"
            )
            continue
        raw = RawSeed(line)
        for column, value in zip(header, cells, strict=False):
            if column in FIELDS:
                raw.set(column, value, line)
        yield raw
    if header is None:
        yield SeedError(path, None, None, "empty file: no header row")
    elif not found:
        yield SeedError(path, header_line, None, "no seeds after the header")


def _check_header(path: str, line: int, header: list[str]) -> list[SeedError]:
    """Unknown and repeated columns are named; missing required columns stop the read."""
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [
            SeedError(
                path,
                line,
                None,
                f"missing required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}: the first row must be a header naming at least "
                + ",".join(REQUIRED),
            )
        ]
    if len(header) > 2 * len(FIELDS):  # so many columns cannot all be known and distinct
        message = f"the header has {len(header)} columns; a seed list has at most {len(FIELDS)}"
        return [SeedError(path, line, None, message)]
    errors = []
    seen: set[str] = set()
    for column in header:
        if column not in FIELDS:
            label = name(column) if column else "(empty)"
            errors.append(
                SeedError(path, line, label, f"unknown column (known: {', '.join(FIELDS)})")
            )
        elif column in seen:
            errors.append(SeedError(path, line, column, "repeated column"))
        seen.add(column)
    return errors
