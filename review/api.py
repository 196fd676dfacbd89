"""``/api/review``: the review queue and decisions as JSON, for a personal API token or a
logged-in session.

- ``GET /api/review[?state=pending|approved|rejected&job=ID&severity=&order=&page=]``: the
  items of the libraries the user sees (every state unless ``state`` is given);
- ``GET /api/review/CAPTURE_ID`` → ``{"id", "url", "state", "record": {…}, "qa":
  {"screenshot_match", "text_match", "missing", "live_leaks", "severity"}}``;
- ``POST /api/review/CAPTURE_ID`` ``{"decision": "approve"|"reject"|"patch", "reason",
  "comment", "urls"}`` → the item, or for a patch 201 and the patch job;
- ``POST /api/review/bulk`` ``{"job": ID, "threshold": 0.9}`` → the approved items.

Another library's item is 404; a decision the user may not take 403 (librarians, auditors
outside their samples); a bad reason, threshold or URL 400 with a zh-CN message.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from diancang.accounts.visibility import access
from diancang.catalog.db import Catalog
from diancang.console.api import api_account, protect_api
from diancang.jobs.queue import JobError
from diancang.jobs.views import job_json
from diancang.review.decisions import NotAllowed, ReviewError
from diancang.review.states import APPROVE, PATCH, REJECT
from diancang.review.views import (
    QueueFilter,
    bulk_approve,
    item_for,
    item_json,
    parse_threshold,
    review_queue,
    summary_json,
    take_decision,
)
from diancang.settings import Settings

DECISIONS = (APPROVE, REJECT, PATCH)


def _error(status: int, message: str):
    return jsonify({"error": message}), status


def review_api_blueprint(catalog: Catalog, settings: Settings) -> Blueprint:
    blueprint = Blueprint("api", __name__, url_prefix="/api/review")

    @blueprint.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return _error(403, str(error))

    @blueprint.errorhandler(ReviewError)
    def refused(error: ReviewError):
        return _error(400, str(error))

    @blueprint.errorhandler(JobError)
    def bad_patch(error: JobError):
        return _error(400, error.message)

    @blueprint.get("")
    def list_items():
        wanted = QueueFilter.of(request.args, default_state=None)
        with catalog.session() as db:
            found = review_queue(db, access(db, api_account()), wanted)
            return jsonify(
                {
                    "items": [summary_json(item) for item in found.items],
                    "total": found.total,
                    "page": found.page,
                    "pages": found.pages,
                }
            )

    @blueprint.get("/<int:capture_id>")
    def show_item(capture_id: int):
        with catalog.session() as db:
            return jsonify(item_json(item_for(db, access(db, api_account()), capture_id)))

    @blueprint.post("/<int:capture_id>")
    def decide_item(capture_id: int):
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("decision") not in DECISIONS:
            return _error(400, '请求体应为 JSON：{"decision": "approve"|"reject"|"patch", …}')
        urls = body.get("urls") or []
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            return _error(400, "urls 应为网址列表")
        reason, comment = body.get("reason"), body.get("comment")
        if not all(value is None or isinstance(value, str) for value in (reason, comment)):
            return _error(400, "reason 和 comment 应为文字")
        account = api_account()
        with catalog.session() as db:
            item = item_for(db, access(db, account), capture_id)
            job = take_decision(
                db,
                item,
                account,
                body["decision"],
                settings.review.reasons,
                reason=reason,
                comment=comment,
                urls=urls,
            )
            if job is not None:
                return jsonify(job_json(job, settings.replay_url)), 201
            return jsonify(item_json(item))

    @blueprint.post("/bulk")
    def bulk():
        body = request.get_json(silent=True)
        job = body.get("job") if isinstance(body, dict) else None
        if not isinstance(job, int) or isinstance(job, bool):
            return _error(400, '请求体应为 JSON：{"job": 任务编号, "threshold": 0.9}')
        account = api_account()
        with catalog.session() as db:
            threshold = parse_threshold(body.get("threshold"))
            approved = bulk_approve(db, access(db, account), account, job, threshold)
            return jsonify(
                {
                    "job": job,
                    "threshold": threshold,
                    "approved": [item.capture_id for item in approved],
                }
            )

    return protect_api(blueprint)
