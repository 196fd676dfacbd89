"""``/audit`` (审核日志): the audit log, filtered and paged; ``/audit.csv`` its export with the
same filters; ``GET /api/audit[?since=ISO-DATE]`` the decisions as JSON, oldest first (the
page's other filters apply there too).

Everyone signed in reads the decisions of the libraries they may see
(``accounts.visibility``); nobody changes them (the database refuses it).
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, Response, jsonify, render_template, request, stream_with_context
from flask_login import current_user, login_required
from sqlalchemy import select

from diancang.accounts.models import ROLE_NAMES, Library
from diancang.accounts.visibility import access
from diancang.catalog.db import Catalog
from diancang.console.api import api_account, protect_api
from diancang.review.audit import (
    AuditFilter,
    AuditFilterError,
    audit_page,
    csv_lines,
    decision_json,
    decisions_query,
    in_batches,
    library_names,
    utc_text,
)
from diancang.review.states import ACTION_NAMES, ACTIONS, STATE_NAMES
from diancang.settings import Settings


def audit_blueprints(catalog: Catalog, settings: Settings) -> list[Blueprint]:
    pages = Blueprint("audit", __name__, template_folder="templates")

    @pages.get("/audit")
    @login_required
    def audit_log():
        try:
            found = AuditFilter.from_args(request.args)
        except AuditFilterError as error:
            return render_template("error.html", title="请求无效", message=str(error)), 400
        page = request.args.get("page", "1")
        with catalog.session() as db:
            see = access(db, current_user).see
            libraries = list(
                db.scalars(select(Library).where(Library.id.in_(see)).order_by(Library.name))
            )
            shown = audit_page(
                db, decisions_query(current_user, see, found), int(page) if page.isdigit() else 1
            )
            return render_template(
                "audit_log.html",
                shown=shown,
                found=found,
                args=found.query_args(),
                libraries=libraries,
                names=library_names(db),
                actions=ACTIONS,
                action_names=ACTION_NAMES,
                state_names=STATE_NAMES,
                role_names=ROLE_NAMES,
                reasons=settings.review.reasons,
                utc_text=utc_text,
                one_day=timedelta(days=1),
            )

    @pages.get("/audit.csv")
    @login_required
    def audit_csv():
        try:
            found = AuditFilter.from_args(request.args)
        except AuditFilterError as error:
            return render_template("error.html", title="请求无效", message=str(error)), 400
        user = current_user._get_current_object()

        def lines():
            with catalog.session() as db:
                query = decisions_query(user, access(db, user).see, found)
                yield from csv_lines(in_batches(db, query), library_names(db))

        return Response(
            stream_with_context(lines()),
            mimetype="text/csv",
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": 'attachment; filename="audit-log.csv"',
            },
        )

    api = Blueprint("audit_api", __name__, url_prefix="/api/audit")

    @api.get("")
    def audit_json():
        try:
            found = AuditFilter.from_args(request.args)
        except AuditFilterError as error:
            return jsonify({"errors": [{"field": error.field, "message": str(error)}]}), 422
        account = api_account()

        def body():
            with catalog.session() as db:
                names = library_names(db)
                query = decisions_query(account, access(db, account).see, found)
                yield "["
                for n, decision in enumerate(in_batches(db, query)):
                    text = json.dumps(decision_json(decision, names), ensure_ascii=False)
                    yield ("," if n else "") + text
                yield "]"

        return Response(stream_with_context(body()), mimetype="application/json")

    return [pages, protect_api(api)]
