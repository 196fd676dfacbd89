"""Decisions on review items, and what they do to the catalogue's records.

Every decision appends one line to the audit log (``Decision``) with the state before it;
nothing here updates or deletes a line of that log (the database refuses it). A record
follows the latest decision on any of its captures: approved records are published (served
by OAI-PMH under the default policy) and stay published; a published record that is
rejected becomes an OAI-PMH deleted record. Its datestamp changes with each decision that
changes what a harvester sees, so incremental harvests pick it up.

Callers commit with ``diancang.catalog.records_builder.commit_with_datestamps``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from diancang.accounts.models import ADMIN, AUDITOR, CURATOR, User
from diancang.catalog.records_builder import touch, utcnow
from diancang.review.models import AuditSampleItem, Decision, ReviewItem
from diancang.review.states import (
    APPROVE,
    APPROVED,
    CONFIRM,
    PATCH,
    REJECT,
    REJECTED,
    SEND_BACK,
)

CURATOR_ACTIONS = (APPROVE, REJECT, PATCH)
AUDITOR_ACTIONS = (CONFIRM, SEND_BACK)
_STATE_AFTER = {APPROVE: APPROVED, REJECT: REJECTED, SEND_BACK: REJECTED}


class ReviewError(ValueError):
    """A decision that cannot be taken; the message is for the curator (zh-CN)."""


class NotAllowed(ReviewError):
    """The user may not take this decision (HTTP 403)."""


NOT_YOUR_LIBRARY = "只有本馆审核员可以审核此页面"


def may_decide(user: User, item: ReviewItem) -> bool:
    """Curators decide for their own library's items, admins for every library's."""
    return may_decide_for(user, item.library_id)


def may_decide_for(user: User, library_id: int | None) -> bool:
    """``may_decide`` for the items of library ``library_id``."""
    if not user.active:
        return False
    return user.role == ADMIN or (user.role == CURATOR and user.library_id == library_id)


def decide(
    session: Session,
    item: ReviewItem,
    user: User,
    action: str,
    *,
    reason: str | None = None,
    comment: str | None = None,
    reasons: tuple[str, ...] = (),
    detail: dict | None = None,
    sample_item: AuditSampleItem | None = None,
) -> Decision:
    """Take ``action`` on ``item`` as ``user`` and log it.

    ``reasons`` are the configured reject reasons (``settings.review.reasons``); a reject or
    send-back must give one of them. An auditor's ``CONFIRM`` / ``SEND_BACK`` is taken on a
    ``sample_item`` of a sample that auditor drew; ``PATCH`` leaves the state as it is
    (``detail`` names the patch job)."""
    _check(item, user, action, reason, reasons, sample_item)
    record = item.record
    before, published_before = item.state, bool(record and record.published)
    now = utcnow()
    after = _STATE_AFTER.get(action, before)
    item.state, item.updated_at = after, now
    if record is not None and action != PATCH and action != CONFIRM:
        served_before = (record.published, record.review_state == REJECTED)
        record.review_state = after
        record.published = record.published or after == APPROVED
        # what a harvester sees changed: newly served, now deleted, or served again
        if record.published and (True, after == REJECTED) != served_before:
            touch(session, record)
    if sample_item is not None:
        sample_item.verdict, sample_item.reason, sample_item.decided_at = action, reason, now
    decision = Decision(
        at=now,
        user_id=user.id,
        username=user.username,
        role=user.role,
        library_id=item.library_id,
        item_id=item.id,
        capture_id=item.capture_id,
        record_id=item.record_id,
        action=action,
        reason=reason,
        comment=(comment or "").strip() or None,
        state_before=before,
        state_after=after,
        published_before=published_before,
        detail={**(detail or {}), **({"sample": sample_item.sample_id} if sample_item else {})},
    )
    session.add(decision)
    session.flush()
    return decision


def _check(item, user, action, reason, reasons, sample_item) -> None:
    if action in CURATOR_ACTIONS:
        if not may_decide(user, item):
            raise NotAllowed(NOT_YOUR_LIBRARY)
    elif action in AUDITOR_ACTIONS:
        if (
            not user.active
            or user.role != AUDITOR
            or sample_item is None
            or sample_item.item_id != item.id
            or sample_item.sample.auditor_id != user.id
        ):
            raise NotAllowed("督导员只能审核自己抽取的样本")
        if sample_item.verdict is not None:
            raise ReviewError("该样本已有抽检结论")
    else:
        raise ReviewError(f"未知的审核操作：{action}")
    if action in (REJECT, SEND_BACK) and reason not in reasons:
        raise ReviewError("请选择退回原因：" + "、".join(reasons))
