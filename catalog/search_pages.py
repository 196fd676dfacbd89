"""``/search`` (the console's search page), ``GET /api/search`` (the same, as JSON) and
``/records/ID`` (a record, its captures and its 查重).

Both read the same arguments (``q``, ``jurisdiction``, ``collection``, ``agency``, ``year``,
``library``, ``withdrawn``, ``page``; see ``diancang.catalog.search``) and show only the
records the user may see.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from diancang import jurisdictions
from diancang.accounts.models import Library
from diancang.catalog.db import Catalog
from diancang.catalog.models import Record
from diancang.catalog.search import (
    COUNT_LIMIT,
    FACET_NAMES,
    FACETS,
    NO_LIBRARY_NAME,
    PAGE_SIZE,
    Hit,
    Results,
    SearchError,
    SearchQuery,
    duplicates_elsewhere,
    search,
    visible_ids,
)
from diancang.catalog.views import load_views
from diancang.console.api import api_account, protect_api
from diancang.review.states import STATE_NAMES


def search_blueprints(catalog: Catalog) -> list[Blueprint]:
    """The page (session login) and the API endpoint (token or session)."""
    page = Blueprint("search", __name__, template_folder="templates")
    api = Blueprint("search_api", __name__, url_prefix="/api")

    @page.context_processor
    def words():
        return {
            "trail": jurisdiction_trail,
            "no_library": NO_LIBRARY_NAME,
            "count_limit": COUNT_LIMIT,
        }

    @page.get("/search")
    @login_required
    def search_page():
        try:
            query = SearchQuery.from_args(request.args)
        except SearchError as error:
            return render_template("search.html", query=None, errors=error.errors), 422
        with catalog.session() as db:
            results = search(db, query, current_user)
            return render_template(
                "search.html", query=query, results=results, facets=FACETS, names=FACET_NAMES
            )

    @api.get("/search")
    def search_api():
        try:
            query = SearchQuery.from_args(request.args)
        except SearchError as error:
            errors = [{"field": f, "message": m} for f, m in error.errors]
            return jsonify({"errors": errors}), 422
        with catalog.session() as db:
            return jsonify(results_json(search(db, query, api_account())))

    @page.get("/records/<int:record_id>")
    @login_required
    def record_page(record_id: int):
        with catalog.session() as db:
            record = db.get(Record, record_id)
            if record is None or record.id not in visible_ids(db, current_user, {record_id}):
                abort(404)
            (view,) = load_views(db, [record])
            duplicates = duplicates_elsewhere(db, record)
            return render_template(
                "record.html",
                view=view,
                library=db.get(Library, record.library_id) if record.library_id else None,
                duplicates=duplicates,
                linked=visible_ids(db, current_user, {d.record_id for d in duplicates}),
                state_names=STATE_NAMES,
            )

    return [page, protect_api(api)]


def jurisdiction_trail(code: str) -> list[tuple[str, str]]:
    """(code, name) from the province down to ``code``, for the facet's breadcrumb."""
    trail, place = [], jurisdictions.lookup(code)
    while place is not None:
        trail.append((place.code, place.name))
        place = jurisdictions.lookup(place.parent) if place.parent else None
    return list(reversed(trail)) or [(code, code)]


def results_json(results: Results) -> dict:
    return {
        "query": results.query.args(),
        "total": results.total,
        "capped": results.capped,  # more than count_limit matches: all of this covers the newest
        "count_limit": COUNT_LIMIT,
        "page": results.query.page,
        "pages": results.pages,
        "page_size": PAGE_SIZE,
        "results": [hit_json(hit) for hit in results.hits],
        "facets": {
            name: [vars(value) for value in values] for name, values in results.facets.items()
        },
    }


def hit_json(hit: Hit) -> dict:
    record = hit.record
    return {
        "id": record.id,
        "kind": record.kind,
        "title": record.title or record.site_name,
        "index_no": record.index_no,
        "doc_number": record.doc_number,
        "agency": record.agency,
        "pub_date": record.pub_date,
        "collection": record.collection,
        "jurisdiction": record.jurisdiction_code,
        "jurisdiction_name": record.jurisdiction_name,
        "library": hit.library,
        "withdrawn": record.deleted,
        "url": record.source_url,
        "highlight": {"title": str(hit.title), "snippet": str(hit.snippet)},
        "captures": [
            {
                "url": capture.url,
                "captured_at": capture.captured_at.isoformat(),
                "status": capture.status,
                "replay": capture.replay_url,
            }
            for capture in hit.captures
        ],
        "duplicates_elsewhere": [{"library": d.library, "match": d.match} for d in hit.duplicates],
    }
