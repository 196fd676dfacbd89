"""``/review/samples`` (抽检): the samples a user may see, the auditor's draw form, one sample
with its pages and the auditor's confirm / send-back forms.

Everyone signed in sees the samples of the libraries they see; only an auditor of a
provincial library draws, and only the auditor who drew a sample judges its pages (403
otherwise, curators and admins included: 抽检 is the province's check of a library's review).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from diancang.accounts.models import ROLE_NAMES, User
from diancang.accounts.visibility import access
from diancang.catalog.db import Catalog
from diancang.catalog.records_builder import commit_with_datestamps
from diancang.review.decisions import NotAllowed, ReviewError
from diancang.review.models import AuditSample, AuditSampleItem, ReviewItem
from diancang.review.samples import (
    MAX_SAMPLE_SIZE,
    draw_sample,
    error_rate,
    give_verdict,
    repeated_items,
    samplable_libraries,
    visible_samples,
)
from diancang.review.states import ACTION_NAMES, CONFIRM, SEND_BACK, STATE_NAMES
from diancang.settings import Settings


def samples_blueprint(catalog: Catalog, settings: Settings) -> Blueprint:
    blueprint = Blueprint("samples", __name__, template_folder="templates")
    reasons = settings.review.reasons

    @blueprint.context_processor
    def words():
        return {
            "action_names": ACTION_NAMES,
            "state_names": STATE_NAMES,
            "role_names": ROLE_NAMES,
            "error_rate": error_rate,
            "reasons": reasons,
            "CONFIRM": CONFIRM,
            "SEND_BACK": SEND_BACK,
        }

    def you(db) -> User:
        return db.get(User, current_user.id)

    @blueprint.get("/review/samples")
    @login_required
    def samples_page():
        with catalog.session() as db:
            user, rights = you(db), access(db, current_user)
            auditors = dict(db.execute(select(User.id, User.username)).all())
            return render_template(
                "audit_samples.html",
                samples=visible_samples(db, user, rights),
                libraries=samplable_libraries(db, user, rights),
                auditors=auditors,
                default_size=settings.review.audit_sample_size,
                max_size=MAX_SAMPLE_SIZE,
            )

    @blueprint.post("/review/samples")
    @login_required
    def draw():
        library = request.form.get("library", "").strip()
        size = request.form.get("size", "").strip() or str(settings.review.audit_sample_size)
        if not library.isdigit() or not size.isdigit():
            return _refused(ReviewError("请选择图书馆，并填写样本数量（整数）"))
        try:
            with catalog.session() as db:
                sample = draw_sample(db, you(db), access(db, current_user), int(library), int(size))
                sample_id, repeats = sample.id, len(repeated_items(db, sample))
        except ReviewError as error:
            return _refused(error)
        flash(f"已抽取样本 #{sample_id}" + (f"（{repeats} 页此前已抽到过）" if repeats else ""))
        return redirect(url_for(".sample_page", sample_id=sample_id))

    @blueprint.get("/review/samples/<int:sample_id>")
    @login_required
    def sample_page(sample_id: int):
        with catalog.session() as db:
            sample = _sample(db, sample_id)
            return render_template(
                "audit_sample.html",
                sample=sample,
                auditor=db.get(User, sample.auditor_id),
                judges=sample.auditor_id == current_user.id,
                repeated=repeated_items(db, sample),
            )

    @blueprint.post("/review/samples/<int:sample_id>/items/<int:entry_id>")
    @login_required
    def verdict(sample_id: int, entry_id: int):
        try:
            with catalog.session() as db:
                sample = _sample(db, sample_id)
                entry = db.get(AuditSampleItem, entry_id)
                if entry is None or entry.sample_id != sample.id:
                    abort(404)
                give_verdict(
                    db,
                    entry,
                    you(db),
                    request.form.get("verdict", ""),
                    reason=request.form.get("reason") or None,
                    comment=request.form.get("comment"),
                    reasons=reasons,
                )
                commit_with_datestamps(db)
        except ReviewError as error:
            return _refused(error)
        flash("已记录抽检结论")
        return redirect(url_for(".sample_page", sample_id=sample_id) + f"#entry-{entry_id}")

    def _sample(db, sample_id: int) -> AuditSample:
        sample = db.scalar(
            select(AuditSample)
            .where(AuditSample.id == sample_id)
            .options(
                selectinload(AuditSample.items)
                .selectinload(AuditSampleItem.item)
                .selectinload(ReviewItem.capture),
                selectinload(AuditSample.library),
            )
        )
        if sample is None:
            abort(404)
        if not access(db, current_user).can_see(sample.library_id):
            abort(403)
        return sample

    return blueprint


def _refused(error: ReviewError):
    status = 403 if isinstance(error, NotAllowed) else 400
    title = "无权操作" if status == 403 else "无法完成抽检"
    return render_template("error.html", title=title, message=str(error)), status
