"""Console sessions (Flask-Login): ``/login``, ``/logout``, and who the request's user is.

The session cookie names the account and an HMAC of its password hash: changing a password
ends every session of the account. Sessions last ``SESSION_LIFETIME`` from login.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from diancang.accounts.forms import LoginForm, LogoutForm
from diancang.accounts.models import ROLE_NAMES, User
from diancang.accounts.throttle import LoginThrottle
from diancang.accounts.users import authenticate
from diancang.catalog.db import Catalog

SESSION_LIFETIME = timedelta(hours=12)
HOME = "accounts.libraries_page"  # where a login without ``next`` lands
THROTTLE_EXTENSION = "diancang.login_throttle"
BAD_CREDENTIALS = "用户名或密码错误"


@dataclass(frozen=True)
class Account(UserMixin):
    """A user as a request sees it: a snapshot, detached from any database session."""

    id: int
    username: str
    role: str
    library_id: int | None
    library_name: str | None
    active: bool
    session_check: str

    @classmethod
    def of(cls, user: User) -> Account:
        check = hmac.new(
            current_app.secret_key.encode(), user.password_hash.encode(), hashlib.sha256
        ).hexdigest()[:32]
        return cls(
            user.id,
            user.username,
            user.role,
            user.library_id,
            user.library.name if user.library else None,
            user.active,
            check,
        )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_check}"


def init_login(app: Flask, catalog: Catalog, throttle: LoginThrottle | None = None) -> None:
    """Sessions, the login and logout pages, and the user loader over ``catalog``."""
    app.config.update(PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME)
    app.extensions[THROTTLE_EXTENSION] = throttle or LoginThrottle(catalog)
    manager = LoginManager(app)
    manager.login_view = "accounts_login.login"
    manager.login_message = "请先登录。"

    @manager.user_loader
    def load(session_id: str) -> Account | None:
        user_id, _, check = session_id.partition(":")
        if not user_id.isdigit():
            return None
        with catalog.session() as db:
            user = db.get(User, int(user_id))
            account = Account.of(user) if user is not None else None
        if account is None or not hmac.compare_digest(account.session_check, check):
            return None
        return account

    app.register_blueprint(login_blueprint(catalog))

    @app.context_processor
    def layout():  # what base.html shows of the logged-in user
        if not current_user.is_authenticated:
            return {}
        return {"logout_form": LogoutForm(), "role_names": ROLE_NAMES}


def login_blueprint(catalog: Catalog) -> Blueprint:
    blueprint = Blueprint("accounts_login", __name__, template_folder="templates")

    @blueprint.route("/login", methods=["GET", "POST"])
    def login():
        form = LoginForm()
        error, status = None, 200
        if form.validate_on_submit():
            throttle: LoginThrottle = current_app.extensions[THROTTLE_EXTENSION]
            username, address = form.username.data.strip(), request.remote_addr or "-"
            wait = throttle.retry_after(username, address)
            if wait:
                page = render_template(
                    "login.html", form=form, error=f"登录失败次数过多，请在 {wait} 秒后再试。"
                )
                return page, 429, {"Retry-After": str(wait)}
            user = authenticate(catalog, username, form.password.data)
            account = Account.of(user) if user is not None else None
            if account is not None:
                throttle.succeeded(username)
                session.clear()
                login_user(account)
                session.permanent = True
                return redirect(_safe_next(request.args.get("next")) or url_for(HOME))
            throttle.failed(username, address)
            error, status = BAD_CREDENTIALS, 401
        elif request.method == "POST":
            status = 422
        return render_template("login.html", form=form, error=error), status

    @blueprint.post("/logout")
    def logout():  # its CSRF token is checked before any view (diancang.console.web)
        logout_user()
        session.clear()
        return redirect(url_for("accounts_login.login"))

    return blueprint


def _safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
