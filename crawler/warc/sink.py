"""The crawl's one WARC output: a writer per seed, one dedup index per collection
(crawler/warc/revisit_index.py: SQLite in the data directory, or shared in PostgreSQL)."""

from __future__ import annotations

import functools
import logging
import platform
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from scrapy import Request
from scrapy.http import Response

from diancang import __version__
from diancang.crawler import recrawl
from diancang.crawler.warc.captures import Capture
from diancang.crawler.warc.dedup import Original
from diancang.crawler.warc.records import RecordFactory, payload_digest
from diancang.crawler.warc.revisit_index import (
    INDEX_ERRORS,
    PayloadIndex,
    RevisitIndexes,
    UrlIndex,
)
from diancang.crawler.warc.writer import RotatingWarcWriter
from diancang.pywb_collections import collection_name
from diancang.seeds.schema import Seed
from diancang.warc_names import (
    INFO_COLLECTION,
    INFO_JURISDICTION,
    INFO_ROBOTS,
    INFO_SEED,
    INFO_SEED_TITLE,
    INFO_SEED_URL,
)

# One WARC file is open per seed being crawled; a crawl of hundreds of sites would run out
# of file descriptors, so the least recently used writers are closed beyond this many.
MAX_OPEN_WRITERS = 64
# Stats key of the WARC files that could not be closed or handed to the store (messages).
CLOSE_FAILURES = "warc/close_failures"

log = logging.getLogger(__name__)


def collection_key(seed: Seed) -> str:
    """The pywb collection of a seed's captures: its collection and jurisdiction."""
    return collection_name(seed.collection, seed.jurisdiction)


