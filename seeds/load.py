"""Load a seed list from a .csv or .yaml/.yml file."""

from __future__ import annotations

import os
from pathlib import Path

from seeds.build import build_seed
from seeds.csv_reader import read_csv
from seeds.ids import derive_id, unique_ids
from seeds.schema import Seed, SeedError, SeedList
from seeds.yaml_reader import read_yaml

READERS = {".csv": read_csv, ".yaml": read_yaml, ".yml": read_yaml}


def load_seed_list(path: str | os.PathLike[str]) -> SeedList:
    """Every good seed of the file, and an error naming file, line and field for each bad one."""
    name = str(path)
    result = SeedList(name)
    reader = READERS.get(Path(name).suffix.lower())
    if reader is None:
        result.errors.append(
            SeedError(name, None, None, "unknown seed-list format (use .csv, .yaml or .yml)")
        )
        return result
    text, error = _read_text(name)
    if error:
        result.errors.append(error)
        return result
    raws, result.errors = reader(name, text)

    built = []
    first_line: dict[str, int] = {}
    for raw in raws:
        kwargs, errors = build_seed(name, raw)
        result.errors += errors
        if kwargs is None:
            continue
        explicit = kwargs["id"]
        if explicit is not None and explicit in first_line:
            result.errors.append(
                SeedError(
                    name,
                    raw.line_of("id"),
                    raw.label("id"),
                    f"duplicate id {explicit!r} (first at line {first_line[explicit]})",
                )
            )
            continue
        if explicit is not None:
            first_line[explicit] = raw.line
        built.append(kwargs)

    bases = [derive_id(k["url"]) for k in built if k["id"] is None]
    derived = iter(unique_ids(bases, set(first_line)))
    for kwargs in built:
        if kwargs["id"] is None:
            kwargs["id"] = next(derived)
        result.seeds.append(Seed(**kwargs))
    result.errors.sort(key=lambda e: e.line or 0)
    return result


def _read_text(name: str) -> tuple[str, SeedError | None]:
    try:
        data = Path(name).read_bytes()
    except OSError as e:
        return "", SeedError(name, None, None, f"cannot read: {e.strerror or e}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return "", SeedError(
            name, line, None, "not UTF-8 text (save the file as UTF-8, e.g. 'CSV UTF-8' in Excel)"
        )
