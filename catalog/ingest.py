"""``diancang catalog ingest``: WARC files → capture records → catalogue records.

Idempotent: a WARC file is known by its name; its captures by (file, offset). A file that
failed part-way, or was cut short (still arriving), keeps what was catalogued, is never
marked complete, and is resumed on the next run, also when it has grown meanwhile. One
record that cannot be catalogued costs that record, counted in ``problems``, never the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diancang.catalog.db import Catalog
from diancang.catalog.extract import extract_page
from diancang.catalog.jurisdiction import code_from_site_id, place_of
from diancang.catalog.listing_ingest import Place, first, store_metadata, tells_coverage
from diancang.catalog.models import Capture, FetchError, ListingPage, Record, WarcFile
from diancang.catalog.records_builder import (
    catalogue_document,
    commit_with_datestamps,
    record_text,
    touch,
    url_hash,
    utcnow,
    website_record,
)
from diancang.catalog.site_rules import SiteRules
from diancang.catalog.warc_records import (
    TornWarc,
    WarcCapture,
    WarcInfo,
    WarcMetadata,
    iter_warc,
)
from diancang.catalog.warc_source import WarcLocation
from diancang.pywb_collections import replay_url
from diancang.settings import load_settings
from diancang.storage.bounded_payload import MAX_METADATA_BYTES
from diancang.warc_names import (
    INFO_COLLECTION,
    INFO_JURISDICTION,
    INFO_SEED,
    INFO_SEED_URL,
    META_SEED,
)

WEBSITE_COLLECTION = "webarchive"
DEFAULT_COLLECTION = "govinfo"
BATCH = 500


def replay_base() -> str:
    """The configured pywb base URL (DIANCANG_REPLAY_URL), ending in "/"."""
    return load_settings().replay_url


@dataclass
class IngestOptions:
    collection: str | None = None
    jurisdiction: str | None = None
    rules: SiteRules = field(default_factory=SiteRules)
    replay_base: str = field(default_factory=replay_base)
    library_id: int | None = None  # owner of the records found with no owner yet


@dataclass
class IngestResult:
    name: str
    skipped: bool = False
    captures: int = 0
    records: int = 0
    duplicates: int = 0
    error: str | None = None
    problems: Counter[str] = field(default_factory=Counter)  # reason → records affected


class IngestError(RuntimeError):
    pass


@dataclass
class _FileState:
    warc: WarcFile
    info: dict[str, str] = field(default_factory=dict)
    seed_url: str | None = None
    site_record_id: int | None = None


def ingest_warc(catalog: Catalog, warc: WarcLocation, options: IngestOptions) -> IngestResult:
    """Catalogue one WARC file; re-ingesting a catalogued file changes nothing."""
    result = IngestResult(name=warc.name)
    with catalog.session() as session:
        known = _known_file(session, warc)
        if known is not None and known.complete and known.size == warc.size:
            result.skipped = True
            return result
        if known is None:
            known = WarcFile(
                name=warc.name, path=warc.location, size=warc.size,
                ingested_at=utcnow(), captures_count=0, complete=False,
            )  # fmt: skip
            session.add(known)
        else:  # resumed; a file that arrived whole after a torn copy keeps its row
            known.size, known.path, known.complete = warc.size, warc.location, False
        session.flush()
        done = _done_offsets(session, known.id)
        captures_done = session.scalar(
            select(func.count(Capture.id)).where(Capture.warc_file_id == known.id)
        )
    state = _FileState(warc=known)
    session = catalog.session_factory()
    pending = 0
    offset = 0
    try:
        with warc.open() as stream:
            for item in iter_warc(stream):
                if isinstance(item, WarcInfo):
                    _read_warcinfo(session, state, item)
                    continue
                offset = item.offset
                if item.offset in done:
                    if done[item.offset] != item.url:
                        raise IngestError(
                            f"not the file catalogued under this name before: offset "
                            f"{item.offset} holds {item.url}, not {done[item.offset]}"
                        )
                    continue
                if isinstance(item, WarcMetadata):
                    _store_metadata_guarded(session, state, item, options, result)
                else:
                    _catalogue_guarded(session, state, item, options, result)
                pending += 1
                if pending >= BATCH:
                    commit_with_datestamps(session)
                    pending = 0
        warc_file = session.get(WarcFile, known.id)
        warc_file.complete = True
        warc_file.ingested_at = utcnow()
        warc_file.captures_count = captures_done + result.captures
        commit_with_datestamps(session)
    except Exception as exc:  # noqa: BLE001 - keep what was catalogued, name the place
        try:
            commit_with_datestamps(session)
        except Exception:  # noqa: BLE001 - the database refused: keep the last batch
            session.rollback()
        if isinstance(exc, TornWarc):
            result.error = f"{warc.location}: {exc}; resumed when it is whole"
        else:
            name = type(exc).__name__
            result.error = f"{warc.location}: after offset {offset}: {name}: {exc}"
    finally:
        session.close()
    return result


def _done_offsets(session: Session, warc_file_id: int) -> dict[int, str]:
    """URL by offset of every record of the file catalogued already (captures, listing
    pages, failed fetches): a resumed or repeated ingest skips them."""
    done: dict[int, str] = {}
    for table in (Capture, ListingPage, FetchError):
        rows = session.execute(
            select(table.offset, table.url).where(table.warc_file_id == warc_file_id)
        )
        done.update((offset, url) for offset, url in rows)
    return done


def _known_file(session: Session, warc: WarcLocation) -> WarcFile | None:
    """The row of this file: the same name and size, else a shorter copy to resume.

    A copy cut between two records looks whole; when the file of that name later arrives
    longer, it is resumed too (the records at the offsets already read must match)."""
    rows = session.scalars(select(WarcFile).where(WarcFile.name == warc.name)).all()
    same = [row for row in rows if row.size == warc.size]
    if same:
        return same[0]
    shorter = [row for row in rows if row.size < warc.size]
    return max(shorter, key=lambda row: row.size) if shorter else None


def _catalogue_guarded(session, state, item, options, result) -> None:
    """Catalogue one capture in a savepoint: a failure costs this record, counted, no more."""
    counts = (result.captures, result.records, result.duplicates, state.site_record_id)
    try:
        with session.begin_nested():
            _catalogue_capture(session, state, item, options, result)
    except Exception as exc:  # noqa: BLE001 - any failure of one record is reported, not fatal
        result.captures, result.records, result.duplicates, state.site_record_id = counts
        result.problems[f"record not catalogued ({type(exc).__name__}: {exc})"] += 1


def _store_metadata_guarded(session, state, item, options, result) -> None:
    """Store a listing page's or failed fetch's metadata; a failure costs this record."""
    if not tells_coverage(item):
        return
    if item.truncated:
        result.problems[f"metadata record larger than {MAX_METADATA_BYTES} bytes: tail unread"] += 1
    seed_id = first(item.fields, META_SEED) or state.info.get(INFO_SEED)
    rule = options.rules.find(seed_id, item.url)
    place = Place(
        warc_file_id=state.warc.id,
        collection=_collection(state, rule, options),
        jurisdiction=_jurisdiction(state, rule, options),
        seed=seed_id or (rule.seed_id if rule else None),
    )
    try:
        with session.begin_nested():
            store_metadata(session, item, place)
    except Exception as exc:  # noqa: BLE001 - any failure of one record is reported, not fatal
        result.problems[f"metadata record not stored ({type(exc).__name__}: {exc})"] += 1


def _collection(state: _FileState, rule, options: IngestOptions) -> str:
    return (
        state.info.get(INFO_COLLECTION)
        or (rule.collection if rule else None)
        or options.collection
        or DEFAULT_COLLECTION
    )


def _jurisdiction(state: _FileState, rule, options: IngestOptions) -> str | None:
    return (
        state.info.get(INFO_JURISDICTION)
        or (rule.jurisdiction if rule else None)
        or options.jurisdiction
    )


def _read_warcinfo(session: Session, state: _FileState, info: WarcInfo) -> None:
    state.info.update({k: v for k, v in info.fields.items() if v})
    state.seed_url = state.info.get(INFO_SEED_URL) or state.seed_url
    warc_file = session.get(WarcFile, state.warc.id)
    for column, key in (("collection", INFO_COLLECTION), ("jurisdiction", INFO_JURISDICTION),
                        ("seed", INFO_SEED), ("seed_url", INFO_SEED_URL)):  # fmt: skip
        if state.info.get(key):
            setattr(warc_file, column, state.info[key][:255])


def _catalogue_capture(
    session: Session,
    state: _FileState,
    item: WarcCapture,
    options: IngestOptions,
    result: IngestResult,
) -> None:
    seed_id = state.info.get(INFO_SEED)
    rule = options.rules.find(seed_id, item.url)
    collection = _collection(state, rule, options)
    extraction = None
    if item.body_problem:
        result.problems[item.body_problem] += 1
    if item.body is not None and item.status in (None, 200):
        try:
            extraction = extract_page(
                item.body, item.url, item.content_type, rule.extract if rule else None
            )
        except Exception as exc:  # noqa: BLE001 - the capture is kept without its extraction
            result.problems[f"page not extracted ({type(exc).__name__}: {exc})"] += 1
    if extraction is not None:
        if item.body_problem:
            extraction.provenance["truncated"] = item.body_problem
        for reason, count in extraction.skipped_links.items():
            result.problems[reason] += count
    jurisdiction = _jurisdiction(state, rule, options) or (
        code_from_site_id(extraction.site_id_code) if extraction else None
    )
    capture = Capture(
        warc_file_id=state.warc.id,
        offset=item.offset,
        length=item.length,
        warc_type=item.warc_type,
        url=item.url,
        url_hash=url_hash(item.url),
        captured_at=item.captured_at,
        status=item.status,
        mime=item.mime,
        payload_digest=item.payload_digest,
        size=item.size,
        seed=seed_id or (rule.seed_id if rule else None),
        collection=collection,
        jurisdiction=jurisdiction,
        title=extraction.page_title if extraction else None,
        charset=extraction.charset if extraction else None,
        replay_url=replay_url(
            options.replay_base, collection, jurisdiction, item.captured_at, item.url
        ),
        redirect_to=item.redirect_to,
    )
    session.add(capture)
    session.flush()
    result.captures += 1
    place = place_of(jurisdiction)
    if extraction is not None and extraction.is_disclosure:
        record, created = catalogue_document(session, capture, extraction, place)
        _own(record, options)
        if created:
            result.records += 1
        else:
            result.duplicates += 1
    elif item.warc_type == "revisit" and item.payload_digest:
        _attach_revisit(session, capture)
    if collection == WEBSITE_COLLECTION:
        _add_to_website(session, state, capture, extraction, place, options)


def _own(record: Record, options: IngestOptions) -> None:
    """The library the WARC was crawled for owns the record, unless another already does."""
    if record.library_id is None:
        record.library_id = options.library_id


def _attach_revisit(session: Session, capture: Capture) -> None:
    """A revisit repeats an earlier payload: it belongs to that capture's record."""
    original = session.scalars(
        select(Capture)
        .where(
            Capture.payload_digest == capture.payload_digest,
            Capture.url_hash == capture.url_hash,
            Capture.record_id.is_not(None),
        )
        .limit(1)
    ).first()
    if original is not None and original.record is not None:
        capture.record_id = original.record_id
        capture.match_reason = "revisit"
        capture.match_detail = f"identical payload {capture.payload_digest}"
        touch(session, original.record)


def _add_to_website(session, state, capture, extraction, place, options) -> None:
    if state.seed_url is None and extraction is not None:
        state.seed_url = capture.url
    if state.seed_url is None:
        return
    if state.site_record_id is None:
        record = website_record(
            session,
            collection=capture.collection,
            seed_url=state.seed_url,
            captured_at=capture.captured_at,
            title=(extraction.site_name or extraction.page_title) if extraction else None,
            place=place,
        )
        state.site_record_id = record.id
        _own(record, options)
    else:
        record = session.get(Record, state.site_record_id)
    if not record.title and extraction is not None and capture.url == state.seed_url:
        record.title = record_text(extraction.site_name or extraction.page_title)
    record.size = (record.size or 0) + (capture.size or 0)
    touch(session, record)
    capture.site_record_id = record.id
