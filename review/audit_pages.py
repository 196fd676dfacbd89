"""``/audit`` (审核日志): the audit log, filtered and paged; ``/audit.csv`` its export with the
same filters; ``GET /api/audit[?since=ISO-DATE&limit=N&after=ID]`` the decisions as a JSON
list, oldest first, at most ``limit`` (``API_LIMIT`` by default, ``API_MAX_LIMIT`` at most)
with ids above ``after``: the last one's id is the cursor of the next answer, which a
``Link: <…>; rel="next"`` header names while more follow (the page's other filters apply
there too).

Everyone signed in reads the decisions of the libraries they may see
(``accounts.visibility``); nobody changes them (the database refuses it).
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    jsonify,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from diancang.accounts.models import ROLE_NAMES, Library
from diancang.accounts.visibility import access
from diancang.catalog.db import Catalog
from diancang.console.api import api_account, protect_api
from diancang.review.audit import (
    API_LIMIT,
    API_MAX_LIMIT,
    AuditFilter,
    AuditFilterError,
    audit_page,
    csv_lines,
    decision_json,
    decisions_query,
    in_batches,
    library_names,
    next_after,
    read_whole,
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
            limit = read_whole(request.args, "limit", API_LIMIT, 1, API_MAX_LIMIT)
            after = read_whole(request.args, "after", 0, 0, 2**63 - 1)
        except AuditFilterError as error:
            return jsonify({"errors": [{"field": error.field, "message": str(error)}]}), 422
        account = api_account()
        with catalog.session() as db:
            cursor = next_after(
                db, decisions_query(account, access(db, account).see, found), after, limit
            )
        headers = {}
        if cursor is not None:
            args = {**found.query_args(), "limit": limit, "after": cursor}
            headers["Link"] = f'<{url_for(".audit_json", _external=True, **args)}>; rel="next"'

        def body():
            with catalog.session() as db:
                names = library_names(db)
                query = decisions_query(account, access(db, account).see, found)
                yield "["
                for n, decision in enumerate(in_batches(db, query, after, limit)):
                    text = json.dumps(decision_json(decision, names), ensure_ascii=False)
                    yield ("," if n else "") + text
                yield "]"

        return Response(stream_with_context(body()), mimetype="application/json", headers=headers)

    return [pages, protect_api(api)]
