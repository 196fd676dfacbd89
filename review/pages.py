"""The console's review pages: ``/review`` (the queue of the libraries a user sees, by job and
seed, sorted by QA score), ``/review/CAPTURE_ID`` (replay in a frame of the staff replay
origin, the QA screenshots and their difference, the text comparison, the missing resources
and live leaks, the record with each field's provenance, the item's audit history and the
decision forms) and the bulk approval of a job's pages. ``/api/review`` is mounted here too
(``diancang.review.api``).

Librarians and auditors see the queue and the scores read-only; decisions are
``review.decisions.decide``'s to allow or refuse.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from diancang.accounts.visibility import access
from diancang.catalog.db import Catalog
from diancang.jobs.queue import JobError
from diancang.review.api import review_api_blueprint
from diancang.review.decisions import NotAllowed, ReviewError, may_decide, may_decide_for
from diancang.review.states import (
    ACTION_NAMES,
    APPROVE,
    PATCH,
    REJECT,
    SEVERITY_NAMES,
    STATE_NAMES,
    STATES,
)
from diancang.review.views import (
    DESCENDING,
    QA_IMAGES,
    RECORD_FIELDS,
    QueueFilter,
    bulk_approve,
    history,
    item_for,
    parse_threshold,
    qa_image,
    review_queue,
    scores,
    staff_frame_src,
    take_decision,
    text_comparison,
)
from diancang.settings import Settings

DEFAULT_THRESHOLD = 0.9  # the bulk approval form's suggestion: Browsertrix's "good" band
FORM_ACTIONS = (APPROVE, REJECT, PATCH)


def review_blueprint(catalog: Catalog, settings: Settings, security_policy: str) -> Blueprint:
    """``security_policy``: the console's Content-Security-Policy, which the item page widens
    by one ``frame-src`` for the staff replay frame."""
    blueprint = Blueprint("review", __name__, template_folder="templates")
    blueprint.register_blueprint(review_api_blueprint(catalog, settings))
    qa_root = settings.data_dir / "qa"
    frame_policy = f"{security_policy}; frame-src 'self' {_origin(settings.staff_replay_url)}"

    @blueprint.context_processor
    def words():
        return {
            "review_state_names": STATE_NAMES,
            "review_states": STATES,
            "severity_names": SEVERITY_NAMES,
            "action_names": ACTION_NAMES,
        }

    @blueprint.get("/review")
    @login_required
    def queue_page():
        wanted = QueueFilter.of(request.args, default_state="pending")
        with catalog.session() as db:
            found = review_queue(db, access(db, current_user), wanted)
            return render_template(
                "review_queue.html",
                found=found,
                wanted=wanted,
                descending=DESCENDING,
                may_decide_for=lambda library_id: may_decide_for(current_user, library_id),
                threshold=DEFAULT_THRESHOLD,
            )

    @blueprint.post("/review/bulk")
    @login_required
    def bulk_page():
        job = request.form.get("job", "")
        if not job.isdigit():
            abort(400)
        try:
            with catalog.session() as db:
                threshold = parse_threshold(request.form.get("threshold"))
                approved = bulk_approve(
                    db, access(db, current_user), current_user, int(job), threshold
                )
        except NotAllowed:
            abort(403)
        except ReviewError as error:
            return _refused(400, str(error))
        flash(f"已批量通过 {len(approved)} 个页面（分数 ≥ {threshold:g}）")
        return redirect(url_for(".queue_page", job=job, state="all"))

    @blueprint.get("/review/<int:capture_id>")
    @login_required
    def item_page(capture_id: int):
        with catalog.session() as db:
            item = item_for(db, access(db, current_user), capture_id)
            score = item.latest_score
            page = render_template(
                "review_item.html",
                item=item,
                capture=item.capture,
                record=item.record,
                score=score,
                scores=scores(db, item),
                decisions=history(db, item),
                comparison=text_comparison(score.capture_text, score.replay_text)
                if score is not None
                else [],
                images={which: qa_image(qa_root, score, which) is not None for which in QA_IMAGES},
                frame_src=staff_frame_src(item.capture),
                record_fields=RECORD_FIELDS,
                can_decide=may_decide(current_user, item),
                reasons=settings.review.reasons,
            )
        response = make_response(page)
        response.headers["Content-Security-Policy"] = frame_policy
        return response

    @blueprint.get("/review/<int:capture_id>/qa/<any(capture, replay, diff):which>")
    @login_required
    def qa_image_file(capture_id: int, which: str):
        with catalog.session() as db:
            item = item_for(db, access(db, current_user), capture_id)
            found = qa_image(qa_root, item.latest_score, which)
        if found is None:
            abort(404)
        path, media_type = found
        return send_file(path, mimetype=media_type, max_age=0)

    @blueprint.post("/review/<int:capture_id>")
    @login_required
    def decide_page(capture_id: int):
        action = request.form.get("action")
        if action not in FORM_ACTIONS:
            abort(400)
        urls = request.form.getlist("missing") + request.form.get("urls", "").split()
        try:
            with catalog.session() as db:
                item = item_for(db, access(db, current_user), capture_id)
                job = take_decision(
                    db,
                    item,
                    current_user,
                    action,
                    settings.review.reasons,
                    reason=request.form.get("reason"),
                    comment=request.form.get("comment"),
                    urls=urls,
                )
        except NotAllowed:
            abort(403)
        except ReviewError as error:
            return _refused(400, str(error))
        except JobError as error:
            return _refused(400, error.message)
        if job is not None:
            flash(f"已提交补采任务 #{job.id}（{len(job.patch_urls)} 个网址）")
        else:
            flash(f"已{ACTION_NAMES[action]}")
        return redirect(url_for(".item_page", capture_id=capture_id))

    return blueprint


def _refused(status: int, message: str):
    return render_template("error.html", title="无法完成审核", message=message), status


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
