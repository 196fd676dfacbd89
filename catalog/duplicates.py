"""查重 groups: records that hold more than one capture, and why each capture joined."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diancang.catalog.models import KIND_GOVINFO, Capture, Record


@dataclass
class GroupMember:
    capture_id: int
    url: str
    captured_at: str
    reason: str
    detail: str


@dataclass
class DuplicateGroup:
    record_id: int
    title: str | None
    index_no: str | None
    members: list[GroupMember]

    @property
    def reasons(self) -> list[str]:
        return sorted({m.reason for m in self.members if m.reason != "first"})


def duplicate_groups(session: Session) -> list[DuplicateGroup]:
    """Every government-information record with two or more captures, oldest record first."""
    counts = (
        select(Capture.record_id)
        .where(Capture.record_id.is_not(None))
        .group_by(Capture.record_id)
        .having(func.count(Capture.id) > 1)
    )
    records = session.scalars(
        select(Record).where(Record.id.in_(counts), Record.kind == KIND_GOVINFO).order_by(Record.id)
    )
    groups = []
    for record in records:
        captures = session.scalars(
            select(Capture).where(Capture.record_id == record.id).order_by(Capture.id)
        )
        members = [
            GroupMember(
                c.id, c.url, c.captured_at.isoformat(), c.match_reason or "", c.match_detail or ""
            )
            for c in captures
        ]
        groups.append(DuplicateGroup(record.id, record.title, record.index_no, members))
    return groups


def withdraw(session: Session, record_ids: list[int]) -> list[int]:
    """Mark records deleted (kept, and reported as deleted to harvesters); returns unknown ids."""
    from diancang.catalog.records_builder import utcnow

    unknown = []
    for record_id in record_ids:
        record = session.get(Record, record_id)
        if record is None:
            unknown.append(record_id)
            continue
        if not record.deleted:
            record.deleted = True
            record.datestamp = utcnow()
    return unknown
