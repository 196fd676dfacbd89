"""What was seen at capture time: the browser's screenshot and rendered text, or the HTML.

A browser capture writes ``resource`` records beside the page's response (see
``crawler/browser/capture.py``): ``urn:screenshot:URL`` (PNG) and ``urn:text:URL`` (the
rendered text of ``body``). The catalogue lists them as captures; their payloads are read
from the WARC through storage/, bounded. An HTTP-only capture has neither: its text is the
text of the captured HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import lxml.html
from lxml.etree import ParserError
from sqlalchemy import select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from diancang.catalog.models import Capture
from diancang.catalog.records_builder import url_hash
from diancang.catalog.warc_records import MAX_HTML_BYTES
from diancang.pywb_collections import collection_name
from diancang.storage.base import StoredWarc, WarcStore
from diancang.storage.bounded_payload import payload_reader

SCREENSHOT, TEXT = "screenshot", "text"
MAX_SCREENSHOT_BYTES = 64 << 20  # a full-page PNG of Chromium's largest screenshot
MAX_TEXT_BYTES = 8 << 20
# resource records follow their page's response within the page's browser time
EVIDENCE_WINDOW = timedelta(minutes=10)
_NOT_TEXT = ("script", "style", "noscript", "template")


class EvidenceError(Exception):
    """A capture's record cannot be read back from storage."""


@dataclass
class Evidence:
    screenshot: bytes | None  # None: an HTTP-only capture
    text: str


def evidence_url(kind: str, url: str) -> str:
    return f"urn:{kind}:{url}"


def _resource(session: Session, page: Capture, kind: str) -> Capture | None:
    """The page's ``urn:KIND:URL`` resource record: the first one after the page in its WARC
    file (the browser writes it right after the page's own records)."""
    urn = evidence_url(kind, page.url)
    return session.scalars(
        select(Capture)
        .where(
            Capture.url_hash == url_hash(urn),
            Capture.warc_type == "resource",
            Capture.warc_file_id == page.warc_file_id,  # not another crawl's of the URL
            Capture.captured_at >= page.captured_at,
            Capture.captured_at <= page.captured_at + EVIDENCE_WINDOW,
        )
        .order_by(Capture.captured_at, Capture.id)
        .limit(1)
    ).first()


def pywb_collection(capture: Capture) -> str:
    """The pywb collection (and store folder) of a capture."""
    return collection_name(capture.collection or "", capture.jurisdiction)


def _stored(store: WarcStore, capture: Capture) -> StoredWarc:
    collection, warc = pywb_collection(capture), capture.warc_file
    found = store.locate(collection, warc.name)
    if found is None:  # still in an S3 store's local spool
        found = next((w for w in store.list(collection) if w.name == warc.name), None)
    if found is None:
        raise EvidenceError(f"WARC 文件 {warc.name} 不在存储中")
    return found


def read_payload(store: WarcStore, capture: Capture, limit: int) -> bytes:
    """The decoded payload of ``capture``'s record (at most ``limit`` bytes)."""
    warc = _stored(store, capture)
    with store.open(warc, capture.offset) as stream:
        for record in ArchiveIterator(stream):
            return payload_reader(record, limit).read_all()
    raise EvidenceError(f"{capture.warc_file.name}：偏移 {capture.offset} 处没有记录")


def html_text(html: bytes, charset: str | None) -> str:
    """The text a reader sees of an HTML page: ``body`` without scripts and styles."""
    try:
        parser = lxml.html.HTMLParser(encoding=charset or None)
        root = lxml.html.document_fromstring(html, parser=parser)
    except (ParserError, LookupError, ValueError):
        return ""
    for element in root.iter(*_NOT_TEXT):
        element.drop_tree()
    body = root.find("body")
    return (body if body is not None else root).text_content()


def capture_evidence(session: Session, store: WarcStore, page: Capture) -> Evidence:
    screenshot = _resource(session, page, SCREENSHOT)
    text = _resource(session, page, TEXT)
    shot = read_payload(store, screenshot, MAX_SCREENSHOT_BYTES) if screenshot else None
    if text is not None:
        return Evidence(shot, read_payload(store, text, MAX_TEXT_BYTES).decode("utf-8", "replace"))
    return Evidence(shot, html_text(read_payload(store, page, MAX_HTML_BYTES), page.charset))
