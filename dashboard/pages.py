"""``/dashboard`` (仪表盘), ``/api/dashboard`` and the 质检报告 downloads of each library.

Every viewer gets one row per library ``visibility.access`` lets them see; a provincial
library whose whole subtree they see (an admin, the province's auditor) also gets the
roll-up over its city and county libraries. The figures come from ``figures`` through the
app's ``FiguresCache``.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import Session

from diancang.accounts.models import LEVEL_NAMES, Library
from diancang.accounts.visibility import access
from diancang.catalog import charts
from diancang.catalog.db import Catalog
from diancang.catalog.report import render_html
from diancang.console.api import API_PREFIX, api_account, protect_api
from diancang.dashboard.cache import FiguresCache
from diancang.dashboard.figures import Figures, LibraryYear, dashboard_rows, projection
from diancang.dashboard.reports import csv_bytes, library_report

FIRST_YEAR = 2000
MONTH_LABELS = [f"{m}月" for m in range(1, 13)]


class YearError(ValueError):
    pass


def requested_year(today: date) -> int:
    """``?year=`` (default this year), a whole number between 2000 and next year."""
    text = request.args.get("year", "").strip()
    if not text:
        return today.year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= today.year + 1:
        raise YearError(f"年份须为 {FIRST_YEAR} 至 {today.year + 1} 之间的四位数字，收到 {text!r}")
    return int(text)


def _figures_json(figures: Figures, year: int, today: date) -> dict:
    return {
        "records": figures.records,
        "records_projection": projection(figures.records, year, today),
        "websites": figures.websites,
        "websites_projection": projection(figures.websites, year, today),
        "captures": figures.captures,
        "captures_by_month": figures.captures_by_month,
        "failures": figures.failures,
        "failures_by_month": figures.failures_by_month,
    }


def entry(row: LibraryYear, year: int, today: date) -> dict:
    """The JSON of one dashboard row (the issue's five fields first)."""
    library = row.library
    found = {
        "library": library.name,
        "records": row.figures.records,
        "records_target": library.records_target,
        "websites": row.figures.websites,
        "websites_target": library.websites_target,
        "library_id": library.id,
        "level": library.level,
        "jurisdiction": library.jurisdiction,
        "parent": library.parent.name if library.parent else None,
        "year": year,
        **_figures_json(row.figures, year, today),
        "rollup": None,
        "report": report_links(library.id, year),
    }
    if row.rollup is not None:
        found["rollup"] = {
            "libraries": row.rollup_libraries,
            "records_target": row.rollup_records_target,
            "websites_target": row.rollup_websites_target,
            **_figures_json(row.rollup, year, today),
        }
    return found


def report_links(library_id: int, year: int) -> dict[str, str]:
    page = "dashboard.report_download"
    return {
        "html": url_for(page, library_id=library_id, year=year, fmt="html"),
        "csv": url_for(page, library_id=library_id, year=year, fmt="csv"),
        "coverage_csv": url_for("dashboard.coverage_download", library_id=library_id, year=year),
    }


def dashboard_blueprint(catalog: Catalog, cache: FiguresCache | None = None) -> Blueprint:
    cache = cache or FiguresCache()
    blueprint = Blueprint("dashboard", __name__, template_folder="templates")

    def entries(db: Session, account, year: int, today: date) -> list[dict]:
        rows = dashboard_rows(db, access(db, account).see, cache.year(db, year))
        return [entry(row, year, today) for row in rows]

    @blueprint.get("/dashboard")
    @login_required
    def dashboard_page():
        today = date.today()
        try:
            year = requested_year(today)
        except YearError as error:
            return render_template("error.html", title="请求无效", message=str(error)), 400
        with catalog.session() as db:
            found = entries(db, current_user, year, today)
        focus = _focus(found, request.args.get("library", type=int))
        return render_template(
            "dashboard.html",
            year=year,
            years=list(range(today.year + 1, FIRST_YEAR - 1, -1)),
            entries=found,
            focus=focus,
            level_names=LEVEL_NAMES,
            chart=_charts(found, focus),
            today=today,
            current_year=year == today.year,
        )

    @blueprint.get("/dashboard/report/<int:library_id>/<int:year>.<any(html, csv):fmt>")
    @login_required
    def report_download(library_id: int, year: int, fmt: str):
        report = _report(library_id, year)
        if fmt == "html":
            body, mime = render_html(report).encode("utf-8"), "text/html; charset=utf-8"
        else:
            body, mime = csv_bytes(report), "text/csv; charset=utf-8"
        return _download(body, mime, f"quality-report-{year}-{library_id}.{fmt}")

    @blueprint.get("/dashboard/report/<int:library_id>/<int:year>-coverage.csv")
    @login_required
    def coverage_download(library_id: int, year: int):
        body = csv_bytes(_report(library_id, year), coverage=True)
        name = f"quality-report-{year}-{library_id}-coverage.csv"
        return _download(body, "text/csv; charset=utf-8", name)

    def _report(library_id: int, year: int):
        with catalog.session() as db:
            if not access(db, current_user).can_see(library_id):
                abort(404 if db.get(Library, library_id) is None else 403)
            library = db.get(Library, library_id)
            if library is None:
                abort(404)
            return library_report(db, library, year)

    api = Blueprint("dashboard_api", __name__, url_prefix=API_PREFIX)

    @api.get("/dashboard")
    def dashboard_json():
        today = date.today()
        try:
            year = requested_year(today)
        except YearError as error:
            return jsonify({"errors": [{"field": "year", "message": str(error)}]}), 422
        with catalog.session() as db:
            return jsonify(entries(db, api_account(), year, today))

    blueprint.api = protect_api(api)  # registered beside the pages by ``register``
    return blueprint


def register(app, catalog: Catalog) -> None:
    """Mount the dashboard's pages and its ``/api/dashboard`` on ``app``."""
    pages = dashboard_blueprint(catalog)
    app.register_blueprint(pages)
    app.register_blueprint(pages.api)


def _download(body: bytes, mime: str, name: str):
    return (
        body,
        200,
        {"Content-Type": mime, "Content-Disposition": f'attachment; filename="{name}"'},
    )


def _focus(found: list[dict], library_id: int | None) -> dict | None:
    """The entry whose months the charts show: ``?library=``, else the first row."""
    for item in found:
        if item["library_id"] == library_id:
            return item
    return found[0] if found else None


def _charts(found: list[dict], focus: dict | None) -> dict[str, Markup]:
    targets = []
    for item in found:
        targets.append(
            (item["library"], item["records"], item["records_projection"], item["records_target"])
        )
        if item["rollup"]:
            rollup = item["rollup"]
            label = f"{item['library']}（合计）"
            targets.append(
                (label, rollup["records"], rollup["records_projection"], rollup["records_target"])
            )
    chart = {"records": Markup(charts.target_chart(targets))}
    if focus:
        months = focus["rollup"] or focus
        for name in ("captures", "failures"):
            by_month = list(zip(MONTH_LABELS, months[f"{name}_by_month"], strict=True))
            chart[name] = Markup(charts.vbar_chart(by_month))
    return chart
