"""``/api``: JSON for the console's pages, for a personal API token or a logged-in session.

A request with an ``Authorization`` header is judged by that token alone (a personal token
of ``diancang users token``; a role token of ``DIANCANG_API_TOKENS`` is not an account and
gets 403); without one, by the session cookie. No credentials: 401. Every error is JSON.
Blueprints of later API endpoints call ``protect_api`` and read ``api_account()``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user

from diancang.accounts.login import Account
from diancang.accounts.tokens import user_of_token
from diancang.catalog.db import Catalog
from diancang.console.auth import EXTENSION as ROLE_TOKENS
from diancang.console.auth import ApiTokens, deny, request_token

API_PREFIX = "/api"
CATALOG_EXTENSION = "diancang.catalog"


def api_account() -> Account:
    """The account of the current ``/api`` request (after ``protect_api``)."""
    return g.api_account


def protect_api(blueprint: Blueprint) -> Blueprint:
    """Require an account for every view of ``blueprint`` (call before registering it)."""
    blueprint.before_request(_authenticate)
    return blueprint


def token_authenticated() -> bool:
    """True when this request is judged by its Authorization header (so needs no CSRF token)."""
    return request.path.startswith(API_PREFIX + "/") and "Authorization" in request.headers


def _authenticate():
    if "Authorization" not in request.headers:
        if current_user.is_authenticated:
            g.api_account = current_user._get_current_object()
            return None
        return deny(401, "log in, or send a personal API token (Authorization: Bearer TOKEN)")
    token = request_token()
    if token is None:
        return deny(401, "send a personal API token (Authorization: Bearer TOKEN)")
    catalog: Catalog = current_app.extensions[CATALOG_EXTENSION]
    with catalog.session() as db:
        user = user_of_token(db, token)
        account = Account.of(user) if user is not None else None
    if account is not None:
        g.api_account = account
        return None
    role_tokens: ApiTokens = current_app.extensions.get(ROLE_TOKENS) or ApiTokens()
    if role_tokens.roles_of(token):
        return deny(
            403, "this token holds a service role, not a console account", "insufficient_scope"
        )
    return deny(401, "the token is not valid", "invalid_token")


def api_blueprint() -> Blueprint:
    blueprint = Blueprint("api", __name__, url_prefix=API_PREFIX)

    @blueprint.get("/me")
    def me():
        account = api_account()
        return jsonify(
            {"username": account.username, "role": account.role, "library": account.library_name}
        )

    return protect_api(blueprint)
