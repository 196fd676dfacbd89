"""The URLs one collection already holds, with what a conditional request for each needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from diancang.crawler.state_db import open_state_db
from diancang.crawler.warc.dedup import Original


@dataclass(frozen=True)
class Capture:
    """The last 200 response of a URL: its validators and the record holding its payload.

    ``original`` is the response record with the payload (for a capture stored as an
    identical-payload revisit, the record that revisit refers to), which is what a
    server-not-modified revisit of the URL refers to.
    """

    etag: str | None
    last_modified: str | None
    digest: str
    original: Original


class CaptureIndex:
    """Maps URL to its last stored 200 response, in the collection's dedup SQLite file.

    Kept across crawls, like the payload-digest index (crawler/warc/dedup.py), and written
    the same way: only after the record is flushed, so a conditional request never relies
    on a capture that a crash could have lost.
    """

    def __init__(self, path: Path):
        self._db = open_state_db(
            path,
            "CREATE TABLE IF NOT EXISTS captures (uri TEXT PRIMARY KEY, etag TEXT,"
            " last_modified TEXT, digest TEXT NOT NULL, original_uri TEXT NOT NULL,"
            " original_date TEXT NOT NULL, original_record_id TEXT NOT NULL);"
            # pages captured as listing pages: a recrawl fetches them in full, however
            # they were reached (a directory linked from a portal's home page)
            "CREATE TABLE IF NOT EXISTS listing_pages (uri TEXT PRIMARY KEY);",
        )

    def lookup(self, uri: str) -> Capture | None:
        row = self._db.execute(
            "SELECT etag, last_modified, digest, original_uri, original_date,"
            " original_record_id FROM captures WHERE uri = ?",
            (uri,),
        ).fetchone()
        return Capture(row[0], row[1], row[2], Original(*row[3:])) if row else None

    def add(self, uri: str, capture: Capture) -> None:
        original = capture.original
        self._db.execute(
            "INSERT OR REPLACE INTO captures VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                uri,
                capture.etag,
                capture.last_modified,
                capture.digest,
                original.uri,
                original.date,
                original.record_id,
            ),
        )

    def add_listing_page(self, uri: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO listing_pages VALUES (?)", (uri,))

    def was_listing_page(self, uri: str) -> bool:
        return (
            self._db.execute("SELECT 1 FROM listing_pages WHERE uri = ?", (uri,)).fetchone()
            is not None
        )

    def close(self) -> None:
        self._db.close()
