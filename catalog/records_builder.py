"""Turn an extracted page into a catalogue record, or add it to the record it duplicates.

A record's fields hold XML-safe text (``record_text``): a page that prints a control
character must not stop an OAI-PMH harvest. What the page printed stays in ``raw_values``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from diancang.catalog.db import insert_rows
from diancang.catalog.dedup import (
    bands,
    find_duplicate,
    fingerprint_text,
    simhash64,
    title_key,
    to_signed,
)
from diancang.catalog.extract import Extraction
from diancang.catalog.extract.labels import RECORD_FIELDS
from diancang.catalog.jurisdiction import Place
from diancang.catalog.models import KIND_GOVINFO, KIND_WEBSITE, Attachment, Record
from diancang.catalog.xml_text import xml_text


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


TOUCHED, CREATED, CREATED_STAMP = "touched", "created", "created_stamp"  # session.info keys


def touch(session: Session, record: Record) -> None:
    """Mark ``record`` changed: its OAI datestamp is set when the transaction commits."""
    record.datestamp = utcnow()
    session.info.setdefault(TOUCHED, set()).add(record.id)


def touch_id(session: Session, record_id: int) -> None:
    """``touch`` for a record not loaded: its datestamp is set when the transaction commits."""
    session.info.setdefault(TOUCHED, set()).add(record_id)


def creation_stamp(session: Session) -> datetime:
    """The datestamp of the records created in this transaction: one for all, taken before
    the first is written (``commit_with_datestamps`` keeps it or moves them to the commit's)."""
    return session.info.setdefault(CREATED_STAMP, utcnow())


def created(session: Session, record: Record) -> None:
    """Note ``record`` (flushed, datestamp ``creation_stamp``) as created in this transaction."""
    session.info.setdefault(CREATED, set()).add(record.id)


def forget_datestamps(session: Session) -> None:
    """Forget the records touched and created: their transaction was rolled back."""
    for key in (TOUCHED, CREATED, CREATED_STAMP):
        session.info.pop(key, None)


def commit_with_datestamps(session: Session) -> None:
    """Commit, stamping the records changed in this transaction with the commit time.

    A datestamp taken when a record was built could be older than the position a harvester
    already passed while the batch was still open; taken at commit, it is not. Records
    created in the transaction are written once, with ``creation_stamp``: it stays only if
    no other transaction committed a record after them in the harvest order (datestamp,
    id) meanwhile (then no harvester can have passed their position; a writer on SQLite
    holds the database's lock from the first record on); else they are stamped too."""
    session.flush()
    touched = session.info.pop(TOUCHED, set())
    new = session.info.pop(CREATED, set())
    stamp = session.info.pop(CREATED_STAMP, None)
    if new and _passed_by_another(session, stamp, max(new)):
        touched |= new
    else:
        touched -= new
    now = utcnow()
    ids = sorted(touched)
    for start in range(0, len(ids), 500):
        session.execute(
            update(Record).where(Record.id.in_(ids[start : start + 500])).values(datestamp=now)
        )
    session.commit()


def _passed_by_another(session: Session, stamp: datetime, last_id: int) -> bool:
    """True when a committed record comes after (``stamp``, ``last_id``) in harvest order."""
    after = tuple_(Record.datestamp, Record.id) > tuple_(stamp, last_id)
    return session.scalar(select(Record.id).where(after).limit(1)) is not None


def record_text(value: str | None) -> str | None:
    """``value`` as a record field keeps it: XML-safe and stripped, None when nothing is left."""
    if value is None:
        return None
    return xml_text(value).strip() or None


def _record_values(extraction: Extraction) -> dict[str, str]:
    cleaned = {name: record_text(value) for name, value in extraction.values.items()}
    return {name: value for name, value in cleaned.items() if value}


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()


def _set_place(record: Record, place: Place | None) -> None:
    if place is None:
        return
    record.jurisdiction_code = place.code
    record.jurisdiction_name = place.name
    record.province_code = place.province
    record.city_code = place.city


@dataclass(frozen=True)
class DocumentText:
    """A document's record fields, body and SimHash: what its page says, no database."""

    values: dict[str, str]
    body: str
    fingerprint: int


def document_text(extraction: Extraction) -> DocumentText:
    values = _record_values(extraction)
    body = xml_text(extraction.body)
    fingerprint = simhash64(fingerprint_text(values.get("title"), values.get("pub_date"), body))
    return DocumentText(values, body, fingerprint)


def catalogue_document(
    session: Session,
    capture: SimpleNamespace,
    extraction: Extraction,
    document: DocumentText,
    place: Place | None,
    owner: int | None = None,
) -> tuple[Record, bool]:
    """Attach ``capture`` (a row not yet stored, attributes named as ``Capture``'s columns)
    to its record (existing duplicate or a new one, of library ``owner``); True when new."""
    values, body, fingerprint = document.values, document.body, document.fingerprint
    signed = to_signed(fingerprint) if fingerprint else None
    match = find_duplicate(
        session,
        url=capture.url,
        url_hash=capture.url_hash,
        index_no=values.get("index_no"),
        agency=values.get("agency"),
        doc_number=values.get("doc_number"),
        fingerprint=signed,
        title=values.get("title"),
    )
    now = utcnow()
    if match is not None:
        record = match.record
        capture.record_id = record.id
        capture.match_reason, capture.match_detail = match.reason, match.detail
        _fill_missing(record, values, extraction.provenance)
        _add_attachments(session, record, extraction.attachments)
        touch_id(session, record.id)
        return record, False

    record = Record(
        kind=KIND_GOVINFO,
        datestamp=creation_stamp(session),
        created_at=now,
        deleted=False,
        library_id=owner,  # in the INSERT: a later UPDATE would write the row twice
        collection=capture.collection,
        site_name=record_text(extraction.site_name),
        body=body,
        source_url=capture.url,
        raw_values=dict(extraction.raw),
        provenance=dict(extraction.provenance),
        simhash=signed,
        title_key=title_key(values.get("title")),
    )
    for name in RECORD_FIELDS:
        setattr(record, name, values.get(name))
    if signed is not None:
        record.band0, record.band1, record.band2, record.band3 = bands(fingerprint)
    record.provenance["source_url"] = "warc:WARC-Target-URI"
    _set_place(record, place)
    session.add(record)
    session.flush()
    capture.record_id = record.id
    capture.match_reason, capture.match_detail = "first", "first capture of this document"
    _add_attachments(session, record, extraction.attachments, new=True)
    created(session, record)
    return record, True


def _fill_missing(record: Record, values: dict[str, str], rules: dict[str, str]) -> None:
    """A later capture may print a field the first did not; keep the first otherwise."""
    provenance = dict(record.provenance or {})
    changed = False
    for name in RECORD_FIELDS:
        value = values.get(name)
        if value and not getattr(record, name):
            setattr(record, name, value)
            provenance[name] = rules.get(name, "") + " (later capture)"
            changed = True
    if changed:
        record.provenance = provenance


def _add_attachments(
    session: Session, record: Record, links: list[tuple[str, str]], new: bool = False
) -> None:
    """Attach the ``links`` ``record`` does not have yet (a ``new`` record has none)."""
    if not links:
        return
    known = (
        set()
        if new
        else set(
            session.scalars(select(Attachment.url_hash).where(Attachment.record_id == record.id))
        )
    )
    rows = []
    for url, name in links:
        digest = url_hash(url)
        if digest not in known:
            rows.append(
                {"record_id": record.id, "url": url, "url_hash": digest, "name": record_text(name)}
            )
            known.add(digest)
    insert_rows(session, Attachment.__table__, rows)  # one statement, no ORM object each


def site_key(collection: str, seed_url: str, day: str) -> str:
    return hashlib.sha1(f"{collection}|{seed_url}|{day}".encode()).hexdigest()


def website_record(
    session: Session,
    *,
    collection: str,
    seed_url: str,
    captured_at: datetime,
    title: str | None,
    place: Place | None,
    owner: int | None = None,
) -> Record:
    """The 网事典藏 record of one crawl of a site (seed URL and capture day); a new one is
    library ``owner``'s."""
    day = captured_at.date().isoformat()
    key = site_key(collection, seed_url, day)
    record = session.scalars(select(Record).where(Record.site_key == key)).first()
    if record is not None:
        return record
    now = utcnow()
    record = Record(
        kind=KIND_WEBSITE,
        site_key=key,
        datestamp=creation_stamp(session),
        created_at=now,
        deleted=False,
        library_id=owner,
        collection=collection,
        title=record_text(title),
        source_url=seed_url,
        pub_date=day,
        size=0,
        raw_values={},
        provenance={"title": "page:<title> of the seed URL", "pub_date": "warc:WARC-Date"},
    )
    _set_place(record, place)
    session.add(record)
    session.flush()
    created(session, record)
    return record
