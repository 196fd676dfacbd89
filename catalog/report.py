"""质检报告: the yearly quality report of a library's government-information records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diancang import jurisdictions
from diancang.catalog import charts
from diancang.catalog.coverage import ListingCoverage, build_coverage
from diancang.catalog.extract.dates import looks_like_date
from diancang.catalog.models import KIND_GOVINFO, Attachment, Capture, Record
from diancang.catalog.spreadsheet import SafeCsvWriter
from diancang.catalog.views import archived_by_hash

if TYPE_CHECKING:
    from diancang.review.figures import ReviewFigures

TARGETS = {"province": 24000, "city": 12000}
REQUIRED_FIELDS = {
    "title": "名称", "index_no": "索引号", "category": "主题分类", "agency": "发布机构",
    "pub_date": "发布日期", "body": "正文", "source_url": "来源网址",
    "jurisdiction_code": "行政区划",
}  # fmt: skip
OPTIONAL_FIELDS = {
    "written_date": "成文日期", "doc_number": "发文字号", "keywords": "主题词",
    "validity": "有效性",
}  # fmt: skip
DATE_FIELDS = {"written_date": "成文日期", "pub_date": "发布日期"}
COVERAGE_EXAMPLES = 5  # items shown per listing and reason; the coverage CSV has them all


@dataclass
class DateProblem:
    record_id: int
    field: str
    printed: str
    problem: str  # "invalid" | "future"


@dataclass
class QualityReport:
    library: str
    year: int
    target: int
    jurisdiction: str | None
    generated: str
    records: int = 0
    completeness: list[tuple[str, str, int, bool]] = field(default_factory=list)
    date_problems: list[DateProblem] = field(default_factory=list)
    duplicate_records: int = 0
    duplicate_captures: int = 0
    duplicate_reasons: dict[str, int] = field(default_factory=dict)
    attachments: int = 0
    failed_attachments: list[tuple[int, str]] = field(default_factory=list)
    per_jurisdiction: list[tuple[str, str, int]] = field(default_factory=list)
    per_month: list[tuple[str, int]] = field(default_factory=list)
    coverage: list[ListingCoverage] = field(default_factory=list)  # empty: no listings
    # review figures of a registered library's report (``diancang.review.figures``)
    review: ReviewFigures | None = None

    @property
    def target_share(self) -> float:
        return self.records / self.target if self.target else 0.0

    def percent(self, count: int) -> float:
        return round(100.0 * count / self.records, 1) if self.records else 0.0


def target_for(level: str | None, jurisdiction: str | None) -> int:
    if level:
        return TARGETS[level]
    place = jurisdictions.lookup(jurisdiction) if jurisdiction else None
    return (
        TARGETS["city"] if place is not None and place.level != "province" else TARGETS["province"]
    )


def _scope(year: int, jurisdiction: str | None, library_id: int | None = None) -> list:
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    where = [
        Record.kind == KIND_GOVINFO,
        Record.deleted.is_(False),
        Record.created_at >= start,
        Record.created_at < end,
    ]
    if library_id is not None:  # the registered library's own records, as the dashboard counts
        where.append(Record.library_id == library_id)
    elif jurisdiction:
        place = jurisdictions.lookup(jurisdiction)
        level = place.level if place else "county"
        column = {"province": Record.province_code, "city": Record.city_code}.get(
            level, Record.jurisdiction_code
        )
        where.append(column == jurisdiction)
    return where


def build_report(
    session: Session, library: str, year: int, *, jurisdiction: str | None = None,
    level: str | None = None, target: int | None = None, today: date | None = None,
    library_id: int | None = None,
) -> QualityReport:  # fmt: skip
    """The report of ``year``'s records within ``jurisdiction``; with ``library_id``, of the
    records that registered library owns (``Record.library_id``), ``jurisdiction`` then
    selecting only the listings of the coverage section."""
    today = today or date.today()
    where = _scope(year, jurisdiction, library_id)
    report = QualityReport(
        library=library,
        year=year,
        target=target or target_for(level, jurisdiction),
        jurisdiction=jurisdiction,
        generated=today.isoformat(),
    )
    report.records = session.scalar(select(func.count(Record.id)).where(*where)) or 0
    for name, label in {**REQUIRED_FIELDS, **OPTIONAL_FIELDS}.items():
        column = getattr(Record, name)
        filled = session.scalar(
            select(func.count(Record.id)).where(*where, column.is_not(None), column != "")
        )
        report.completeness.append((name, label, filled or 0, name in REQUIRED_FIELDS))
    _check_dates(session, where, report, today)
    _count_duplicates(session, where, report)
    _check_attachments(session, where, report)
    for code, name, count in session.execute(
        select(Record.jurisdiction_code, Record.jurisdiction_name, func.count(Record.id))
        .where(*where)
        .group_by(Record.jurisdiction_code, Record.jurisdiction_name)
        .order_by(func.count(Record.id).desc())
    ):
        report.per_jurisdiction.append((code or "", name or "（未知）", count))
    months = Counter(
        created.month for created in session.scalars(select(Record.created_at).where(*where))
    )
    report.per_month = [(f"{m}月", months.get(m, 0)) for m in range(1, 13)]
    report.coverage = build_coverage(session, year, jurisdiction)
    return report


def _check_dates(session: Session, where: list, report: QualityReport, today: date) -> None:
    rows = session.execute(
        select(Record.id, Record.written_date, Record.pub_date, Record.raw_values).where(*where)
    )
    for record_id, written, published, raw in rows:
        raw = raw or {}
        for name, value in (("written_date", written), ("pub_date", published)):
            printed = raw.get(name, "")
            if value is None and printed and looks_like_date(printed):
                report.date_problems.append(DateProblem(record_id, name, printed, "invalid"))
            elif value is not None and value > today.isoformat():
                report.date_problems.append(DateProblem(record_id, name, value, "future"))


def _count_duplicates(session: Session, where: list, report: QualityReport) -> None:
    ids = select(Record.id).where(*where)
    rows = session.execute(
        select(Capture.match_reason, func.count(Capture.id))
        .where(Capture.record_id.in_(ids), Capture.match_reason != "first")
        .group_by(Capture.match_reason)
    )
    report.duplicate_reasons = {reason: count for reason, count in rows}
    report.duplicate_captures = sum(report.duplicate_reasons.values())
    report.duplicate_records = session.scalar(
        select(func.count(func.distinct(Capture.record_id))).where(
            Capture.record_id.in_(ids), Capture.match_reason != "first"
        )
    )


def _check_attachments(session: Session, where: list, report: QualityReport) -> None:
    ids = select(Record.id).where(*where)
    attachments = list(
        session.execute(
            select(Attachment.record_id, Attachment.url, Attachment.url_hash).where(
                Attachment.record_id.in_(ids)
            )
        )
    )
    report.attachments = len(attachments)
    archived = archived_by_hash(session, {h for _, _, h in attachments})
    report.failed_attachments = [(rid, url) for rid, url, h in attachments if h not in archived]


def render_html(report: QualityReport) -> str:
    env = Environment(
        loader=PackageLoader("diancang.catalog", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    completeness = [
        (f"{label} {'*' if required else ''}", report.percent(filled))
        for _name, label, filled, required in report.completeness
    ]
    chart = {
        "target": charts.progress_bar(report.records, report.target),
        "completeness": charts.hbar_chart(
            completeness,
            maximum=100,
            unit="%",
            threshold=100.0,
            checked=[required for *_, required in report.completeness],
        ),
        "months": charts.vbar_chart(report.per_month),
        "jurisdictions": charts.hbar_chart(
            [(f"{name} {code}", count) for code, name, count in report.per_jurisdiction]
        ),
    }
    return env.get_template("report.html").render(
        report=report, chart=chart, examples=COVERAGE_EXAMPLES
    )


def write_csv(report: QualityReport, path: Path) -> None:
    """One metric per row: section, metric, value (and the share where it applies)."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = SafeCsvWriter(fh)
        out.writerow(["section", "metric", "value", "percent"])
        out.writerow(["summary", "library", report.library, ""])
        out.writerow(["summary", "year", report.year, ""])
        out.writerow(["summary", "records", report.records, ""])
        out.writerow(["summary", "target", report.target, round(100 * report.target_share, 1)])
        for name, _label, filled, required in report.completeness:
            section = "completeness-required" if required else "completeness-optional"
            out.writerow([section, name, filled, report.percent(filled)])
        for problem in ("invalid", "future"):
            count = sum(1 for p in report.date_problems if p.problem == problem)
            out.writerow(["dates", problem, count, ""])
        out.writerow(["duplicates", "records", report.duplicate_records, ""])
        out.writerow(["duplicates", "captures", report.duplicate_captures, ""])
        for reason, count in sorted(report.duplicate_reasons.items()):
            out.writerow(["duplicates", f"reason:{reason}", count, ""])
        out.writerow(["attachments", "linked", report.attachments, ""])
        out.writerow(["attachments", "failed", len(report.failed_attachments), ""])
        for code, name, count in report.per_jurisdiction:
            out.writerow(["jurisdiction", f"{code} {name}", count, report.percent(count)])
        for month, count in report.per_month:
            out.writerow(["month", month, count, ""])
        for listing in report.coverage:
            section = f"coverage:{listing.collection}"
            out.writerow([section, f"{listing.key} pages", listing.pages, ""])
            out.writerow([section, f"{listing.key} listed", listing.listed, ""])
            out.writerow([section, f"{listing.key} estimate", int(listing.estimate), ""])
            for name in ("captured", "catalogued"):
                count = getattr(listing, name)
                out.writerow([section, f"{listing.key} {name}", count, listing.share(count)])
            for group in listing.by_reason(examples=0):
                metric = f"{listing.key} not-captured:{group.reason}"
                out.writerow([section, metric, group.count, listing.share(group.count)])
            for group in listing.by_reason(examples=0, missing=listing.pages_missing):
                metric = f"{listing.key} pages-not-captured:{group.reason}"
                out.writerow([section, metric, group.count, ""])
        if report.review is not None:
            _write_review(out, report.review)


