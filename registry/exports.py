"""Export registered seeds as a CSV or XLSX seed list, which imports back to the same seeds."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from diancang.registry.models import RegisteredSeed
from diancang.registry.seed_files import seed_row, write_csv
from diancang.seeds.raw import FIELDS

CSV, XLSX = "csv", "xlsx"
MEDIA_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_seeds(seeds: Iterable[RegisteredSeed], format: str) -> bytes:
    if format == CSV:
        out = io.StringIO(newline="")
        write_csv(seeds, out)
        return out.getvalue().encode("utf-8")
    return _xlsx(seeds)


def _xlsx(seeds: Iterable[RegisteredSeed]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("种子站点")
    sheet.append(list(FIELDS))
    for seed in seeds:
        row = seed_row(seed)
        sheet.append([_text_cell(sheet, row[name]) for name in FIELDS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell holding ``value`` as text, never as a formula or a number."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
