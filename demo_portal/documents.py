"""The documents of the demo portal, loaded from ``data/documents.yaml``.

A :class:`Document` is one detail page of 政府信息公开: its disclosure metadata (normalised
values), how its page is rendered (layout, charset, date styles) and delivered (gzip,
chunked), its body and its attachments. Re-publications (``reposts``) are documents too,
copies of an original with another id, URL, column and perhaps layout or charset.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from diancang.demo_portal.attachments import CONTENT_TYPES

DATA_FILE = Path(__file__).parent / "data" / "documents.yaml"
DATE_STYLES = ("cn", "iso", "slash", "minute")
CHARSETS = ("utf-8", "gbk", "gb2312")
REPOST_SECTION = "zwgk/zcwj"
REPOST_COLUMN = "政策文件"

Cell = str | int | float


def format_date(value: date | datetime, style: str) -> str:
    """Show a date the way Chinese government pages do: 2024年3月5日, 2024-03-05, 2024/3/5,
    or 2024-03-05 09:30 (``minute``; a plain date shows 00:00)."""
    if style == "cn":
        return f"{value.year}年{value.month}月{value.day}日"
    if style == "iso":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if style == "slash":
        return f"{value.year}/{value.month}/{value.day}"
    if style == "minute":
        hour, minute = (value.hour, value.minute) if isinstance(value, datetime) else (0, 0)
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {hour:02d}:{minute:02d}"
    raise ValueError(f"unknown date style {style!r}; expected one of {DATE_STYLES}")


@dataclass(frozen=True)
class Attachment:
    """A file linked from a detail page and served from the files host."""

    kind: str  # pdf | docx | xlsx
    name: str  # the file name shown as link text
    title: str
    path: str  # path on the files host, e.g. /xxgk/202403/P020240305001001000001.pdf
    paragraphs: tuple[str, ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


@dataclass(frozen=True)
class Document:
    """One detail page of 政府信息公开 (values normalised; see :meth:`shown` for display)."""

    id: int
    section: str  # first path segments: "xxgk" or "zwgk/zcwj"
    title: str
    index_no: str  # 索引号
    category: str  # 主题分类, levels joined by a backslash
    publisher: str  # 发布机构
    written: date  # 成文日期
    published: datetime  # 发布日期
    doc_no: str  # 发文字号 ("无" when the page says so)
    keywords: tuple[str, ...]  # 主题词
    validity: str  # 有效性 ("" when the page has none)
    column: str  # ColumnName
    content_source: str  # ContentSource
    layout: str
    charset: str  # declared charset: utf-8 | gbk | gb2312
    gzip: bool
    chunked: bool
    written_style: str
    published_style: str
    body: tuple[str, ...]
    signature: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    links_private_draft: bool = False
    republished_from: int | None = None  # id of the original for a re-publication

    @property
    def path(self) -> str:
        day = self.published
        return f"/{self.section}/{day:%Y}/{day:%m}/t{day:%Y%m%d}_{self.id}.html"

    @property
    def wire_encoding(self) -> str:
        """The codec of the bytes sent. A page declaring gb2312 may hold characters outside
        GB2312 (喆, 镕), as real ones do: it is encoded as GB18030, the superset browsers
        actually use for that label."""
        return "gb18030" if self.charset == "gb2312" else self.charset

    @property
    def http_charset(self) -> str:
        return {"utf-8": "UTF-8", "gbk": "GBK", "gb2312": "gb2312"}[self.charset]

    @property
    def pub_date(self) -> str:
        """The PubDate meta value: ``YYYY-MM-DD HH:MM``."""
        return format_date(self.published, "minute")

    @property
    def written_shown(self) -> str:
        return format_date(self.written, self.written_style)

    @property
    def published_shown(self) -> str:
        return format_date(self.published, self.published_style)

    @property
    def last_modified(self) -> datetime:
        """The publication time (China Standard Time, UTC+8) as an aware UTC datetime."""
        return (self.published - timedelta(hours=8)).replace(tzinfo=UTC)

    @property
    def description(self) -> str:
        """The Description meta value: the first paragraph that is not a salutation."""
        for paragraph in self.body:
            if not paragraph.endswith("："):
                return paragraph[:120]
        return self.title


def _as_date(value: Any, field: str, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise ValueError(f"{where}: field {field!r}: {error}") from None


def _as_datetime(value: Any, field: str, where: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M")
    except ValueError as error:
        raise ValueError(f"{where}: field {field!r}: {error}") from None


def _attachments(entries: list[dict[str, Any]], doc_id: int, day: datetime) -> tuple:
    result = []
    for seq, entry in enumerate(entries, start=1):
        kind = entry["kind"]
        path = f"/xxgk/{day:%Y%m}/P0{day:%Y%m%d}{doc_id:06d}{seq:06d}.{kind}"
        result.append(
            Attachment(
                kind=kind,
                name=entry["name"],
                title=entry["title"],
                path=path,
                paragraphs=tuple(entry.get("paragraphs", ())),
                rows=tuple(tuple(row) for row in entry.get("rows", ())),
            )
        )
    return tuple(result)


def _document(entry: dict[str, Any], where: str) -> Document:
    published = _as_datetime(entry["published"], "published", where)
    doc = Document(
        id=int(entry["id"]),
        section=entry.get("section", "xxgk"),
        title=entry["title"],
        index_no=str(entry["index_no"]),
        category=entry["category"],
        publisher=entry["publisher"],
        written=_as_date(entry["written"], "written", where),
        published=published,
        doc_no=entry.get("doc_no", ""),
        keywords=tuple(entry.get("keywords", ())),
        validity=entry.get("validity", ""),
        column=entry["column"],
        content_source=entry.get("content_source", entry["publisher"]),
        layout=entry["layout"],
        charset=entry.get("charset", "utf-8"),
        gzip=bool(entry.get("gzip", False)),
        chunked=bool(entry.get("chunked", False)),
        written_style=entry.get("written_style", "iso"),
        published_style=entry.get("published_style", "iso"),
        body=tuple(entry["body"]),
        signature=tuple(entry.get("signature", ())),
        attachments=_attachments(entry.get("attachments", []), int(entry["id"]), published),
        links_private_draft=bool(entry.get("links_private_draft", False)),
    )
    _check(doc, where)
    return doc


def _check(doc: Document, where: str) -> None:
    from diancang.demo_portal.layouts import LAYOUTS  # local import: layouts imports this module

    if doc.layout not in LAYOUTS:
        raise ValueError(f"{where}: field 'layout': unknown layout {doc.layout!r}")
    if doc.charset not in CHARSETS:
        raise ValueError(f"{where}: field 'charset': {doc.charset!r} not in {CHARSETS}")
    for field in ("written_style", "published_style"):
        if getattr(doc, field) not in DATE_STYLES:
            raise ValueError(f"{where}: field {field!r}: not in {DATE_STYLES}")


def _repost(entry: dict[str, Any], originals: dict[int, Document], where: str) -> Document:
    original = originals.get(int(entry["of"]))
    if original is None:
        raise ValueError(f"{where}: field 'of': no document with id {entry['of']}")
    doc = dataclasses.replace(
        original,
        id=int(entry["id"]),
        section=REPOST_SECTION,
        column=REPOST_COLUMN,
        layout=entry.get("layout", original.layout),
        charset=entry.get("charset", original.charset),
        gzip=bool(entry.get("gzip", False)),
        chunked=bool(entry.get("chunked", False)),
        links_private_draft=False,
        republished_from=original.id,
    )
    _check(doc, where)
    return doc


@dataclass(frozen=True)
class Catalogue:
    """Everything in the data file: site identity, documents (newest first), re-publications."""

    site: dict[str, str]
    documents: tuple[Document, ...]
    reposts: tuple[Document, ...]

    @property
    def all_documents(self) -> tuple[Document, ...]:
        return self.documents + self.reposts


@cache
def load_catalogue(path: Path = DATA_FILE) -> Catalogue:
    """Read and check the data file; errors name the file, the entry and the field."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    documents = []
    for number, entry in enumerate(raw["documents"], start=1):
        where = f"{path}: documents[{number}] (id {entry.get('id')})"
        try:
            documents.append(_document(entry, where))
        except KeyError as error:
            raise ValueError(f"{where}: missing field {error.args[0]!r}") from None
    documents.sort(key=lambda doc: doc.published, reverse=True)
    originals = {doc.id: doc for doc in documents}
    reposts = tuple(
        _repost(entry, originals, f"{path}: reposts[{number}] (id {entry.get('id')})")
        for number, entry in enumerate(raw.get("reposts", []), start=1)
    )
    return Catalogue(site=dict(raw["site"]), documents=tuple(documents), reposts=reposts)
