"""The web app: each stage mounts its pages here (the catalogue's OAI-PMH provider at /oai)."""

from __future__ import annotations

from flask import Flask, jsonify

from catalog.db import Catalog, open_catalog
from catalog.oai.app import oai_blueprint


def create_app(catalog: Catalog | None = None, oai_page_size: int | None = None) -> Flask:
    """The Diancang web app over ``catalog`` (default: the configured catalogue database)."""
    catalog = catalog or open_catalog()
    app = Flask("diancang")
    app.register_blueprint(oai_blueprint(catalog, page_size=oai_page_size))

    @app.get("/")
    def index():
        return jsonify({"service": "diancang", "oai": "/oai?verb=Identify"})

    return app
