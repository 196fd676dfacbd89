"""Export the catalogue's records to CSV or XLSX (one row per record): every record, with its
review state and whether it is published (what OAI-PMH serves under the default policy);
no cell is ever a formula (``spreadsheet``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.catalog.models import Record
from diancang.catalog.spreadsheet import SafeCsvWriter, safe_row
from diancang.catalog.views import RecordView, load_views

COLUMNS = (
    ("id", "记录号"), ("kind", "类型"), ("title", "名称"), ("index_no", "索引号"),
    ("category", "主题分类"), ("agency", "发布机构"), ("written_date", "成文日期"),
    ("doc_number", "发文字号"), ("pub_date", "发布日期"), ("keywords", "主题词"),
    ("validity", "有效性"), ("source_url", "来源网址"), ("replay_url", "存档网址"),
    ("jurisdiction_code", "行政区划代码"), ("jurisdiction_name", "行政区划"),
    ("collection", "专题"), ("captures", "采集次数"), ("attachments", "附件"),
    ("deleted", "已删除"), ("review_state", "审核状态"), ("published", "已发布"),
)  # fmt: skip
BATCH = 1000


def rows(session: Session, kind: str | None = None) -> Iterator[list]:
    """Header row, then one row per record, read in batches (nothing held whole)."""
    yield [f"{label} ({name})" for name, label in COLUMNS]
    last = 0
    while True:
        query = select(Record).where(Record.id > last).order_by(Record.id).limit(BATCH)
        if kind:
            query = query.where(Record.kind == kind)
        batch = list(session.scalars(query))
        if not batch:
            return
        for view in load_views(session, batch):
            yield row_of(view)
        last = batch[-1].id
        session.expunge_all()


def row_of(view: RecordView) -> list:
    r = view.record
    extra = {
        "replay_url": view.primary.replay_url if view.primary else "",
        "captures": len(view.captures),
        "attachments": " ".join(a.url for a in view.attachments),
        "deleted": "yes" if r.deleted else "",
        "published": "yes" if r.published else "",
    }
    return [extra[name] if name in extra else getattr(r, name) for name, _ in COLUMNS]


def export_csv(session: Session, path: Path, kind: str | None = None) -> int:
    count = -1
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = SafeCsvWriter(fh)
        for row in rows(session, kind):
            writer.writerow(row)
            count += 1
    return count


def export_xlsx(session: Session, path: Path, kind: str | None = None) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("records")
    count = -1
    for row in rows(session, kind):
        sheet.append(safe_row(row))
        count += 1
    workbook.save(path)
    return count
