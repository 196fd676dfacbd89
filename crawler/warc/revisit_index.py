"""Where a collection's revisit-dedup index lives: SQLite in the data directory, or PostgreSQL.

The index is three tables per collection: payload digest → first stored response
(crawler/warc/dedup.py), URL → last stored 200 response (crawler/warc/captures.py) and the
URLs captured as listing pages. Embedded, each collection has a SQLite file under
``DATA_DIR/dedup``; with ``DIANCANG_DEDUP_URL=postgresql://…`` every worker and every crawl
of a collection share the same rows in PostgreSQL, kept for years (nothing expires).

Rows are written only after their record is flushed (the sink's order), with
``INSERT … ON CONFLICT``: two workers that fetch one new payload at once may both store it
in full and neither fails; the first row stays, so later revisits refer to one of them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from diancang.crawler.warc.captures import Capture, CaptureIndex
from diancang.crawler.warc.dedup import DedupIndex, Original

DEDUP_URL_SETTING = "DIANCANG_DEDUP_URL"
CONNECT_TIMEOUT = 10  # seconds: an unreachable server fails the crawl before it starts
# One creator of the tables at a time: concurrent CREATE TABLE IF NOT EXISTS can collide.
_SCHEMA_LOCK = 0x64656475  # "dedu"
SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_payloads (
    collection TEXT NOT NULL, digest TEXT NOT NULL, uri TEXT NOT NULL, date TEXT NOT NULL,
    record_id TEXT NOT NULL, PRIMARY KEY (collection, digest));
CREATE TABLE IF NOT EXISTS dedup_captures (
    collection TEXT NOT NULL, uri TEXT NOT NULL, etag TEXT, last_modified TEXT,
    digest TEXT NOT NULL, original_uri TEXT NOT NULL, original_date TEXT NOT NULL,
    original_record_id TEXT NOT NULL, PRIMARY KEY (collection, uri));
CREATE TABLE IF NOT EXISTS dedup_listing_pages (
    collection TEXT NOT NULL, uri TEXT NOT NULL, PRIMARY KEY (collection, uri));
"""


class DedupUnavailable(RuntimeError):
    """The configured dedup database cannot be used; the message names the setting."""


def _redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def connect(url: str) -> psycopg.Connection:
    """An autocommit connection to the dedup database, its tables made; a clear error if not."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise DedupUnavailable(
            f"{DEDUP_URL_SETTING}={_redacted(url)}: expected postgresql://USER@HOST/DB "
            "(empty: SQLite in the data directory)"
        )
    try:
        conn = psycopg.connect(
            f"postgresql://{rest}", autocommit=True, connect_timeout=CONNECT_TIMEOUT
        )
    except psycopg.Error as exc:
        raise DedupUnavailable(
            f"{DEDUP_URL_SETTING}={_redacted(url)}: cannot connect to the revisit-dedup "
            f"database: {str(exc).strip()}"
        ) from exc
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        conn.execute(SCHEMA)
    return conn


class PostgresDedupIndex:
    """The payload-digest index of one collection in PostgreSQL (as ``DedupIndex``)."""

    def __init__(self, conn: psycopg.Connection, collection: str):
        self._conn, self._collection = conn, collection

    def lookup(self, digest: str) -> Original | None:
        row = self._conn.execute(
            "SELECT uri, date, record_id FROM dedup_payloads WHERE collection = %s AND digest = %s",
            (self._collection, digest),
        ).fetchone()
        return Original(*row) if row else None

    def add(self, digest: str, original: Original) -> None:
        self._conn.execute(
            "INSERT INTO dedup_payloads VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (self._collection, digest, original.uri, original.date, original.record_id),
        )

    def close(self) -> None:
        """The connection belongs to the ``RevisitIndexes`` that made this."""


class PostgresCaptureIndex:
    """The URL index of one collection in PostgreSQL (as ``CaptureIndex``)."""

    def __init__(self, conn: psycopg.Connection, collection: str):
        self._conn, self._collection = conn, collection

    def lookup(self, uri: str) -> Capture | None:
        row = self._conn.execute(
            "SELECT etag, last_modified, digest, original_uri, original_date,"
            " original_record_id FROM dedup_captures WHERE collection = %s AND uri = %s",
            (self._collection, uri),
        ).fetchone()
        return Capture(row[0], row[1], row[2], Original(*row[3:])) if row else None

    def add(self, uri: str, capture: Capture) -> None:
        original = capture.original
        self._conn.execute(
            "INSERT INTO dedup_captures VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (collection, uri) DO UPDATE SET etag = EXCLUDED.etag,"
            " last_modified = EXCLUDED.last_modified, digest = EXCLUDED.digest,"
            " original_uri = EXCLUDED.original_uri, original_date = EXCLUDED.original_date,"
            " original_record_id = EXCLUDED.original_record_id",
            (self._collection, uri, capture.etag, capture.last_modified, capture.digest,
             original.uri, original.date, original.record_id),
        )  # fmt: skip

    def add_listing_page(self, uri: str) -> None:
        self._conn.execute(
            "INSERT INTO dedup_listing_pages VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (self._collection, uri),
        )

    def was_listing_page(self, uri: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM dedup_listing_pages WHERE collection = %s AND uri = %s",
            (self._collection, uri),
        ).fetchone()
        return row is not None

    def close(self) -> None:
        """The connection belongs to the ``RevisitIndexes`` that made this."""


PayloadIndex = DedupIndex | PostgresDedupIndex
UrlIndex = CaptureIndex | PostgresCaptureIndex
# what a lookup or a write of either backend raises when its database fails (a full disk)
INDEX_ERRORS = (sqlite3.Error, psycopg.Error)


def check(url: str) -> None:
    """Raise ``DedupUnavailable`` unless the dedup index at ``url`` (empty: SQLite) can be used."""
    if url:
        connect(url).close()


class RevisitIndexes:
    """The payload and URL indexes of each collection, on the backend ``url`` chooses.

    ``url`` empty: one SQLite file per collection in ``sqlite_dir``; ``postgresql://…``:
    shared tables in that database, reached (and checked) when this is made.
    """

    def __init__(self, url: str, sqlite_dir: Path):
        self._sqlite_dir = sqlite_dir
        self._conn = connect(url) if url else None
        self._opened: list = []

    def payloads(self, collection: str) -> PayloadIndex:
        if self._conn is not None:
            return PostgresDedupIndex(self._conn, collection)
        return self._keep(DedupIndex(self._sqlite_dir / f"{collection}.sqlite"))

    def captures(self, collection: str) -> UrlIndex:
        if self._conn is not None:
            return PostgresCaptureIndex(self._conn, collection)
        # a table of its own in the payload index's file
        return self._keep(CaptureIndex(self._sqlite_dir / f"{collection}.sqlite"))

    def _keep(self, index):
        self._opened.append(index)
        return index

    def close(self) -> None:
        for index in self._opened:
            index.close()
        self._opened.clear()
        if self._conn is not None:
            self._conn.close()
