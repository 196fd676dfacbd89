"""Read a CSV seed list: a header row, then one seed a row."""

from __future__ import annotations

import csv
import io

from seeds.raw import FIELDS, REQUIRED, RawSeed
from seeds.schema import SeedError


def read_csv(path: str, text: str) -> tuple[list[RawSeed], list[SeedError]]:
    rows: list[RawSeed] = []
    errors: list[SeedError] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    while True:
        line = reader.line_num + 1  # csv counts lines read so far; a row may span several
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            errors.append(SeedError(path, line, None, f"bad CSV: {e}"))
            return rows, errors
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue  # blank and comment rows
        if header is None:
            header, header_line = [c.strip().lower() for c in cells], line
            header_errors = _check_header(path, line, header)
            errors += header_errors
            if any(e.field is None for e in header_errors):
                return rows, errors
            continue
        if len(cells) > len(header):
            errors.append(
                SeedError(
                    path, line, None, f"row has {len(cells)} cells, the header has {len(header)}"
                )
            )
            continue
        raw = RawSeed(line)
        for name, value in zip(header, cells, strict=False):
            if name in FIELDS:
                raw.set(name, value, line)
        rows.append(raw)
    if header is None:
        errors.append(SeedError(path, None, None, "empty file: no header row"))
    elif not rows and not errors:
        errors.append(SeedError(path, header_line, None, "no seeds after the header"))
    return rows, errors


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
    errors = []
    seen: set[str] = set()
    for name in header:
        if name not in FIELDS:
            label = name or "(empty)"
            errors.append(
                SeedError(path, line, label, f"unknown column (known: {', '.join(FIELDS)})")
            )
        elif name in seen:
            errors.append(SeedError(path, line, name, "repeated column"))
        seen.add(name)
    return errors
