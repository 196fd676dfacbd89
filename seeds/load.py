"""Load a seed list from a .csv or .yaml/.yml file."""

from __future__ import annotations

import os
import re
from pathlib import Path

from diancang.seeds.build import build_seed
from diancang.seeds.csv_reader import read_csv
from diancang.seeds.ids import derive_id, unique_ids
from diancang.seeds.raw import RawSeed
from diancang.seeds.schema import Seed, SeedError, SeedList
from diancang.seeds.yaml_reader import read_yaml

READERS = {".csv": read_csv, ".yaml": read_yaml, ".yml": read_yaml}
MAX_FILE_BYTES = 8 * 2**20  # some 100,000 seeds; China has about 14,000 government sites
MAX_ERRORS = 1000  # then the rest of the file is not read
# C0 and C1 control characters but tab, newline, carriage return and NEL; and U+FFFE/U+FFFF
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


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

    built = []
    first_line: dict[str, int] = {}
    stopped = None
    for item in reader(name, text):
        if len(result.errors) >= MAX_ERRORS:
            stopped = SeedError(name, None, None, f"more than {MAX_ERRORS} errors: stopped reading")
            break
        if isinstance(item, SeedError):
            result.errors.append(item)
        elif (kwargs := _build(name, item, first_line, result.errors)) is not None:
            built.append(kwargs)

    bases = [derive_id(k["url"]) for k in built if k["id"] is None]
    derived = iter(unique_ids(bases, set(first_line)))
    for kwargs in built:
        if kwargs["id"] is None:
            kwargs["id"] = next(derived)
        result.seeds.append(Seed(**kwargs))
    result.errors.sort(key=lambda e: e.line or 0)
    if stopped:
        del result.errors[MAX_ERRORS:]
        result.errors.append(stopped)
    return result


def _build(
    name: str, raw: RawSeed, first_line: dict[str, int], errors: list[SeedError]
) -> dict | None:
    kwargs, found = build_seed(name, raw)
    errors += found
    if kwargs is None:
        return None
    explicit = kwargs["id"]
    if explicit is not None and explicit in first_line:
        errors.append(
            SeedError(
                name,
                raw.line_of("id"),
                raw.label("id"),
                f"duplicate id {explicit!r} (first at line {first_line[explicit]})",
            )
        )
        return None
    if explicit is not None:
        first_line[explicit] = raw.line
    return kwargs


def _read_text(name: str) -> tuple[str, SeedError | None]:
    try:
        with open(name, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return "", SeedError(name, None, None, f"cannot read: {e.strerror or e}")
    return seed_text(name, data)


def seed_text(name: str, data: bytes) -> tuple[str, SeedError | None]:
    """The text of a seed list's bytes, or the error that makes it unreadable."""
    if len(data) > MAX_FILE_BYTES:
        message = (
            f"larger than {MAX_FILE_BYTES // 2**20} MiB: split the seed list into several files"
        )
        return "", SeedError(name, None, None, message)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return "", SeedError(
            name, line, None, "not UTF-8 text (save the file as UTF-8, e.g. 'CSV UTF-8' in Excel)"
        )
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        message = f"contains the control character U+{ord(control.group()):04X}"
        return "", SeedError(name, line, None, message)
    return text, None
