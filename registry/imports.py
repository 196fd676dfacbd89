"""Import a CSV, YAML or XLSX seed list into a library's registry, row by row.

Good rows are registered; a row whose URL the library already registered updates that seed;
a bad row is reported with its line, field and message and changes nothing. The file is
bounded as ``diancang seeds validate`` bounds it (size, number of errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from diancang.accounts.models import Library
from diancang.registry.keys import url_key
from diancang.registry.service import FieldError, Registry, SeedRejected
from diancang.registry.xlsx_reader import read_xlsx
from diancang.seeds import fields
from diancang.seeds.load import MAX_ERRORS, MAX_FILE_BYTES, READERS, seed_text
from diancang.seeds.schema import SeedError

XLSX = ".xlsx"
FORMATS = (*READERS, XLSX)
# the largest request body the console reads (MAX_CONTENT_LENGTH): a file somewhat over the
# limit is told so, a larger one is refused (413) before it is stored
MAX_UPLOAD_BYTES = 2 * MAX_FILE_BYTES


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    errors: list[FieldError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "errors": [
                {"line": e.line, "field": e.field, "message": e.message} for e in self.errors
            ],
        }


def import_seeds(db: Session, library: Library, filename: str, data: bytes) -> ImportReport:
    """Register the seeds of the file ``filename`` holding ``data`` for ``library``."""
    report = ImportReport()
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        report.errors.append(
            FieldError(None, "不支持的文件格式：请上传 .csv、.yaml、.yml 或 .xlsx 文件")
        )
        return report
    if len(data) > MAX_FILE_BYTES:
        message = f"文件大于 {MAX_FILE_BYTES // 2**20} MiB：请拆分成几个文件分别导入"
        report.errors.append(FieldError(None, message))
        return report
    if suffix == XLSX:
        items = read_xlsx(filename, data)
    else:
        text, error = seed_text(filename, data)
        items = [error] if error else READERS[suffix](filename, text)
    registry = Registry(db, library, preload=True)
    first_line: dict[str, int] = {}  # url key -> the line that registered it in this file
    for item in items:
        if len(report.errors) >= MAX_ERRORS:
            report.errors.append(FieldError(None, f"错误超过 {MAX_ERRORS} 个：其余行未读取"))
            break
        if isinstance(item, SeedError):
            report.errors.append(FieldError(item.field, item.message, item.line))
            continue
        if item.bad:
            continue  # the reader said what is wrong with it
        try:
            key = url_key(fields.url(item.values.get("url")))
        except ValueError:
            key = None
        if key is not None and key in first_line:
            message = f"与第 {first_line[key]} 行的网址相同：同一网址只导入一次"
            report.errors.append(FieldError("url", message, item.line_of("url")))
            continue
        existing = registry.registered(item.values.get("url"))
        try:
            if existing is not None:
                registry.update(existing, item)
                report.updated += 1
            else:
                registry.create(item)
                report.imported += 1
        except SeedRejected as rejected:
            report.errors += rejected.errors
            continue
        if key is not None:
            first_line[key] = item.line
    report.errors.sort(key=lambda e: e.line or 0)
    return report
