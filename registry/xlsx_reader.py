"""Read an XLSX seed list: its first sheet is a table like a CSV seed list, a header row of
the same columns, then one seed a row; each cell is read as the text a CSV cell would hold.

An XLSX is a zip of XML: before openpyxl parses it, the sizes its members unpack to are
bounded, so a small file cannot unpack into gigabytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from diancang.seeds.csv_reader import read_table
from diancang.seeds.load import MAX_FILE_BYTES
from diancang.seeds.raw import FIELDS, RawSeed
from diancang.seeds.schema import SeedError

MAX_UNPACKED = 8 * MAX_FILE_BYTES  # XML takes some 5-8 times the bytes of the same CSV
MAX_COLUMNS = 2 * len(FIELDS) + 1  # one more than read_table accepts, so it can say so


def read_xlsx(path: str, data: bytes) -> Iterator[RawSeed | SeedError]:
    """Each row's RawSeed and each problem found, in sheet order (line = row number)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        yield SeedError(path, None, None, "not an XLSX workbook (save it as .xlsx, or as CSV)")
        return
    if unpacked > MAX_UNPACKED:
        message = f"unpacks to more than {MAX_UNPACKED // 2**20} MiB: split the seed list"
        yield SeedError(path, None, None, message)
        return
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as e:
        yield SeedError(path, None, None, f"not a readable XLSX workbook: {e}")
        return
    try:
        if not workbook.worksheets:
            yield SeedError(path, None, None, "the workbook has no sheet")
            return
        yield from read_table(path, _rows(workbook.worksheets[0]))
    finally:
        workbook.close()


def _rows(sheet) -> Iterator[tuple[int, list[str]]]:
    for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
        texts = [cell_text(value) for value in cells]
        while texts and not texts[-1]:
            texts.pop()
        yield number, texts


def cell_text(value: Any) -> str:
    """A cell's value as text: whole numbers without ".0", dates as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
