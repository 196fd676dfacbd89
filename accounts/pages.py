"""The console's ``/libraries`` and ``/users`` pages: the admin manages, others look.

Each user sees the libraries ``visibility.access`` lets them see, and the accounts of those
libraries; only an admin (``manages_accounts``) gets the forms and may post them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.accounts.errors import AccountError
from diancang.accounts.forms import LibraryForm, TargetsForm, UserForm
from diancang.accounts.libraries import add_library, jurisdiction_label, set_targets
from diancang.accounts.models import LEVEL_NAMES, ROLE_NAMES, Library, User
from diancang.accounts.users import add_user
from diancang.accounts.visibility import Access, access, manages_accounts
from diancang.catalog.db import Catalog

NO_PARENT = ""


def accounts_blueprint(catalog: Catalog) -> Blueprint:
    blueprint = Blueprint("accounts", __name__, template_folder="templates")

    @blueprint.context_processor
    def words():
        return {
            "level_names": LEVEL_NAMES,
            "role_names": ROLE_NAMES,
            "jurisdiction_label": jurisdiction_label,
        }

    @blueprint.route("/libraries", methods=["GET", "POST"])
    @login_required
    def libraries_page():
        admin = manages_accounts(current_user)
        if request.method == "POST" and not admin:
            abort(403)
        with catalog.session() as db:
            rights = access(db, current_user)
            libraries = _visible(db, rights)
            form = LibraryForm() if admin else None
            if form is not None:
                form.parent.choices = [(NO_PARENT, "（无）")] + [
                    (lib.name, lib.name) for lib in libraries if lib.level != "county"
                ]
            if form is not None and form.validate_on_submit():
                try:
                    library = add_library(
                        db,
                        form.name.data,
                        form.level.data,
                        form.jurisdiction.data,
                        form.parent.data or None,
                        form.records_target.data,
                    )
                except AccountError as error:
                    _show(form, error)
                else:
                    flash(f"已登记图书馆：{library.name}")
                    return redirect(url_for(".libraries_page"))
            status = 422 if form is not None and form.errors else 200
            page = render_template("libraries.html", libraries=libraries, form=form)
        return page, status

    @blueprint.route("/libraries/<int:library_id>", methods=["GET", "POST"])
    @login_required
    def library_page(library_id: int):
        admin = manages_accounts(current_user)
        if request.method == "POST" and not admin:
            abort(403)
        with catalog.session() as db:
            rights = access(db, current_user)
            if not rights.can_see(library_id):
                abort(403)
            library = db.get(Library, library_id)
            if library is None:
                abort(404)
            form = TargetsForm(obj=library) if admin else None
            if form is not None and form.validate_on_submit():
                try:
                    set_targets(library, form.records_target.data, form.websites_target.data)
                except AccountError as error:
                    _show(form, error)
                else:
                    flash("年度目标已更新")
                    return redirect(url_for(".library_page", library_id=library_id))
            children = [lib for lib in _visible(db, rights) if lib.parent_id == library.id]
            staff = list(
                db.scalars(
                    select(User).where(User.library_id == library.id).order_by(User.username)
                )
            )
            status = 422 if form is not None and form.errors else 200
            page = render_template(
                "library.html", library=library, children=children, staff=staff, form=form
            )
        return page, status

    @blueprint.route("/users", methods=["GET", "POST"])
    @login_required
    def users_page():
        admin = manages_accounts(current_user)
        if request.method == "POST" and not admin:
            abort(403)
        with catalog.session() as db:
            rights = access(db, current_user)
            libraries = _visible(db, rights)
            form = UserForm() if admin else None
            if form is not None:
                form.library.choices = [(NO_PARENT, "（无：系统管理员）")] + [
                    (lib.name, lib.name) for lib in libraries
                ]
            if form is not None and form.validate_on_submit():
                try:
                    user = add_user(
                        db,
                        form.username.data,
                        form.role.data,
                        form.password.data,
                        form.library.data or None,
                    )
                except AccountError as error:
                    _show(form, error)
                else:
                    flash(f"已创建用户：{user.username}")
                    return redirect(url_for(".users_page"))
            query = select(User).order_by(User.username)
            if not admin:
                query = query.where(User.library_id.in_(rights.see))
            users = list(db.scalars(query))
            names = {lib.id: lib.name for lib in libraries}
            status = 422 if form is not None and form.errors else 200
            page = render_template("users.html", users=users, names=names, form=form)
        return page, status

    return blueprint


def _visible(db: Session, rights: Access) -> list[Library]:
    query = select(Library).where(Library.id.in_(rights.see))
    return list(db.scalars(query.order_by(Library.jurisdiction, Library.name)))


def _show(form, error: AccountError) -> None:
    """Show ``error`` beside its field (the form's first field when it names none)."""
    field = getattr(form, error.field, None) or next(iter(form))
    field.errors = [*field.errors, error.chinese]
