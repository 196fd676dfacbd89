"""The web app: each stage mounts its pages here.

- ``/oai``: the catalogue's OAI-PMH provider, public (harvesters expect it open).
- ``/wasapi/v1/webdata``: the transfer listing (WASAPI) of stored WARCs and their downloads,
  and ``/wasapi/v1/jobs`` (``diancang.storage.transfer_api``), for tokens with the
  ``harvester`` role only; not mounted at all while ``DIANCANG_API_TOKENS`` names no
  harvester token.
- curator pages, when there are some, carry ``@requires_role("curator")``
  (``diancang.console.auth``).

Replayed archive content is never served by this app. pywb serves it (``diancang replay``)
on its own origin, another port: archived pages run the scripts of the sites they were
captured from, and on this origin they could read or call the console with a curator's
credentials. For the same reason every response here carries ``X-Content-Type-Options:
nosniff`` and a strict Content-Security-Policy: the console's pages load nothing from
elsewhere and may not be framed.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request

from diancang.catalog.db import Catalog, open_catalog
from diancang.catalog.oai.app import oai_blueprint
from diancang.console.auth import HARVESTER, ApiTokens, init_auth, protect_blueprint
from diancang.storage.base import WarcStore

log = logging.getLogger(__name__)

TRANSFER_PATH = "/wasapi/v1/webdata"
TRANSFER_EXTENSION = "diancang.transfer"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(
    catalog: Catalog | None = None,
    oai_page_size: int | None = None,
    store: WarcStore | None = None,
    tokens: ApiTokens | None = None,
) -> Flask:
    """The Diancang web app over ``catalog`` (default: the configured catalogue database).

    ``tokens`` default to ``DIANCANG_API_TOKENS`` (a malformed value raises
    ``TokenConfigError``); ``store`` to the configured WARC store, opened only when the
    transfer listing is served.
    """
    tokens = ApiTokens.configured() if tokens is None else tokens  # a bad value fails first
    catalog = catalog or open_catalog()
    app = Flask("diancang")
    init_auth(app, tokens)
    app.register_blueprint(oai_blueprint(catalog, page_size=oai_page_size))
    app.extensions[TRANSFER_EXTENSION] = _mount_transfer(app, tokens, store)

    @app.get("/")
    def index():
        services = {"service": "diancang", "oai": "/oai?verb=Identify"}
        if app.extensions[TRANSFER_EXTENSION]:
            services["transfer"] = TRANSFER_PATH
        return jsonify(services)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "Authorization" in request.headers:  # what a token shows is for its holder only
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _mount_transfer(app: Flask, tokens: ApiTokens, store: WarcStore | None) -> bool:
    """Mount the transfer listing behind the harvester role; never without a token for it."""
    if not tokens.has_role(HARVESTER):
        log.warning(
            "transfer listing disabled: DIANCANG_API_TOKENS configures no %s token, and %s "
            "is never served without one",
            HARVESTER,
            TRANSFER_PATH,
        )
        return False
    from diancang.settings import load_settings
    from diancang.storage.transfer_api import transfer_blueprint

    settings = load_settings()
    if store is None:
        from diancang.storage import open_store

        store = open_store(settings)
    blueprint = transfer_blueprint(store, settings.reports_dir)
    app.register_blueprint(protect_blueprint(blueprint, HARVESTER))
    return True
