"""The web app: each stage mounts its pages here.

- ``/oai``: the catalogue's OAI-PMH provider, public (harvesters expect it open).
- ``/wasapi/v1/webdata``: the transfer listing (WASAPI) of stored WARCs and their downloads,
  and ``/wasapi/v1/jobs`` (``diancang.storage.transfer_api``), for tokens with the
  ``harvester`` role only; not mounted at all while ``DIANCANG_API_TOKENS`` names no
  harvester token.
- the librarians' console (``/login``, ``/libraries``, ``/users``…): Flask-Login sessions
  over the accounts of ``diancang.accounts``, a CSRF token (Flask-WTF) checked on every
  POST, PUT, PATCH and DELETE before any view runs, except where no cookie can speak for a
  user: OAI-PMH, the transfer listing, and ``/api`` requests carrying a token; anonymous
  users are sent to ``/login``.
- ``/api``: JSON for a personal API token or a session (``diancang.console.api``).
- curator pages of the role tokens carry ``@requires_role("curator")``
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
from pathlib import Path

from flask import Flask, Response, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from diancang.accounts.login import init_login
from diancang.accounts.pages import accounts_blueprint
from diancang.accounts.throttle import LoginThrottle
from diancang.catalog.db import Catalog, open_catalog
from diancang.catalog.oai.app import oai_blueprint
from diancang.catalog.search_pages import search_blueprints
from diancang.console.api import API_PREFIX, CATALOG_EXTENSION, api_blueprint, token_authenticated
from diancang.console.auth import (
    HARVESTER,
    TRANSFER_PATH,
    ApiTokens,
    init_auth,
    protect_blueprint,
)
from diancang.console.secret_key import session_secret
from diancang.dashboard.pages import register as register_dashboard
from diancang.jobs.pages import jobs_blueprint
from diancang.jobs.workers_page import workers_blueprint
from diancang.registry.api import registry_api_blueprint
from diancang.registry.imports import MAX_UPLOAD_BYTES
from diancang.registry.pages import registry_blueprint
from diancang.replay.access_pages import access_blueprint
from diancang.review.audit_pages import audit_blueprints
from diancang.review.pages import review_blueprint
from diancang.review.sample_pages import samples_blueprint
from diancang.settings import Settings, load_settings
from diancang.storage.base import WarcStore

log = logging.getLogger(__name__)

TRANSFER_EXTENSION = "diancang.transfer"
HERE = Path(__file__).resolve().parent
# Blueprints no session cookie speaks for: they take no CSRF token.
WITHOUT_CSRF = frozenset({"oai", "transfer"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ERROR_PAGES = {
    400: ("请求无效", "请求无法处理。"),
    403: ("无权访问", "您的账号无权查看或修改此页面。"),
    404: ("页面不存在", "没有这个页面。"),
    405: ("方法不允许", "此页面不接受这种请求。"),
    413: ("文件太大", "上传的文件太大，请拆分后分别上传。"),
}

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
    settings: Settings | None = None,
    login_throttle: LoginThrottle | None = None,
) -> Flask:
    """The Diancang web app over ``catalog`` (default: the configured catalogue database).

    ``tokens`` default to ``DIANCANG_API_TOKENS`` (a malformed value raises
    ``TokenConfigError``); ``store`` to the configured WARC store, opened only when the
    transfer listing is served; ``settings`` to the loaded settings.
    """
    tokens = ApiTokens.configured() if tokens is None else tokens  # a bad value fails first
    settings = settings or load_settings()
    catalog = catalog or open_catalog(settings.database_url)
    app = Flask(
        "diancang",
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
    )
    _configure_console(app, settings)
    app.extensions[CATALOG_EXTENSION] = catalog
    init_auth(app, tokens)
    init_login(app, catalog, login_throttle)
    app.register_blueprint(
        oai_blueprint(catalog, page_size=oai_page_size, publish_policy=settings.publish_policy)
    )
    app.extensions[TRANSFER_EXTENSION] = _mount_transfer(app, tokens, store, settings)
    app.register_blueprint(accounts_blueprint(catalog))
    app.register_blueprint(api_blueprint())
    app.register_blueprint(jobs_blueprint(catalog, settings.replay_url))
    app.register_blueprint(workers_blueprint(settings))
    for blueprint in search_blueprints(catalog):
        app.register_blueprint(blueprint)
    register_dashboard(app, catalog)
    app.register_blueprint(registry_blueprint(catalog))
    app.register_blueprint(registry_api_blueprint(catalog))
    app.register_blueprint(review_blueprint(catalog, settings, CONTENT_SECURITY_POLICY))
    for blueprint in audit_blueprints(catalog, settings):
        app.register_blueprint(blueprint)
    app.register_blueprint(samples_blueprint(catalog, settings))
    app.register_blueprint(access_blueprint(catalog, settings))

    @app.get("/")
    def index():
        services = {"service": "diancang", "oai": "/oai?verb=Identify", "console": "/login"}
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


def _configure_console(app: Flask, settings: Settings) -> None:
    """Session cookie flags, the signing key, and CSRF checks before every view."""
    app.config.update(
        SECRET_KEY=session_secret(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked below, with the exceptions named there
        WTF_CSRF_TIME_LIMIT=None,  # a form's token lasts as long as its session
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,  # the largest upload: a seed list
    )
    csrf = CSRFProtect(app)

    @app.before_request
    def check_csrf():
        if request.method not in UNSAFE_METHODS or request.blueprint in WITHOUT_CSRF:
            return
        if token_authenticated() or _anonymous_api_call():
            return
        csrf.protect()

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError):
        message = "表单缺少有效的安全令牌（CSRF），请刷新页面后重新提交。"
        if request.path.startswith(API_PREFIX + "/"):
            return jsonify({"error": f"CSRF check failed: {error.description}"}), 400
        return render_template("error.html", title="请求被拒绝", message=message), 400

    for status, (title, message) in ERROR_PAGES.items():
        app.register_error_handler(status, _error_page(status, title, message))


def _anonymous_api_call() -> bool:
    """An /api call with neither token nor session: no cookie speaks for anyone, so there is
    nothing to forge; the API answers it 401."""
    return request.path.startswith(API_PREFIX + "/") and not current_user.is_authenticated


def _error_page(status: int, title: str, message: str):
    def handler(error):
        if request.path.startswith(API_PREFIX + "/"):
            return jsonify({"error": getattr(error, "description", title)}), status
        return render_template("error.html", title=title, message=message), status

    return handler


def _mount_transfer(
    app: Flask, tokens: ApiTokens, store: WarcStore | None, settings: Settings
) -> bool:
    """Mount the transfer listing behind the harvester role; never without a token for it."""
    if not tokens.has_role(HARVESTER):
        log.warning(
            "transfer listing disabled: DIANCANG_API_TOKENS configures no %s token, and %s "
            "is never served without one",
            HARVESTER,
            TRANSFER_PATH,
        )
        return False
    from diancang.storage.transfer_api import transfer_blueprint

    if store is None:
        from diancang.storage import open_store

        store = open_store(settings)
    blueprint = transfer_blueprint(store, settings.reports_dir)
    app.register_blueprint(protect_blueprint(blueprint, HARVESTER))
    return True
