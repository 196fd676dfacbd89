"""The console's ``/jobs`` pages: the list, one job with its live figures, and the forms that
start (from a seed page's «立即采集»), stop, resume and run a job again.

Each page asks ``accounts.visibility.access``: the jobs of the libraries the user sees; the
forms only for those they edit (another library's job: 403). ``/api/jobs`` is mounted here
too (``diancang.jobs.api``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from diancang.accounts.visibility import EDIT, access
from diancang.catalog.db import Catalog
from diancang.jobs.api import jobs_api_blueprint
from diancang.jobs.models import ACTIVE, FAILED, STATE_NAMES, STATES, STOPPED
from diancang.jobs.queue import JobError, request_stop, rerun_job, resume_job
from diancang.jobs.views import job_for, job_json, start_job, visible_jobs

REFRESH_SECONDS = 5  # the page of a queued or running job reloads itself


def jobs_blueprint(catalog: Catalog, replay_base: str) -> Blueprint:
    blueprint = Blueprint("jobs", __name__, template_folder="templates")
    blueprint.register_blueprint(jobs_api_blueprint(catalog, replay_base))

    @blueprint.context_processor
    def words():
        return {"state_names": STATE_NAMES, "states": STATES}

    @blueprint.get("/jobs")
    @login_required
    def jobs_page():
        state = request.args.get("state") or None
        page = request.args.get("page", "1")
        with catalog.session() as db:
            found = visible_jobs(
                db, access(db, current_user), state, int(page) if page.isdigit() else 1
            )
            return render_template("jobs_list.html", found=found, state=state)

    @blueprint.post("/jobs")
    @login_required
    def start_page():
        seed_ids = [int(i) for i in request.form.getlist("seeds") if i.strip().isdigit()]
        try:
            with catalog.session() as db:
                job = start_job(db, access(db, current_user), current_user.id, seed_ids)
                job_id = job.id
        except JobError as error:
            return render_template("error.html", title="无法开始采集", message=error.message), 422
        flash("已加入采集队列")
        return redirect(url_for(".job_page", job_id=job_id))

    @blueprint.get("/jobs/<int:job_id>")
    @login_required
    def job_page(job_id: int):
        with catalog.session() as db:
            rights = access(db, current_user)
            job = job_for(db, rights, job_id)
            view = job_json(job, replay_base, detail=True)
            scoring = view["qa"] is not None and not view["qa"]["finished"]
            return render_template(
                "job_page.html",
                job=job,
                view=view,
                can_edit=rights.can(EDIT, job.library_id),
                refresh=REFRESH_SECONDS if job.state in ACTIVE or scoring else None,
                resumable=(STOPPED, FAILED),
            )

    @blueprint.post("/jobs/<int:job_id>/<any(stop, resume, rerun):action>")
    @login_required
    def change_page(job_id: int, action: str):
        try:
            with catalog.session() as db:
                job = job_for(db, access(db, current_user), job_id, edit=True)
                if action == "rerun":
                    job_id = rerun_job(db, job, current_user.id).id
                    message = "已重新加入采集队列"
                elif action == "stop":
                    request_stop(db, job)
                    message = "已请求停止"
                else:
                    resume_job(db, job)
                    message = "已加入采集队列，将继续采集"
        except JobError as error:
            flash(error.message)
        else:
            flash(message)
        return redirect(url_for(".job_page", job_id=job_id))

    return blueprint
