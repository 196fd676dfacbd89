"""The Flask blueprint that serves the OAI-PMH provider at ``/oai`` and its XML schemas."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, request, send_from_directory

from diancang.catalog.db import Catalog
from diancang.catalog.oai.provider import Provider, RepositoryInfo

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def oai_blueprint(
    catalog: Catalog,
    info: RepositoryInfo | None = None,
    page_size: int | None = None,
    publish_policy: str | None = None,
) -> Blueprint:
    """``/oai`` over ``catalog``; ``page_size`` records per list response (default: the
    ``oai.page_size`` setting, DIANCANG_OAI_PAGE_SIZE); the records ``publish_policy``
    publishes (default: the setting, DIANCANG_PUBLISH_POLICY)."""
    provider = Provider(catalog, info, page_size=page_size, publish_policy=publish_policy)
    blueprint = Blueprint("oai", __name__)

    @blueprint.route("/oai", methods=["GET", "POST"])
    def oai() -> Response:
        args = request.form if request.method == "POST" else request.args
        body = provider.handle(args.to_dict(flat=False), request.base_url)
        return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")

    @blueprint.route("/oai/schemas/<name>")
    def schema(name: str) -> Response:
        if not name.endswith(".xsd"):
            abort(404)
        return send_from_directory(SCHEMAS, name, mimetype="application/xml")

    blueprint.provider = provider  # type: ignore[attr-defined]
    return blueprint
