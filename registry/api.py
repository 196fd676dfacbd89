"""``/api/seeds``: the seed registry in JSON, for a personal API token or a session.

A seed is its seed-list row (every field as text; ``id`` is the registry's number and
``seed_key`` the seed id of the crawl) plus ``library`` and ``also_registered_by``. Invalid
input: 422 ``{"errors": [{"field", "message"}]}``; another library's seed or a role without
the right: 403; an unknown id: 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang import jurisdictions
from diancang.accounts.models import Library
from diancang.accounts.visibility import EDIT, Access, access
from diancang.catalog.db import Catalog
from diancang.console.api import api_account, protect_api
from diancang.jobs.models import CrawlJob
from diancang.registry.exports import CSV, XLSX
from diancang.registry.imports import import_seeds
from diancang.registry.listing import SeedFilters, seed_page
from diancang.registry.models import RegisteredSeed
from diancang.registry.pages import export_response
from diancang.registry.service import (
    FieldError,
    Registry,
    SeedRejected,
    also_registered_by,
    delete_seed,
    flat_row,
    raw_seed,
    seed_json,
)
from diancang.seeds.raw import FIELDS

# what a seed's JSON shows besides its fields; sent back in a PUT, they are not changed
SHOWN_ONLY = frozenset(
    {"library", "also_registered_by", "next_run_at", "last_job_id", "last_job_state",
     "created_at", "updated_at"}
)  # fmt: skip


def registry_api_blueprint(catalog: Catalog) -> Blueprint:
    blueprint = Blueprint("registry_api", __name__, url_prefix="/api")

    @blueprint.get("/seeds")
    def list_seeds():
        filters, errors = SeedFilters.parse(request.args)
        if errors:
            return _invalid(errors)
        with catalog.session() as db:
            rights = access(db, api_account())
            rows, total = seed_page(db, rights.see, filters)
            also = also_registered_by(db, [seed for seed, _ in rows])
            seeds = [seed_json(seed, also.get(seed.id), state) for seed, state in rows]
        return jsonify(
            {"seeds": seeds, "total": total, "page": filters.page, "per_page": filters.per_page}
        )

    @blueprint.post("/seeds")
    def create_seed():
        body = request.get_json(silent=True)
        with catalog.session() as db:
            rights = access(db, api_account())
            if not rights.edit:
                return _error(403, "this account may not register seeds")
            row, errors = _row(body)
            library = _library_for(
                db, rights, body.get("library") if isinstance(body, dict) else None
            )
            if isinstance(library, FieldError):
                errors.append(library)
            if errors:
                return _invalid(errors)
            try:
                seed = Registry(db, library).create(raw_seed(row))
                db.flush()
            except SeedRejected as rejected:
                return _invalid(rejected.errors)
            shown = seed_json(seed, also_registered_by(db, [seed]).get(seed.id))
        return jsonify(shown), 201

    @blueprint.get("/seeds/<int:seed_id>")
    def get_seed(seed_id: int):
        with catalog.session() as db:
            seed = _seed(db, access(db, api_account()), seed_id, None)
            if not isinstance(seed, RegisteredSeed):
                return seed
            return jsonify(_shown(db, seed))

    @blueprint.put("/seeds/<int:seed_id>")
    def update_seed(seed_id: int):
        """Fields left out of the body keep their values."""
        body = request.get_json(silent=True)
        with catalog.session() as db:
            seed = _seed(db, access(db, api_account()), seed_id, EDIT)
            if not isinstance(seed, RegisteredSeed):
                return seed
            row, errors = _row(body, partial=True)
            if errors:
                return _invalid(errors)
            merged = {**{name: seed.fields.get(name, "") for name in FIELDS}, **row}
            merged.setdefault("id", seed.seed_key)
            try:
                Registry(db, seed.library).update(seed, raw_seed(merged))
                db.flush()
            except SeedRejected as rejected:
                return _invalid(rejected.errors)
            return jsonify(_shown(db, seed))

    @blueprint.delete("/seeds/<int:seed_id>")
    def remove_seed(seed_id: int):
        with catalog.session() as db:
            seed = _seed(db, access(db, api_account()), seed_id, EDIT)
            if not isinstance(seed, RegisteredSeed):
                return seed
            try:
                delete_seed(db, seed)
            except SeedRejected as rejected:
                return jsonify({"errors": [e.as_json() for e in rejected.errors]}), 409
        return "", 204

    @blueprint.post("/seeds/import")
    def import_file():
        upload = request.files.get("file")
        with catalog.session() as db:
            rights = access(db, api_account())
            if not rights.edit:
                return _error(403, "this account may not register seeds")
            library = _library_for(db, rights, request.form.get("library"))
            errors = [library] if isinstance(library, FieldError) else []
            if upload is None or not upload.filename:
                errors.append(FieldError("file", "send the seed list as the multipart field file"))
            if errors:
                return _invalid(errors)
            report = import_seeds(db, library, upload.filename, upload.stream.read())
        return jsonify(report.as_json())

    @blueprint.get("/seeds/export")
    def export_file():
        format = request.args.get("format", CSV)
        if format not in (CSV, XLSX):
            return _invalid([FieldError("format", f"{format[:20]!r} is not csv or xlsx")])
        filters, errors = SeedFilters.parse(request.args)
        if errors:
            return _invalid(errors)
        return export_response(catalog, api_account(), filters, format)

    @blueprint.get("/jurisdictions")
    def find_jurisdictions():
        query = request.args.get("q", "").strip()[:40]
        parent = request.args.get("parent", "").strip() or None
        found = jurisdictions.search(query) if query else jurisdictions.children(parent)
        return jsonify(
            [
                {
                    "code": j.code,
                    "name": j.name,
                    "full_name": jurisdictions.full_name(j.code),
                    "level": j.level,
                    "parent": j.parent,
                }
                for j in found
            ]
        )

    return protect_api(blueprint)


def _row(body: Any, partial: bool = False) -> tuple[dict[str, str], list[FieldError]]:
    """The seed-list row of a JSON body (``seed_key`` is the row's ``id``)."""
    if not isinstance(body, dict):
        return {}, [FieldError(None, "send the seed as a JSON object")]
    body = dict(body)
    body.pop("id", None)  # the registry's number: named by the URL, never changed
    if "seed_key" in body:
        body["id"] = body.pop("seed_key")
    unknown = sorted(set(body) - set(FIELDS) - SHOWN_ONLY)
    errors = [FieldError(name[:60], "unknown field") for name in unknown]
    row = flat_row(body)
    if not partial:
        row = {name: row.get(name, "") for name in FIELDS}
    return row, errors


def _library_for(db: Session, rights: Access, name: Any) -> Library | FieldError:
    """The library named ``name``, or the account's only editable one when none is named."""
    if name:
        library = db.scalar(select(Library).where(Library.name == str(name).strip()))
        if library is None or not rights.can(EDIT, library.id):
            return FieldError("library", f"no library {str(name)[:60]!r} that this account edits")
        return library
    if len(rights.edit) == 1:
        return db.get(Library, next(iter(rights.edit)))
    return FieldError("library", "required: the name of the seed's library")


def _seed(db: Session, rights: Access, seed_id: int, action: str | None):
    seed = db.get(RegisteredSeed, seed_id)
    if seed is None:
        return _error(404, f"no seed {seed_id}")
    if not rights.can_see(seed.library_id) or (action and not rights.can(action, seed.library_id)):
        return _error(403, "this account may not " + ("change" if action else "see") + " this seed")
    return seed


def _shown(db: Session, seed: RegisteredSeed) -> dict:
    state = (
        db.scalar(select(CrawlJob.state).where(CrawlJob.id == seed.last_job_id))
        if seed.last_job_id
        else None
    )
    return seed_json(seed, also_registered_by(db, [seed]).get(seed.id), state)


def _invalid(errors: list[FieldError]):
    return jsonify({"errors": [e.as_json() for e in errors]}), 422


def _error(status: int, message: str):
    return jsonify({"error": message}), status
