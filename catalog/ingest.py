"""``diancang catalog ingest``: WARC files → capture records → catalogue records.

Idempotent: a WARC file is known by its name; its captures by (file, offset). A file that
failed part-way, or was cut short (still arriving), keeps what was catalogued, is never
marked complete, and is resumed on the next run, also when it has grown meanwhile. One
record that cannot be catalogued costs that record, counted in ``problems``, never the file.

Records are catalogued in chunks of ``CHUNK``, each one transaction: its captures go in by
executemany, its revisits find their records with one lookup, and a process killed
mid-chunk leaves the catalogue as after the previous chunk, resumed from there.

A WARC of ``PIPELINE_BYTES`` or more is read by a reader process (iter_warc, extraction,
SimHash: no database) while this process stores the chunks it sends: the two run in
parallel, each on a core. A smaller one is read by the same code in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from types import SimpleNamespace

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from diancang.catalog.db import Catalog, insert_rows
from diancang.catalog.extract import Extraction, extract_page
from diancang.catalog.jurisdiction import code_from_site_id, place_of
from diancang.catalog.listing_ingest import (
    PendingPage,
    Place,
    first,
    forget_listings,
    insert_listing_pages,
    store_metadata,
    tells_coverage,
)
from diancang.catalog.models import Capture, FetchError, ListingPage, Record, WarcFile
from diancang.catalog.records_builder import (
    DocumentText,
    catalogue_document,
    commit_with_datestamps,
    document_text,
    forget_datestamps,
    record_text,
    touch_id,
    url_hash,
    utcnow,
    website_record,
)
from diancang.catalog.site_rules import SiteRule, SiteRules
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
# Records catalogued per transaction, fewer when their pages hold more than CHUNK_BYTES.
CHUNK = 500
CHUNK_BYTES = 32 * 2**20
IN_LIST = 500  # values per IN (...) lookup
# A smaller WARC is read in this process. A reader costs ~0.05-0.1 s of CPU per file and
# its forkserver ~0.4 s once; a 4 MiB WARC takes ~1.7 s of CPU in-process, half of it
# the reader's part (tests/benchmarks/ingest_rate.py's mix, 2026-12-03).
PIPELINE_BYTES = 4 * 2**20
READER_EXIT_SECONDS = 10  # for a reader to end once it is done or told to
STALE_ROWS = 100  # PostgreSQL: rows an ingest adds to a table before it analyzes it
CAPTURE_COLUMNS = [column.key for column in Capture.__table__.columns if column.key != "id"]
_NO_CAPTURE_VALUES = dict.fromkeys(CAPTURE_COLUMNS)


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
    # captures not yet inserted: one INSERT of many rows before 查重 needs them in the table
    pending: list[SimpleNamespace] = field(default_factory=list)
    pending_with_record: set[str] = field(default_factory=set)  # their URL hashes, if of a record
    pages: list[PendingPage] = field(default_factory=list)  # listing pages not yet inserted
    site_size: int = 0  # bytes of the pending captures not yet added to the site record
    analyzed: dict[str, int] = field(default_factory=dict)  # table → rows added when analyzed


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
    plan = _ReadPlan(warc, done, options, CHUNK, CHUNK_BYTES)
    session = catalog.session_factory()
    offset = 0
    try:
        with closing(_reads(plan)) as reads:
            for read in reads:
                offset = read.offset
                result.problems.update(read.problems)
                if read.failure is not None:
                    _store_before_failure(session, state, read.entries, options, result)
                    result.error = _failure_text(warc, read.offset, read.failure, read.torn)
                    return result
                _store_chunk(session, state, read.entries, options, result)
                if read.info is not None:  # the records before it keep their info
                    _read_warcinfo(session, state, read.info)
                    commit_with_datestamps(session)  # a chunk retried later starts from here
        warc_file = session.get(WarcFile, known.id)
        warc_file.complete = True
        warc_file.ingested_at = utcnow()
        warc_file.captures_count = captures_done + result.captures
        commit_with_datestamps(session)
    except Exception as exc:  # noqa: BLE001 - keep what was catalogued, name the place
        result.error = _failure_text(warc, offset, f"{type(exc).__name__}: {exc}", torn=False)
    finally:
        session.close()
    return result


def _store_before_failure(session, state, entries, options, result) -> None:
    """Store the records read before the file failed, unless the database refuses them."""
    try:
        _store_chunk(session, state, entries, options, result)
    except Exception:  # noqa: BLE001 - the database refused: keep the chunks committed
        session.rollback()


def _failure_text(warc: WarcLocation, offset: int, failure: str, torn: bool) -> str:
    if torn:
        return f"{warc.location}: {failure}; resumed when it is whole"
    return f"{warc.location}: after offset {offset}: {failure}"


# -- reading: the WARC's records, chunked and prepared (no database) -------------------------


@dataclass
class _ReadPlan:
    """What reading a WARC needs, sent to the reader process as it is."""

    warc: WarcLocation
    done: dict[int, str]  # URL by offset of the records catalogued already: skipped
    options: IngestOptions
    chunk_records: int
    chunk_bytes: int


@dataclass
class _Read:
    """A chunk of records read and prepared, to store in one transaction, and what follows."""

    entries: list[_Prepared | WarcMetadata]
    problems: Counter[str]  # the chunk's records' own (see _prepare)
    offset: int  # of the last record read
    info: WarcInfo | None = None  # a warcinfo record read after the entries
    failure: str | None = None  # why the file could not be read past the entries
    torn: bool = False  # the failure is a file cut short
    last: bool = False  # the file ends after the entries


def _reads(plan: _ReadPlan) -> Iterator[_Read]:
    """The reads of ``plan.warc``: by a reader process, in parallel with the caller's
    database work, unless the file is too small to be worth starting one."""
    if plan.warc.size < PIPELINE_BYTES or not _picklable(plan.warc):
        return _read_warc(plan)
    return _reader_process_reads(plan)


def _picklable(warc: WarcLocation) -> bool:
    """False for a file the reader process could not open, such as one behind an S3
    client."""
    try:
        pickle.dumps(warc)
    except Exception:  # noqa: BLE001 - whatever pickling raises, the file is read here
        return False
    return True


def _read_warc(plan: _ReadPlan) -> Iterator[_Read]:
    """Read the WARC and prepare its records, chunk by chunk; a failure ends the reads."""
    info: dict[str, str] = {}
    chunk: list[WarcCapture | WarcMetadata] = []
    chunk_bytes = offset = 0

    def prepared(items, **after) -> _Read:
        problems: Counter[str] = Counter()
        entries = [_prepare(info, item, plan.options, problems) for item in items]
        return _Read(entries, problems, offset, **after)

    try:
        with plan.warc.open() as stream:
            for item in iter_warc(stream):
                if isinstance(item, WarcInfo):  # the records before it keep their info
                    ready, chunk, chunk_bytes = chunk, [], 0
                    yield prepared(ready, info=item)
                    info.update(_given(item))
                    continue
                offset = item.offset
                if item.offset in plan.done:
                    if plan.done[item.offset] != item.url:
                        raise IngestError(
                            f"not the file catalogued under this name before: offset "
                            f"{item.offset} holds {item.url}, not {plan.done[item.offset]}"
                        )
                    continue
                chunk.append(item)
                chunk_bytes += len(getattr(item, "body", None) or b"")
                if len(chunk) >= plan.chunk_records or chunk_bytes >= plan.chunk_bytes:
                    ready, chunk, chunk_bytes = chunk, [], 0
                    yield prepared(ready)
        ready, chunk = chunk, []
        yield prepared(ready, last=True)
    except Exception as exc:  # noqa: BLE001 - the records read before it are still stored
        torn = isinstance(exc, TornWarc)
        failure = str(exc) if torn else f"{type(exc).__name__}: {exc}"
        yield prepared(chunk, failure=failure, torn=torn)


def _given(info: WarcInfo) -> dict[str, str]:
    return {key: value for key, value in info.fields.items() if value}


def _reader_process_reads(plan: _ReadPlan) -> Iterator[_Read]:
    """``_read_warc(plan)`` run by a reader process, its reads received through a pipe.

    The pipe is the bounded queue: the reader waits while a read it sends does not fit, so
    it is at most a chunk or two ahead. A reader that dies ends the pipe here; a second
    pipe, never written, ends in the reader when this process stops or dies, and so does
    the reader, even one waiting for a WARC that does not come."""
    # A forkserver holds no copy of this process's connections; started once, with the
    # reader's modules imported, it starts each reader at once (a spawned one takes ~0.6 s).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__])
    receiving, sending = context.Pipe(duplex=False)
    ingest_ended, ingest_alive = context.Pipe(duplex=False)
    reader = context.Process(
        target=_reader_main,
        args=(plan, sending, ingest_ended),
        name=f"read {plan.warc.name}",
        daemon=True,
    )
    reader.start()
    sending.close()  # the reader's ends are the reader's alone: its death ends the pipe
    ingest_ended.close()
    try:
        while True:
            try:
                read = receiving.recv()
            except EOFError:
                reader.join(READER_EXIT_SECONDS)
                raise ReaderStopped(
                    f"the WARC reader process ended before the file did "
                    f"(exit code {reader.exitcode})"
                ) from None
            yield read
            if read.last or read.failure is not None:
                return
    finally:
        receiving.close()
        ingest_alive.close()  # the reader ends now if it has not
        reader.join(READER_EXIT_SECONDS)
        if reader.is_alive():
            reader.kill()
            reader.join()


def _exit_at_end(ingest_ended: Connection) -> None:
    """End this process when the ingest's end of the pipe closes: nothing is sent on it."""
    try:
        ingest_ended.recv()
    finally:
        os._exit(0)


