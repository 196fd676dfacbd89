"""抽检: an auditor of a provincial library draws a random sample of the approved pages of a
city or county library under the province, then confirms or sends back each of them.

A sample never holds a page twice, and a page the same auditor already drew from the library
in an earlier sample is drawn again only when too few undrawn approved pages are left
(``repeated_items`` says which; the sample's page says so).

A verdict is a decision like a curator's (``decisions.decide`` with ``CONFIRM`` or
``SEND_BACK`` and the sample item): it is in the audit log, and a page sent back is
rejected, so its published record becomes an OAI-PMH deleted record. A sample's error rate
is the share of its decided items that were sent back (``figures``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from diancang.accounts.models import AUDITOR, CITY, COUNTY, PROVINCE, Library, User
from diancang.accounts.visibility import Access
from diancang.catalog.records_builder import utcnow
from diancang.review.decisions import AUDITOR_ACTIONS, NotAllowed, ReviewError, decide
from diancang.review.models import AuditSample, AuditSampleItem, ReviewItem
from diancang.review.states import APPROVED, SEND_BACK, STATE_NAMES

MAX_SAMPLE_SIZE = 1000  # items one sample may hold (a page of forms an auditor can work)
SAMPLED_LEVELS = (CITY, COUNTY)


def samplable_libraries(db: Session, auditor: User, rights: Access) -> list[Library]:
    """The city and county libraries under the auditor's province, by name; none for
    anyone but an active auditor of a provincial library."""
    if not auditor.active or auditor.role != AUDITOR or auditor.library_id is None:
        return []
    home = db.get(Library, auditor.library_id)
    if home is None or home.level != PROVINCE:
        return []
    return list(
        db.scalars(
            select(Library)
            .where(Library.id.in_(rights.see - {home.id}), Library.level.in_(SAMPLED_LEVELS))
            .order_by(Library.name)
        )
    )


def approved_items(library_id: int):
    return select(ReviewItem.id).where(
        ReviewItem.library_id == library_id, ReviewItem.state == APPROVED
    )


def drawn_before(auditor_id: int, library_id: int, before: int | None = None):
    """The items of the auditor's samples of the library (those before sample ``before``)."""
    query = (
        select(AuditSampleItem.item_id)
        .join(AuditSample, AuditSample.id == AuditSampleItem.sample_id)
        .where(AuditSample.auditor_id == auditor_id, AuditSample.library_id == library_id)
    )
    return query if before is None else query.where(AuditSample.id < before)


def draw_sample(
    db: Session, auditor: User, rights: Access, library_id: int, size: int
) -> AuditSample:
    """A random sample of ``size`` of the library's approved pages (all of them when it has
    fewer), those the auditor has not drawn from it before first. ``NotAllowed`` (403) when
    the user may not sample that library; ``ReviewError`` (zh-CN) when the size is out of
    range or nothing is approved to sample."""
    library = db.get(Library, library_id)
    if library is None or library not in samplable_libraries(db, auditor, rights):
        raise NotAllowed("只有省级图书馆的督导员可以抽检本省的市、县级图书馆")
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise ReviewError(f"样本数量应为 1 至 {MAX_SAMPLE_SIZE} 之间的整数，收到 {size}")
    population = db.scalar(select(func.count()).select_from(approved_items(library_id).subquery()))
    if not population:
        raise ReviewError(f"{library.name}没有审核通过的页面，无法抽检")
    drawn = drawn_before(auditor.id, library_id)
    chosen = _random(db, approved_items(library_id).where(ReviewItem.id.not_in(drawn)), size)
    if len(chosen) < size:
        again = approved_items(library_id).where(ReviewItem.id.in_(drawn))
        chosen += _random(db, again, size - len(chosen))
    sample = AuditSample(
        library_id=library_id,
        auditor_id=auditor.id,
        created_at=utcnow(),
        population=population,
        size=len(chosen),
    )
    sample.items = [AuditSampleItem(item_id=item_id) for item_id in sorted(chosen)]
    db.add(sample)
    db.flush()
    return sample


def _random(db: Session, items, count: int) -> list[int]:
    return list(db.scalars(items.order_by(func.random()).limit(count)))


def repeated_items(db: Session, sample: AuditSample) -> set[int]:
    """The items of ``sample`` its auditor had drawn from the library in earlier samples."""
    earlier = drawn_before(sample.auditor_id, sample.library_id, before=sample.id)
    mine = {entry.item_id for entry in sample.items}
    return mine & set(db.scalars(earlier.where(AuditSampleItem.item_id.in_(mine))))


def visible_samples(db: Session, user: User, rights: Access) -> list[AuditSample]:
    """Samples drawn from the libraries the user sees (an auditor's own among them), newest
    first."""
    return list(
        db.scalars(
            select(AuditSample)
            .where(AuditSample.library_id.in_(rights.see))
            .options(selectinload(AuditSample.items), selectinload(AuditSample.library))
            .order_by(AuditSample.id.desc())
        )
    )


def give_verdict(
    db: Session,
    sample_item: AuditSampleItem,
    user: User,
    verdict: str,
    *,
    reason: str | None,
    comment: str | None,
    reasons: tuple[str, ...],
):
    """Confirm or send back one sampled page (``decide`` checks that ``user`` drew the
    sample); only a page still approved can be judged."""
    if verdict not in AUDITOR_ACTIONS:
        raise ReviewError("抽检结论应为：确认或退回")
    item = sample_item.item
    if item.state != APPROVED and sample_item.verdict is None:
        state = STATE_NAMES.get(item.state, item.state)
        raise ReviewError(f"该页面当前为“{state}”，已不是审核通过状态，无法抽检")
    return decide(
        db,
        item,
        user,
        verdict,
        reason=reason if verdict == SEND_BACK else None,
        comment=comment,
        reasons=reasons,
        sample_item=sample_item,
    )


def error_rate(sample: AuditSample) -> float | None:
    """Sent back ÷ decided, in percent; None before any verdict."""
    decided = [i for i in sample.items if i.verdict is not None]
    if not decided:
        return None
    sent_back = sum(1 for i in decided if i.verdict == SEND_BACK)
    return round(100.0 * sent_back / len(decided), 1)