def _write_review(out, review: ReviewFigures) -> None:
    def row(metric: str, value, percent=None) -> None:
        out.writerow(["review", metric, value, "" if percent is None else percent])

    row("pages", review.pages)
    for name in ("reviewed", "approved", "rejected", "patched"):
        count = getattr(review, name)
        row(name, count, review.percent(count))
    for reason, count in sorted(review.rejected_by_reason.items(), key=lambda r: r[0] or ""):
        row(f"rejected:{reason or ''}", count, review.percent(count))
    row("qa-population", review.qa_population)
    row("qa-scored", review.qa_scored, review.qa_coverage)
    row("qa-decided", review.qa_decided)
    row("qa-rejected", review.qa_rejected, review.qa_error_rate)
    for label, samples in [("sampled", review.sampled)] + [
        (f"drawn:{s.library}", s) for s in review.drawn
    ]:
        if samples is None:
            continue
        row(f"{label} samples", samples.samples)
        row(f"{label} items", samples.items)
        row(f"{label} decided", samples.decided)
        row(f"{label} sent-back", samples.sent_back, samples.error_rate)


def write_coverage_csv(report: QualityReport, path: Path) -> None:
    """Every listed item (kind ``item``) and linked listing page (kind ``page``) that was not
    captured: collection, listing, kind, URL, reason token, detail."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = SafeCsvWriter(fh)
        out.writerow(["collection", "listing", "kind", "url", "reason", "detail"])
        for listing in report.coverage:
            for kind, missing in (("item", listing.missing), ("page", listing.pages_missing)):
                for item in missing:
                    row = [listing.collection, listing.key, kind, item.url, item.reason]
                    out.writerow([*row, item.detail])
