"""The console's ``/access`` page (access rules of replay) and ``/staff-replay``, the door
from the console to the staff replay origin.

Rules are edited by the curators of their library and by admins (a rule of every collection
is an admin's alone); librarians and auditors see the rules of the libraries they see. A
change is written to pywb's access files at once (``diancang.replay.server.refresh_access``).

``/staff-replay?target=COLL/TIMESTAMP/URL`` sends a curator of the collection's library, or
an admin, to the staff origin with a short-lived signed token; another user who sees that
library goes to public replay, where the rules apply; anyone else gets 403. Replayed content
is never served from the console's origin.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from diancang.accounts.models import ADMIN, Library
from diancang.accounts.visibility import REVIEW, access
from diancang.catalog.db import Catalog
from diancang.console.secret_key import session_secret
from diancang.replay.access import (
    AccessRuleError,
    RuleInput,
    add_rule,
    collection_libraries,
    library_collections,
    parse_date,
    parse_days,
    parse_prefix,
    rule_words,
)
from diancang.replay.models import ACCESS, ACCESS_NAMES, AccessRule
from diancang.replay.server import refresh_access
from diancang.replay.staff_tokens import ALL, ENTER_PATH, make_token
from diancang.settings import Settings

ALL_LIBRARIES = "all"  # the form's word for a rule of every collection


def access_blueprint(catalog: Catalog, settings: Settings) -> Blueprint:
    blueprint = Blueprint("access", __name__, template_folder="templates")

    def page(db, status: int = 200, error: str | None = None):
        rights = access(db, current_user)
        rules = db.scalars(select(AccessRule).order_by(AccessRule.id)).all()
        shown = [r for r in rules if r.library_id is None or rights.can_see(r.library_id)]
        libraries = {lib.id: lib for lib in db.scalars(select(Library).order_by(Library.id))}
        editable = [lib for lib in libraries.values() if rights.can(REVIEW, lib.id)]
        return render_template(
            "access_rules.html",
            rules=shown,
            libraries=libraries,
            editable=editable,
            is_admin=current_user.role == ADMIN,
            may_edit=lambda rule: _may_edit(rights, rule.library_id),
            words=rule_words,
            access_names=ACCESS_NAMES,
            access_kinds=ACCESS,
            all_libraries=ALL_LIBRARIES,
            error=error,
            form=request.form,
        ), status

    @blueprint.get("/access")
    @login_required
    def access_page():
        with catalog.session() as db:
            return page(db)

    @blueprint.post("/access")
    @login_required
    def add_page():
        form = request.form
        with catalog.session() as db:
            rights = access(db, current_user)
            try:
                rule = _form_rule(form)
                if not _may_edit(rights, rule.library_id):
                    abort(403)
                row = add_rule(db, rule, current_user.id)
                db.commit()
                rule_id = row.id
            except AccessRuleError as error:
                db.rollback()
                return page(db, 400, error.message)
            refresh_access(settings, catalog)
        flash(f"已添加访问规则 #{rule_id}，公开回放即时生效")
        return redirect(url_for(".access_page"))

    @blueprint.post("/access/<int:rule_id>/remove")
    @login_required
    def remove_page(rule_id: int):
        with catalog.session() as db:
            rule = db.get(AccessRule, rule_id)
            if rule is None:
                abort(404)
            if not _may_edit(access(db, current_user), rule.library_id):
                abort(403)
            db.delete(rule)
            db.commit()
        refresh_access(settings, catalog)
        flash(f"已删除访问规则 #{rule_id}")
        return redirect(url_for(".access_page"))

    @blueprint.get("/staff-replay")
    @login_required
    def staff_replay():
        target = request.args.get("target", "").lstrip("/")
        collection, _, rest = target.partition("/")
        if not collection or not rest:
            abort(400)
        with catalog.session() as db:
            rights = access(db, current_user)
            owners = collection_libraries(db, collection)
            if current_user.role == ADMIN:
                collections = ALL
            elif owners & rights.review:
                reviewed = library_collections(db)
                collections = sorted(set().union(*(reviewed.get(i, ()) for i in rights.review)))
            elif owners & rights.see:
                return redirect(settings.replay_url + target, 303)  # the rules apply there
            else:
                abort(403)
        token = make_token(
            session_secret(settings), current_user.id, current_user.username, collections, target
        )
        staff = settings.staff_replay_url.rstrip("/")
        return redirect(f"{staff}{ENTER_PATH}?token={quote(token)}", 303)

    return blueprint


def _may_edit(rights, library_id: int | None) -> bool:
    """Curators edit their library's rules, admins every rule; a rule of every collection
    (no library) is an admin's alone."""
    if library_id is None:
        return current_user.role == ADMIN
    return rights.can(REVIEW, library_id)


def _form_rule(form) -> RuleInput:
    library = form.get("library", "").strip()
    if library == ALL_LIBRARIES:
        library_id = None
    elif library.isdigit():
        library_id = int(library)
    else:
        raise AccessRuleError("请选择规则适用的图书馆")
    embargo = form.get("embargo", "none")
    until = parse_date(form.get("until", "")) if embargo == "until" else None
    days = parse_days(form.get("days", "")) if embargo == "days" else None
    return RuleInput(
        url_prefix=parse_prefix(form.get("url_prefix", "")),
        access=form.get("access", ""),
        embargo_until=until,
        embargo_days=days,
        library_id=library_id,
        comment=form.get("comment"),
    )
