"""The 质检报告 of a registered library: its own records, its jurisdiction's listings, its
target, its review figures (pages reviewed, QA coverage, 抽检). The console's download and
``diancang catalog report --library NAME`` build the same document from here."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from diancang.accounts.models import Library
from diancang.catalog.report import QualityReport, build_report, write_coverage_csv, write_csv
from diancang.review.figures import review_figures


def library_report(
    db: Session, library: Library, year: int, today: date | None = None
) -> QualityReport:
    """The report, with the review figures of the library's pages and its 抽检."""
    report = build_report(
        db,
        library.name,
        year,
        jurisdiction=library.jurisdiction,
        level=library.level,
        target=library.records_target,
        library_id=library.id,
        today=today,
    )
    report.review = review_figures(db, library, year)
    return report


def csv_bytes(report: QualityReport, coverage: bool = False) -> bytes:
    """The CSV ``write_csv`` (or ``write_coverage_csv``) writes, as bytes."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "report.csv"
        (write_coverage_csv if coverage else write_csv)(report, path)
        return path.read_bytes()
