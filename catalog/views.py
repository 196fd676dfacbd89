"""A record with what its renderings need: its captures and its attachments' captures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.catalog.models import KIND_WEBSITE, Attachment, Capture, Record


@dataclass
class AttachmentView:
    url: str
    name: str | None
    capture: Capture | None  # the archived copy, None when it failed to capture

    @property
    def captured(self) -> bool:
        return self.capture is not None


@dataclass
class RecordView:
    record: Record
    captures: list[Capture] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)

    @property
    def primary(self) -> Capture | None:
        return self.captures[0] if self.captures else None


def load_views(session: Session, records: list[Record]) -> list[RecordView]:
    """Views of ``records`` in the same order, with a bounded number of queries."""
    ids = [r.id for r in records]
    website_ids = [r.id for r in records if r.kind == KIND_WEBSITE]
    captures: dict[int, list[Capture]] = defaultdict(list)
    if ids:
        for capture in session.scalars(
            select(Capture).where(Capture.record_id.in_(ids)).order_by(Capture.id)
        ):
            captures[capture.record_id].append(capture)
    for record in records:
        if record.id in website_ids and record.source_url:
            seed = _first_capture(session, record)
            if seed is not None:
                captures[record.id].append(seed)
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    if ids:
        for attachment in session.scalars(
            select(Attachment).where(Attachment.record_id.in_(ids)).order_by(Attachment.id)
        ):
            attachments[attachment.record_id].append(attachment)
    hashes = {a.url_hash for items in attachments.values() for a in items}
    archived = archived_by_hash(session, hashes)
    return [
        RecordView(
            record=r,
            captures=captures[r.id],
            attachments=[
                AttachmentView(a.url, a.name, archived.get(a.url_hash)) for a in attachments[r.id]
            ],
        )
        for r in records
    ]


def archived_by_hash(session: Session, hashes: set[str]) -> dict[str, Capture]:
    """The earliest successful (2xx or revisit) capture of each URL hash."""
    found: dict[str, Capture] = {}
    if not hashes:
        return found
    rows = session.scalars(
        select(Capture)
        .where(Capture.url_hash.in_(sorted(hashes)))
        .order_by(Capture.captured_at, Capture.id)
    )
    for capture in rows:
        ok = capture.warc_type == "revisit" or (capture.status or 200) < 300
        if ok and capture.url_hash not in found:
            found[capture.url_hash] = capture
    return found


def _first_capture(session: Session, record: Record) -> Capture | None:
    return session.scalars(
        select(Capture)
        .where(Capture.site_record_id == record.id, Capture.url == record.source_url)
        .order_by(Capture.id)
        .limit(1)
    ).first()