def _stops_on_index_failure(method):
    """A revisit index that fails (a full disk) stops the crawl as a WARC write does:
    every later response would fail with it."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except INDEX_ERRORS as exc:
            self._on_write_error(f"revisit index read or write failed: {exc}")
            raise

    return guarded


class WarcSink:
    def __init__(
        self,
        spool_dir: Callable[[str], Path],
        indexes: RevisitIndexes,
        operator: str,
        max_size: int,
        on_close: Callable[[Path, str], None],
        on_write_error: Callable[[str], None],
        stats,
        origin: str | None = None,
    ):
        self._origin = origin
        self._on_write_error = on_write_error
        self._spool_dir = spool_dir
        self._indexes = indexes
        self._operator = operator
        self._max_size = max_size
        self._on_close = on_close
        self._stats = stats
        self._factory = RecordFactory()
        self._writers: OrderedDict[str, RotatingWarcWriter] = OrderedDict()
        self._dedup: dict[str, PayloadIndex] = {}
        self._captures: dict[str, UrlIndex] = {}

    def _writer(self, seed: Seed) -> RotatingWarcWriter:
        writer = self._writers.get(seed.id)
        if writer is not None:
            self._writers.move_to_end(seed.id)
        else:
            if len(self._writers) >= MAX_OPEN_WRITERS:  # bound open files: close the idlest
                self._close(self._writers.popitem(last=False)[1])
            key = collection_key(seed)
            info = {
                "software": f"Diancang/{__version__} (Scrapy, warcio)",
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                "warc-format/warc-1.1/",
                "hostname": platform.node(),
                "operator": self._operator,
                INFO_COLLECTION: seed.collection,
                INFO_JURISDICTION: seed.jurisdiction,
                INFO_ROBOTS: seed.robots,
                INFO_SEED: seed.id,
                INFO_SEED_URL: seed.url,
                INFO_SEED_TITLE: seed.title,
            }
            writer = RotatingWarcWriter(
                self._spool_dir(key),
                key,
                info,
                self._factory,
                self._max_size,
                lambda path, key=key: self._on_close(path, key),
                self._origin,
            )
            self._writers[seed.id] = writer
        return writer

    def _dedup_index(self, seed: Seed) -> PayloadIndex:
        key = collection_key(seed)
        if key not in self._dedup:
            self._dedup[key] = self._indexes.payloads(key)
        return self._dedup[key]

    def _capture_index(self, seed: Seed) -> UrlIndex:
        key = collection_key(seed)
        if key not in self._captures:
            self._captures[key] = self._indexes.captures(key)
        return self._captures[key]

    def captured(self, seed: Seed, url: str) -> Capture | None:
        """The last stored 200 response of ``url`` in the seed's collection, if any; None
        for a page captured as a listing page (a recrawl fetches those in full)."""
        captures = self._capture_index(seed)
        return None if captures.was_listing_page(url) else captures.lookup(url)

    def _write(self, seed: Seed, *records) -> None:
        writer = self._writer(seed)
        try:
            writer.write(*records)
        except OSError as exc:  # a full disk or a lost volume: stop, keep what is written
            self._on_write_error(f"WARC write failed: {exc}")
            raise

    def _close(self, writer: RotatingWarcWriter) -> None:
        """Close one writer; a failure is counted for the report, never only logged."""
        try:
            writer.close()
        except Exception as exc:  # the crawl reports it and exits non-zero (crawler.run)
            log.error("WARC file of %s not closed or not stored: %s", writer.prefix, exc)
            failures = self._stats.get_value(CLOSE_FAILURES) or []
            self._stats.set_value(CLOSE_FAILURES, [*failures, f"{writer.prefix}: {exc}"])

    @_stops_on_index_failure
    def record_exchange(
        self,
        seed: Seed,
        request: Request,
        response: Response,
        date: str,
        truncated: str | None,
        asked_about: Capture | None = None,
        counted: bool = False,
    ) -> str:
        """Write the request and the response (or a revisit); return the response's record id.

        ``asked_about`` is the capture a conditional request was made for: a 304 answer to
        it is a server-not-modified revisit of that capture. With ``counted``, the
        exchange's recrawl outcome is counted (crawler/recrawl.py).
        """
        factory = self._factory
        dedup, captures = self._dedup_index(seed), self._capture_index(seed)
        digest = payload_digest(response.body)
        not_modified = asked_about is not None and response.status == 304
        if not_modified:
            original = asked_about.original
            main = factory.not_modified(response, date, asked_about.digest, original)
        else:
            original = None if truncated or not response.body else dedup.lookup(digest)
            if original is not None:
                main = factory.revisit(response, date, digest, original)
            else:
                main = factory.response(response, date, truncated, digest)
        record_id = main.rec_headers.get_header("WARC-Record-ID")
        req = factory.request(request, response, date, record_id)
        counted = counted and not captures.was_listing_page(response.url)
        previous = captures.lookup(response.url) if counted else None
        self._write(seed, req, main)
        # counted only once written: the report describes what the WARCs hold
        whole = response.body and not truncated and not not_modified
        if whole and original is None:
            dedup.add(digest, Original(response.url, date, record_id))
        if whole and response.status == 200:
            stored = original or Original(response.url, date, record_id)
            validators = response.headers.get(b"ETag"), response.headers.get(b"Last-Modified")
            etag, last_modified = (v.decode("latin-1") if v else None for v in validators)
            captures.add(response.url, Capture(etag, last_modified, digest, stored))
        stats = self._stats
        if original is None:
            stats.inc_value("warc/payload_bytes", len(response.body))
        else:
            stats.inc_value("warc/revisits")
        if counted:
            outcome = _outcome(response, digest, previous, not_modified)
            if outcome:
                recrawl.count(stats, outcome)
        mime = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        stats.inc_value(f"mime/{mime.decode('latin-1') or 'unknown'}")
        stats.inc_value(f"status/{response.status}")
        stats.inc_value("bytes/received", len(response.body))
        stats.inc_value("warc/records", 2)
        return record_id

    def record_metadata(
        self, seed: Seed, uri: str, concurrent_to: str | None, fields: list[tuple[str, str]]
    ) -> None:
        """A metadata record of ``fields``; ``concurrent_to`` None when there is no response
        to describe (a fetch that failed)."""
        record = self._factory.metadata(uri, self._factory.now(), concurrent_to, fields)
        self._write(seed, record)
        self._stats.inc_value("warc/records")

    @_stops_on_index_failure
    def add_listing_page(self, seed: Seed, uri: str) -> None:
        """Remember ``uri`` as captured as a listing page (call once its metadata record,
        which says so, is written): recrawls fetch it in full."""
        self._capture_index(seed).add_listing_page(uri)

    def record_resource(
        self, seed: Seed, uri: str, content_type: str, body: bytes, concurrent_to: str
    ) -> None:
        record = self._factory.resource(uri, self._factory.now(), content_type, body, concurrent_to)
        self._write(seed, record)
        self._stats.inc_value("warc/records")

    def now(self) -> str:
        return self._factory.now()

    def close(self) -> None:
        for writer in self._writers.values():
            self._close(writer)
        self._indexes.close()


def _outcome(
    response: Response, digest: str, previous: Capture | None, not_modified: bool
) -> str | None:
    if not_modified:
        return recrawl.OUTCOME_UNCHANGED
    if previous is not None:
        same = response.status == 200 and digest == previous.digest
        return recrawl.OUTCOME_UNCHANGED if same else recrawl.OUTCOME_CHANGED
    return recrawl.OUTCOME_NEW if 200 <= response.status < 300 else None
