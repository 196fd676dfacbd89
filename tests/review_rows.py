"""Review rows built directly in the database, for tests of what review drives (publishing,
the audit log, 抽检) without running QA or the review pages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from warc_files import write_warc

from diancang.accounts.models import Library, User
from diancang.catalog.db import Catalog
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.models import Capture, Record
from diancang.catalog.records_builder import commit_with_datestamps, utcnow
from diancang.catalog.warc_source import local_warc
from diancang.review.decisions import decide
from diancang.review.models import ReviewItem
from diancang.review.states import PENDING

REASONS = ("内容不完整", "页面无法回放", "非本辖区", "重复采集", "其他")  # the default list


def catalogue_pages(catalog: Catalog, path: Path, jurisdiction: str, count: int) -> list[int]:
    """``count`` government-information pages of ``jurisdiction`` written to a WARC at
    ``path`` and catalogued; their record ids, in page order."""
    pages = []
    for n in range(1, count + 1):
        title = f"关于第{n}项工作安排的通知"
        body = f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<p><strong>索引号</strong>：{jurisdiction}-2024-{n:05d}</p><p><strong>发布机构</strong>：某市人民政府</p>
<p><strong>发布日期</strong>：2024年3月{n % 28 + 1}日</p>
<h1>{title}</h1><div class="content"><p>{title}，特此通知。</p></div></body></html>"""
        url = f"http://www.example.gov.cn/xxgk/{jurisdiction}/{n}.html"
        pages.append({"url": url, "body": body.encode()})
    info = {"collection": "govinfo", "jurisdiction": jurisdiction, "seed": f"seed-{jurisdiction}"}
    result = ingest_warc(catalog, local_warc(write_warc(path, pages, info)), IngestOptions())
    assert result.error is None, result.error
    with catalog.session() as session:
        by_url = dict(
            session.execute(
                select(Capture.url, Capture.record_id).where(
                    Capture.url.in_([p["url"] for p in pages])
                )
            ).all()
        )
    return [by_url[p["url"]] for p in pages]


def items_of_records(
    session: Session,
    library_id: int | None,
    records: list[int] | None = None,
    created_at: datetime | None = None,
) -> dict[int, ReviewItem]:
    """A pending review item for the first capture of each record (all of them when
    ``records`` is None), by record id."""
    query = select(Record.id, Capture.id).join(Capture, Capture.record_id == Record.id)
    if records is not None:
        query = query.where(Record.id.in_(records))
    first: dict[int, int] = {}
    for record_id, capture_id in session.execute(query.order_by(Capture.id)):
        first.setdefault(record_id, capture_id)
    when = created_at or utcnow()
    items = {}
    for record_id, capture_id in sorted(first.items()):
        item = ReviewItem(
            capture_id=capture_id,
            record_id=record_id,
            library_id=library_id,
            state=PENDING,
            created_at=when,
            updated_at=when,
        )
        session.add(item)
        items[record_id] = item
    session.flush()
    return items


def user(session: Session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def library(session: Session, name: str) -> Library:
    return session.scalar(select(Library).where(Library.name == name))


def decide_now(catalog: Catalog, item_id: int, username: str, action: str, **kwargs):
    """``decide`` in a transaction of its own, committed as the review pages commit."""
    with catalog.session() as session:
        item = session.get(ReviewItem, item_id)
        decision = decide(session, item, user(session, username), action, reasons=REASONS, **kwargs)
        commit_with_datestamps(session)
        return decision.id
