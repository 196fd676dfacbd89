"""Reading the audit log: filters, pages, its JSON and its CSV export.

The log itself (``Decision``) is append-only; this module only reads it. Every reader sees
the decisions of the libraries ``accounts.visibility`` lets them see.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from diancang.accounts.models import ADMIN, Library
from diancang.catalog.spreadsheet import safe_row
from diancang.review.models import Decision
from diancang.review.states import ACTION_NAMES, ACTIONS, STATE_NAMES

PER_PAGE = 50
BATCH = 500  # decisions read at a time by the CSV export and the JSON list
API_LIMIT, API_MAX_LIMIT = 500, 5000  # decisions in one answer of GET /api/audit
CSV_COLUMNS = (
    ("id", "编号"), ("at", "时间（UTC）"), ("user", "用户"), ("role", "角色"),
    ("library", "图书馆"), ("capture", "采集记录号"), ("record", "编目记录号"),
    ("action", "操作"), ("reason", "原因"), ("comment", "说明"),
    ("state_before", "原状态"), ("state_after", "新状态"),
)  # fmt: skip


class AuditFilterError(ValueError):
    """A filter value that cannot be read; the message names it (zh-CN)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AuditFilter:
    library_id: int | None = None
    username: str | None = None
    action: str | None = None
    reason: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        """From a query string: ``library``, ``user``, ``action``, ``reason``, ``since`` and
        ``until`` (ISO dates or date-times, ``until`` a whole day when a date)."""
        library = (args.get("library") or "").strip()
        if library and not library.isdigit():
            raise AuditFilterError("library", f"图书馆编号应为数字，收到 {library[:40]!r}")
        action = (args.get("action") or "").strip() or None
        if action is not None and action not in ACTIONS:
            raise AuditFilterError("action", "操作应为：" + "、".join(ACTIONS))
        return cls(
            library_id=int(library) if library else None,
            username=(args.get("user") or "").strip() or None,
            action=action,
            reason=(args.get("reason") or "").strip() or None,
            since=parse_moment(args.get("since"), "since"),
            until=parse_moment(args.get("until"), "until", end_of_day=True),
        )

    def query_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for page links and the CSV link)."""
        found = {
            "library": self.library_id,
            "user": self.username,
            "action": self.action,
            "reason": self.reason,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {k: str(v) for k, v in found.items() if v is not None}


def parse_moment(text: str | None, name: str, end_of_day: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` or an ISO date-time (UTC; an offset is converted) → naive UTC.
    With ``end_of_day``, a bare date means up to the end of that day."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time())
            return moment + timedelta(days=1) if end_of_day else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AuditFilterError(
            name, f"{name} 应为 YYYY-MM-DD 或 ISO 日期时间，收到 {text[:40]!r}"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def visible(user, see: frozenset[int]):
    """Decisions of the libraries the user sees (an admin also sees those of no library)."""
    if user.role == ADMIN:
        return or_(Decision.library_id.in_(see), Decision.library_id.is_(None))
    return Decision.library_id.in_(see)


def decisions_query(user, see: frozenset[int], found: AuditFilter) -> Select:
    where = [visible(user, see)]
    if found.library_id is not None:
        where.append(Decision.library_id == found.library_id)
    if found.username:
        where.append(Decision.username == found.username)
    if found.action:
        where.append(Decision.action == found.action)
    if found.reason:
        where.append(Decision.reason == found.reason)
    if found.since:
        where.append(Decision.at >= found.since)
    if found.until:
        where.append(Decision.at < found.until)
    return select(Decision).where(*where)


@dataclass
class AuditPage:
    decisions: list[Decision]
    total: int
    page: int
    pages: int


def audit_page(db: Session, query: Select, page: int) -> AuditPage:
    """The ``page``-th page (from 1) of ``query``'s decisions, newest first."""
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = db.scalars(
        query.order_by(Decision.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    )
    return AuditPage(list(rows), total, page, pages)


def in_batches(
    db: Session, query: Select, after: int = 0, limit: int | None = None
) -> Iterator[Decision]:
    """``query``'s decisions with ids above ``after``, oldest first, at most ``limit``, read
    ``BATCH`` at a time (nothing held whole)."""
    last, left = after, limit
    while left is None or left > 0:
        size = BATCH if left is None else min(BATCH, left)
        batch = list(db.scalars(query.where(Decision.id > last).order_by(Decision.id).limit(size)))
        if not batch:
            return
        yield from batch
        last = batch[-1].id
        left = None if left is None else left - len(batch)
        db.expunge_all()


def next_after(db: Session, query: Select, after: int, limit: int) -> int | None:
    """Where the answer after ``limit`` decisions above ``after`` ends (the cursor of the
    next one), when more follow; else None."""
    ids = query.with_only_columns(Decision.id).where(Decision.id > after).order_by(Decision.id)
    found = list(db.scalars(ids.offset(limit - 1).limit(2)))
    return found[0] if len(found) == 2 else None


def read_whole(args, name: str, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` in the query string (``default`` if absent)."""
    text = (args.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise AuditFilterError(name, f"{name} 应为 {low} 到 {high} 的整数，收到 {text[:40]!r}")
    return int(text)


def library_names(db: Session) -> dict[int, str]:
    return dict(db.execute(select(Library.id, Library.name)).all())


def utc_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def decision_json(decision: Decision, names: dict[int, str]) -> dict:
    """One line of the audit log as ``GET /api/audit`` gives it."""
    return {
        "id": decision.id,
        "at": utc_text(decision.at),
        "user": decision.username,
        "role": decision.role,
        "library": names.get(decision.library_id),
        "library_id": decision.library_id,
        "capture": decision.capture_id,
        "record": decision.record_id,
        "action": decision.action,
        "reason": decision.reason,
        "comment": decision.comment,
        "state_before": decision.state_before,
        "state_after": decision.state_after,
        "detail": decision.detail or {},
    }


def csv_lines(decisions: Iterable[Decision], names: dict[int, str]) -> Iterator[bytes]:
    """The CSV export, line by line: a UTF-8 BOM (so Excel reads the Chinese), a header row,
    one row per decision; actions and states in zh-CN beside their names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> bytes:
        writer.writerow(safe_row(cells))
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    yield "\ufeff".encode() + line([f"{label} ({name})" for name, label in CSV_COLUMNS])
    for decision in decisions:
        row = decision_json(decision, names)
        row["action"] = f"{ACTION_NAMES.get(decision.action, decision.action)} ({decision.action})"
        for state in ("state_before", "state_after"):
            row[state] = f"{STATE_NAMES.get(row[state], row[state])} ({row[state]})"
        yield line([row[name] for name, _ in CSV_COLUMNS])
