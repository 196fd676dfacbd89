"""The console's seed pages: ``/seeds`` (list, search, filters, import, export), ``/seeds/new``,
``/seeds/ID`` (edit, delete, start a crawl now) and the jurisdiction search ``/jurisdictions``.

Who may do what is ``visibility.access()``: a seed's page needs the right to see its library,
every change the right to edit it; an admin picks the library of a new seed.
"""

from __future__ import annotations

import functools
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang import jurisdictions
from diancang.accounts.libraries import jurisdiction_label
from diancang.accounts.models import Library
from diancang.accounts.visibility import EDIT, Access, access
from diancang.catalog.db import Catalog
from diancang.catalog.search import catalogued_elsewhere, visible_ids
from diancang.jobs.models import STATE_NAMES, CrawlJob
from diancang.registry.exports import CSV, MEDIA_TYPES, XLSX, export_seeds
from diancang.registry.imports import FORMATS, ImportReport, import_seeds
from diancang.registry.listing import (
    CRON,
    NEVER,
    NO_SCHEDULE,
    SeedFilters,
    filtered,
    seed_page,
)
from diancang.registry.models import RegisteredSeed
from diancang.registry.service import (
    FieldError,
    Registry,
    SeedRejected,
    also_registered_by,
    delete_seed,
    now,
    raw_seed,
)
from diancang.seeds import fields
from diancang.seeds.raw import FIELDS
from diancang.seeds.schema import COLLECTION_NAMES, DEFAULT_TIMEZONE

SCHEDULE_NAMES = {
    "once": "仅一次",
    "daily": "每天",
    "weekly": "每周",
    "monthly": "每月",
    CRON: "自定义（cron）",
    NO_SCHEDULE: "未设置",
}
STATE_FILTER_NAMES = {**STATE_NAMES, NEVER: "从未采集"}
CHOICE_FIELDS = ("collection", "scope", "robots", "recrawl")
MAX_DATALIST = 400  # jurisdiction suggestions on a form; beyond that, the search page


def registry_blueprint(catalog: Catalog) -> Blueprint:
    blueprint = Blueprint("registry", __name__, template_folder="templates")

    @blueprint.context_processor
    def words():
        return {
            "collection_names": COLLECTION_NAMES,
            "schedule_names": SCHEDULE_NAMES,
            "state_names": STATE_NAMES,
            "state_filter_names": STATE_FILTER_NAMES,
            "jurisdiction_label": jurisdiction_label,
            "next_run": next_run,
            "choice_value": choice_value,
        }

    @blueprint.get("/seeds")
    @login_required
    def seeds_page():
        return _list_page(catalog)

    @blueprint.post("/seeds/import")
    @login_required
    def import_page():
        with catalog.session() as db:
            library = _library_to_edit(db, access(db, current_user), request.form.get("library"))
            upload = request.files.get("file")
            if library is None:
                report = ImportReport(errors=[FieldError("library", "请选择导入到哪个图书馆")])
            elif upload is None or not upload.filename:
                report = ImportReport(errors=[FieldError("file", "请选择要导入的种子站点文件")])
            else:
                data = upload.stream.read()
                report = import_seeds(db, library, upload.filename, data)
        return _list_page(catalog, report)

    @blueprint.get("/seeds/export")
    @login_required
    def export_page():
        format = request.args.get("format", CSV)
        if format not in (CSV, XLSX):
            abort(404)
        return export_response(catalog, current_user, SeedFilters.parse(request.args)[0], format)

    @blueprint.route("/seeds/new", methods=["GET", "POST"])
    @login_required
    def new_seed_page():
        with catalog.session() as db:
            rights = access(db, current_user)
            editable = _libraries(db, rights.edit)
            if not editable:
                abort(403)
            row = {name: request.form.get(name, "") for name in FIELDS}
            errors: dict[str, str] = {}
            chosen = request.values.get("library", "")
            if request.method == "POST":
                library = _chosen_library(editable, chosen)
                if library is None:
                    errors["library"] = "请选择种子站点所属的图书馆"
                else:
                    try:
                        seed = Registry(db, library).create(raw_seed(row))
                        db.flush()
                    except SeedRejected as rejected:
                        errors = _by_field(rejected.errors)
                    else:
                        flash(f"已登记种子站点：{seed.title}")
                        return redirect(url_for(".seed_page", seed_id=seed.id))
            else:
                row["timezone"] = DEFAULT_TIMEZONE
            library = _chosen_library(editable, chosen)
            page = render_template(
                "seed.html",
                seed=None,
                row=row,
                errors=errors,
                libraries=editable,
                chosen=library.id if library else None,
                editable=True,
                options=_jurisdiction_options([library] if library else editable),
            )
        return page, 422 if errors else 200

    @blueprint.route("/seeds/<int:seed_id>", methods=["GET", "POST"])
    @login_required
    def seed_page(seed_id: int):
        with catalog.session() as db:
            rights = access(db, current_user)
            seed = _visible_seed(db, rights, seed_id)
            editable = rights.can(EDIT, seed.library_id)
            if request.method == "POST" and not editable:
                abort(403)
            errors: dict[str, str] = {}
            row = dict(seed.fields)
            row["id"] = seed.seed_key
            if request.method == "POST":
                row = {name: request.form.get(name, "") for name in FIELDS}
                try:
                    Registry(db, seed.library).update(seed, raw_seed(row))
                    db.flush()
                except SeedRejected as rejected:  # nothing changed: it is checked first
                    errors = _by_field(rejected.errors)
                else:
                    flash("已保存")
                    return redirect(url_for(".seed_page", seed_id=seed.id))
            job = db.get(CrawlJob, seed.last_job_id) if seed.last_job_id else None
            catalogued = catalogued_elsewhere(db, seed.seed_key)
            page = render_template(
                "seed.html",
                seed=seed,
                row=row,
                errors=errors,
                libraries=[seed.library],
                chosen=seed.library_id,
                editable=editable,
                also=also_registered_by(db, [seed]).get(seed.id, []),
                catalogued=catalogued,
                linked=visible_ids(
                    db, current_user, {d.record_id for _, ds in catalogued for d in ds}
                ),
                job=job,
                options=_jurisdiction_options([seed.library]),
            )
        return page, 422 if errors else 200

    @blueprint.post("/seeds/<int:seed_id>/delete")
    @login_required
    def delete_page(seed_id: int):
        with catalog.session() as db:
            rights = access(db, current_user)
            seed = _visible_seed(db, rights, seed_id)
            if not rights.can(EDIT, seed.library_id):
                abort(403)
            title = seed.title
            try:
                delete_seed(db, seed)
            except SeedRejected as rejected:
                flash(rejected.errors[0].message)
                return redirect(url_for(".seed_page", seed_id=seed_id))
        flash(f"已删除种子站点：{title}")
        return redirect(url_for(".seeds_page"))

    @blueprint.get("/jurisdictions")
    @login_required
    def jurisdictions_page():
        query = request.args.get("q", "").strip()[:40]
        parent = request.args.get("parent", "").strip()
        if query:
            found = jurisdictions.search(query)
        else:
            found = jurisdictions.children(parent if jurisdictions.is_valid(parent) else None)
        return render_template(
            "jurisdictions.html",
            query=query,
            parent=jurisdictions.lookup(parent),
            found=found,
            full_name=jurisdictions.full_name,
        )

    return blueprint


