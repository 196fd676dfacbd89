"""``/api/jobs``: crawl jobs as JSON, for a personal API token or a logged-in session.

``GET /api/jobs[?state=&page=]``, ``POST /api/jobs {"seeds": [ID, …]}`` → 201 and the job,
``GET /api/jobs/ID``, ``POST /api/jobs/ID/stop``, ``/resume``, ``/rerun`` (→ 201, the new
job). Who may do what is ``accounts.visibility.access``: another library's job is 403.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from diancang.accounts.visibility import access
from diancang.catalog.db import Catalog
from diancang.console.api import api_account, protect_api
from diancang.jobs.queue import JobError, request_stop, rerun_job, resume_job
from diancang.jobs.views import job_for, job_json, start_job, visible_jobs


def _errors(status: int, field: str, message: str):
    return jsonify({"errors": [{"field": field, "message": message}]}), status


def _seed_ids(body) -> list[int] | None:
    if not isinstance(body, dict) or not isinstance(body.get("seeds"), list):
        return None
    ids = body["seeds"]
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return None
    return ids


def jobs_api_blueprint(catalog: Catalog, replay_base: str) -> Blueprint:
    blueprint = Blueprint("api", __name__, url_prefix="/api/jobs")

    @blueprint.errorhandler(JobError)
    def job_error(error: JobError):
        status = 409 if error.field == "state" else 422
        return _errors(status, error.field, error.message)

    @blueprint.get("")
    def list_jobs():
        page = request.args.get("page", "1")
        with catalog.session() as db:
            rights = access(db, api_account())
            found = visible_jobs(
                db, rights, request.args.get("state"), int(page) if page.isdigit() else 1
            )
            return jsonify(
                {
                    "jobs": [job_json(job, replay_base) for job in found.jobs],
                    "total": found.total,
                    "page": found.page,
                    "pages": found.pages,
                }
            )

    @blueprint.post("")
    def create_job():
        seed_ids = _seed_ids(request.get_json(silent=True))
        if seed_ids is None:
            return _errors(422, "seeds", 'expected {"seeds": [ID, …]}: a list of seed ids')
        account = api_account()
        with catalog.session() as db:
            job = start_job(db, access(db, account), account.id, seed_ids)
            return jsonify(job_json(job, replay_base)), 201

    @blueprint.get("/<int:job_id>")
    def show_job(job_id: int):
        with catalog.session() as db:
            job = job_for(db, access(db, api_account()), job_id)
            return jsonify(job_json(job, replay_base, detail=True))

    @blueprint.post("/<int:job_id>/<any(stop, resume, rerun):action>")
    def change_job(job_id: int, action: str):
        account = api_account()
        with catalog.session() as db:
            job = job_for(db, access(db, account), job_id, edit=True)
            if action == "rerun":
                return jsonify(job_json(rerun_job(db, job, account.id), replay_base)), 201
            (request_stop if action == "stop" else resume_job)(db, job)
            return jsonify(job_json(job, replay_base))

    return protect_api(blueprint)