class ReaderStopped(RuntimeError):
    """The reader process died (killed, out of memory) before its last read."""


def _reader_main(plan: _ReadPlan, sending: Connection, ingest_ended: Connection) -> None:
    """The reader process: send each read until the last, or until the ingest ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the ingest, which stops this
    threading.Thread(target=_exit_at_end, args=(ingest_ended,), daemon=True).start()
    try:
        for read in _read_warc(plan):
            sending.send(read)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the ingest stopped listening
    finally:
        sending.close()


@dataclass
class _Prepared:
    """A capture ready to store: what its rule and its extraction (CPU, no database) say."""

    item: WarcCapture
    seed_id: str | None
    rule: SiteRule | None
    collection: str
    extraction: Extraction | None
    document: DocumentText | None  # a disclosure page's
    capture: SimpleNamespace | None = None  # its row, once stored


def _store_chunk(session, state, prepared, options, result) -> None:
    """Catalogue the ``prepared`` records in one transaction: rows inserted together,
    revisits' records looked up together. If any record fails, the chunk is rolled back and
    stored again one record per savepoint, so that record alone is lost, counted in
    ``problems``."""
    if not prepared:
        return
    originals = _revisit_originals(session, prepared)
    counts = (result.captures, result.records, result.duplicates, state.site_record_id)
    try:
        for entry in prepared:
            if isinstance(entry, WarcMetadata):
                _store_metadata(session, state, entry, options, result)
            else:
                _catalogue_capture(session, state, entry, options, result, originals)
                _remember_original(originals, entry)
        _insert_pending(session, state)
        insert_listing_pages(session, state.pages)
        _add_site_size(session, state)
        commit_with_datestamps(session)
        _refresh_statistics(session, state, result)
        return
    except Exception:  # noqa: BLE001 - some record failed: find it, one savepoint each
        session.rollback()
        _forget_pending(state)
        state.pages.clear()
        state.site_size = 0
        forget_datestamps(session)
        forget_listings(session)
        result.captures, result.records, result.duplicates, state.site_record_id = counts
    originals = _revisit_originals(session, prepared)
    for entry in prepared:
        if isinstance(entry, WarcMetadata):
            _store_metadata_guarded(session, state, entry, options, result)
        else:
            _catalogue_guarded(session, state, entry, options, result, originals)
    commit_with_datestamps(session)
    _refresh_statistics(session, state, result)


def _refresh_statistics(session: Session, state: _FileState, result: IngestResult) -> None:
    """PostgreSQL: ANALYZE the tables 查重 probes once this ingest added more rows to one
    than its statistics count. Statistics of a small catalogue (new, or empty when
    migrated) make the planner read every record for each probe, ever slower as an ingest
    fills it; autovacuum analyzes only a minute after the load, too late for one ingest."""
    if session.get_bind().dialect.name != "postgresql":
        return
    added = {"catalog_records": result.records, "catalog_captures": result.captures}
    estimates = session.execute(
        text("SELECT t, (SELECT reltuples FROM pg_class WHERE oid = to_regclass(t)) "
             "FROM unnest(CAST(:tables AS text[])) AS t"),
        {"tables": list(added)},
    )  # fmt: skip
    for table, rows in estimates.all():
        if added[table] - state.analyzed.get(table, 0) > max(rows, STALE_ROWS):
            session.execute(text(f"ANALYZE {table}"))
            state.analyzed[table] = added[table]
    session.commit()


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


def _catalogue_guarded(session, state, entry, options, result, originals) -> None:
    """Catalogue one capture in a savepoint: a failure costs this record, counted, no more."""
    counts = (result.captures, result.records, result.duplicates, state.site_record_id)
    try:
        with session.begin_nested():
            _catalogue_capture(session, state, entry, options, result, originals)
            _insert_pending(session, state)
            _add_site_size(session, state)
    except Exception as exc:  # noqa: BLE001 - any failure of one record is reported, not fatal
        _forget_pending(state)
        state.site_size = 0
        result.captures, result.records, result.duplicates, state.site_record_id = counts
        result.problems[f"record not catalogued ({type(exc).__name__}: {exc})"] += 1
    else:
        _remember_original(originals, entry)


def _store_metadata(session, state, item, options, result) -> None:
    """Store a listing page's or failed fetch's metadata."""
    if not tells_coverage(item):
        return
    seed_id = first(item.fields, META_SEED) or state.info.get(INFO_SEED)
    rule = options.rules.find(seed_id, item.url)
    place = Place(
        warc_file_id=state.warc.id,
        collection=_collection(state.info, rule, options),
        jurisdiction=_jurisdiction(state.info, rule, options),
        seed=seed_id or (rule.seed_id if rule else None),
    )
    store_metadata(session, item, place, state.pages)


def _store_metadata_guarded(session, state, item, options, result) -> None:
    """``_store_metadata`` in a savepoint: a failure costs this record, counted, no more."""
    try:
        with session.begin_nested():
            _store_metadata(session, state, item, options, result)
            insert_listing_pages(session, state.pages)
    except Exception as exc:  # noqa: BLE001 - any failure of one record is reported, not fatal
        state.pages.clear()
        forget_listings(session)
        result.problems[f"metadata record not stored ({type(exc).__name__}: {exc})"] += 1


def _collection(info: dict[str, str], rule, options: IngestOptions) -> str:
    return (
        info.get(INFO_COLLECTION)
        or (rule.collection if rule else None)
        or options.collection
        or DEFAULT_COLLECTION
    )


def _jurisdiction(info: dict[str, str], rule, options: IngestOptions) -> str | None:
    return (
        info.get(INFO_JURISDICTION) or (rule.jurisdiction if rule else None) or options.jurisdiction
    )


def _read_warcinfo(session: Session, state: _FileState, info: WarcInfo) -> None:
    state.info.update(_given(info))
    state.seed_url = state.info.get(INFO_SEED_URL) or state.seed_url
    warc_file = session.get(WarcFile, state.warc.id)
    for column, key in (("collection", INFO_COLLECTION), ("jurisdiction", INFO_JURISDICTION),
                        ("seed", INFO_SEED), ("seed_url", INFO_SEED_URL)):  # fmt: skip
        if state.info.get(key):
            setattr(warc_file, column, state.info[key][:255])


def _prepare(info, item, options, problems) -> _Prepared | WarcMetadata:
    """What storing ``item`` needs and no database gives: its rule, its extraction and,
    for a document, its text and SimHash.

    The problems found here are the record's own, counted once however often its chunk is
    stored."""
    if isinstance(item, WarcMetadata):
        if item.truncated and tells_coverage(item):
            problems[f"metadata record larger than {MAX_METADATA_BYTES} bytes: tail unread"] += 1
        return item
    seed_id = info.get(INFO_SEED)
    rule = options.rules.find(seed_id, item.url)
    extraction = document = None
    if item.body_problem:
        problems[item.body_problem] += 1
    if item.body is not None and item.status in (None, 200):
        try:
            extraction = extract_page(
                item.body,
                item.url,
                item.content_type,
                rule.extract if rule else None,
                whole_page=False,
            )
        except Exception as exc:  # noqa: BLE001 - the capture is kept without its extraction
            problems[f"page not extracted ({type(exc).__name__}: {exc})"] += 1
    if extraction is not None:
        if item.body_problem:
            extraction.provenance["truncated"] = item.body_problem
        problems.update(extraction.skipped_links)
        if extraction.is_disclosure:
            document = document_text(extraction)
            extraction.body = ""  # now the document's text: sent once
    item.body = None  # extracted: the chunk need not hold the page
    collection = _collection(info, rule, options)
    return _Prepared(item, seed_id, rule, collection, extraction, document)


def _catalogue_capture(
    session: Session,
    state: _FileState,
    entry: _Prepared,
    options: IngestOptions,
    result: IngestResult,
    originals: dict[tuple[str, str], int],
) -> None:
    item, rule, collection, extraction = entry.item, entry.rule, entry.collection, entry.extraction
    jurisdiction = _jurisdiction(state.info, rule, options) or (
        code_from_site_id(extraction.site_id_code) if extraction else None
    )
    capture = _capture_row(
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
        seed=entry.seed_id or (rule.seed_id if rule else None),
        collection=collection,
        jurisdiction=jurisdiction,
        title=extraction.page_title if extraction else None,
        charset=extraction.charset if extraction else None,
        replay_url=replay_url(
            options.replay_base, collection, jurisdiction, item.captured_at, item.url
        ),
        redirect_to=item.redirect_to,
    )
    entry.capture = capture
    result.captures += 1
    place = place_of(jurisdiction)
    if extraction is not None and extraction.is_disclosure:
        if capture.url_hash in state.pending_with_record:
            _insert_pending(session, state)  # the same-URL rule looks for this URL's captures
        record, created = catalogue_document(
            session, capture, extraction, entry.document, place, owner=options.library_id
        )
        _own(record, options)
        if created:
            result.records += 1
        else:
            result.duplicates += 1
    elif item.warc_type == "revisit" and item.payload_digest:
        _attach_revisit(session, capture, originals)
    if collection == WEBSITE_COLLECTION:
        _add_to_website(session, state, capture, extraction, place, options)
    state.pending.append(capture)
    if capture.record_id is not None:
        state.pending_with_record.add(capture.url_hash)


def _capture_row(**columns) -> SimpleNamespace:
    """A capture's row, read and completed (record, match, site record) as an object is,
    then inserted with others: no ORM object per capture."""
    return SimpleNamespace(**{**_NO_CAPTURE_VALUES, **columns})


def _own(record: Record, options: IngestOptions) -> None:
    """The library the WARC was crawled for owns the record, unless another already does."""
    if options.library_id is not None and record.library_id is None:
        record.library_id = options.library_id


def _insert_pending(session: Session, state: _FileState) -> None:
    """Insert the pending captures, all in one statement."""
    if state.pending:
        rows = [vars(capture) for capture in state.pending]
        _forget_pending(state)
        insert_rows(session, Capture.__table__, rows)


def _forget_pending(state: _FileState) -> None:
    state.pending.clear()
    state.pending_with_record.clear()


def _revisit_originals(session: Session, prepared: list) -> dict[tuple[str, str], int]:
    """(payload digest, URL hash) → record of an earlier capture, for the chunk's revisits:
    one query per chunk (in chunks of the IN list) instead of one per revisit."""
    digests = sorted({
        entry.item.payload_digest for entry in prepared
        if isinstance(entry, _Prepared) and entry.item.warc_type == "revisit"
        and entry.item.payload_digest
    })  # fmt: skip
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(digests), IN_LIST):
        rows = session.execute(
            select(Capture.payload_digest, Capture.url_hash, Capture.record_id)
            .where(
                Capture.payload_digest.in_(digests[start : start + IN_LIST]),
                Capture.record_id.is_not(None),
            )
            .order_by(Capture.id)
        )
        for digest, hashed, record_id in rows:
            found.setdefault((digest, hashed), record_id)
    return found


def _remember_original(originals: dict, entry) -> None:
    """A capture stored with a record is the original of a later revisit of its payload."""
    capture = getattr(entry, "capture", None)
    if capture is not None and capture.record_id is not None and capture.payload_digest:
        originals.setdefault((capture.payload_digest, capture.url_hash), capture.record_id)


def _attach_revisit(session: Session, capture: SimpleNamespace, originals: dict) -> None:
    """A revisit repeats an earlier payload: it belongs to that capture's record."""
    record_id = originals.get((capture.payload_digest, capture.url_hash))
    if record_id is not None:
        capture.record_id = record_id
        capture.match_reason = "revisit"
        capture.match_detail = f"identical payload {capture.payload_digest}"
        touch_id(session, record_id)


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
            owner=options.library_id,
        )
        state.site_record_id = record.id
        _own(record, options)
    if extraction is not None and capture.url == state.seed_url:
        record = session.get(Record, state.site_record_id)
        if not record.title:
            record.title = record_text(extraction.site_name or extraction.page_title)
    state.site_size += capture.size or 0  # added by _add_site_size, once per chunk
    touch_id(session, state.site_record_id)
    capture.site_record_id = state.site_record_id


def _add_site_size(session: Session, state: _FileState) -> None:
    """Add the stored captures' bytes to the site record: one UPDATE, not one per capture."""
    if state.site_size:
        records = Record.__table__
        session.execute(
            update(records)
            .where(records.c.id == state.site_record_id)
            .values(size=func.coalesce(records.c.size, 0) + state.site_size)
        )
        state.site_size = 0