def _list_page(catalog: Catalog, report: ImportReport | None = None):
    with catalog.session() as db:
        rights = access(db, current_user)
        filters, filter_errors = SeedFilters.parse(request.args)
        rows, total = seed_page(db, rights.see, filters)
        seeds = [seed for seed, _ in rows]
        visible = _libraries(db, rights.see)
        editable = _libraries(db, rights.edit)
        page = render_template(
            "seeds.html",
            rows=rows,
            total=total,
            filters=filters,
            filter_errors={e.field: e.message for e in filter_errors},
            pages=max(1, -(-total // filters.per_page)),
            also=also_registered_by(db, seeds),
            libraries=visible,
            editable=editable,
            report=report,
            formats=", ".join(FORMATS),
            options=_jurisdiction_options(visible),
        )
    return page, 422 if report is not None and report.errors and not (
        report.imported or report.updated
    ) else 200


def export_response(catalog: Catalog, user, filters: SeedFilters, format: str) -> Response:
    """The seeds ``user`` sees that pass ``filters``, as a CSV or XLSX seed-list download."""
    with catalog.session() as db:
        query = filtered(access(db, user).see, filters).order_by(RegisteredSeed.id)
        data = export_seeds([seed for seed, _ in db.execute(query)], format)
    name = f"seeds-{now():%Y%m%d-%H%M%S}.{format}"
    return Response(
        data,
        mimetype=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def next_run(seed: RegisteredSeed) -> tuple[str, bool] | None:
    """The seed's next run in its own time zone, and whether it is overdue; None if unknown."""
    if seed.next_run_at is None:
        return None
    local = seed.next_run_at.replace(tzinfo=UTC).astimezone(ZoneInfo(seed.timezone))
    return f"{local:%Y-%m-%d %H:%M} {seed.timezone}", seed.next_run_at < now()


def _visible_seed(db: Session, rights: Access, seed_id: int) -> RegisteredSeed:
    seed = db.get(RegisteredSeed, seed_id)
    if seed is None:
        abort(404)
    if not rights.can_see(seed.library_id):
        abort(403)
    return seed


def _libraries(db: Session, ids: frozenset[int]) -> list[Library]:
    query = select(Library).where(Library.id.in_(ids)).order_by(Library.jurisdiction, Library.name)
    return list(db.scalars(query))


def _chosen_library(editable: list[Library], chosen: str) -> Library | None:
    if len(editable) == 1:
        return editable[0]
    return next((lib for lib in editable if str(lib.id) == chosen), None)


def _library_to_edit(db: Session, rights: Access, chosen: str | None) -> Library | None:
    """The library a change is for: the user's only one, or the one chosen (403: none)."""
    if not rights.edit:
        abort(403)
    return _chosen_library(_libraries(db, rights.edit), chosen or "")


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    """The first error of each field (None: of the seed as a whole)."""
    shown: dict[str, str] = {}
    for error in errors:
        shown.setdefault(error.field or "", error.message)
    return shown


def _jurisdiction_options(libraries: list[Library]) -> tuple[tuple[str, str], ...]:
    """Codes and full names inside ``libraries``' jurisdictions, for the form's datalist."""
    return _options_within(tuple(sorted({library.jurisdiction for library in libraries})))


@functools.lru_cache(maxsize=256)
def _options_within(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    options: dict[str, str] = {}
    for code in codes:
        for j in jurisdictions.within(code):
            if j.name not in jurisdictions.PLACEHOLDER_NAMES:
                options[j.code] = jurisdictions.full_name(j.code) or j.name
    return tuple(sorted(options.items())[:MAX_DATALIST])


def choice_value(name: str, value: str) -> str:
    """A select field's option for a stored value (``Yes`` in a file is ``true``)."""
    if name == "browser":
        try:
            return "true" if fields.boolean(value) else ""
        except ValueError:
            return value
    return value.strip().lower() if name in CHOICE_FIELDS else value
