"""Cells for spreadsheets: a CSV or XLSX cell that starts like a formula is written as text.

Excel, LibreOffice and WPS run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some versions, a tab or line break) as a formula: a captured page's title or a curator's
comment must never do that in a librarian's spreadsheet (CSV injection). The OWASP remedy
is a leading apostrophe, which the spreadsheet shows as text.
"""

from __future__ import annotations

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """``value`` for a spreadsheet cell: None as empty, text that could start a formula
    behind an apostrophe, numbers and other values as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


class SafeCsvWriter:
    """``csv.writer`` whose rows go through ``safe_row``."""

    def __init__(self, fh) -> None:
        self._writer = csv.writer(fh)

    def writerow(self, row) -> None:
        self._writer.writerow(safe_row(row))
