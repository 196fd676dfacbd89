"""Payload-digest index of one collection, so identical payloads become revisit records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from diancang.crawler.state_db import open_state_db


@dataclass(frozen=True)
class Original:
    uri: str
    date: str
    record_id: str


class DedupIndex:
    """Maps payload digest to the first stored response with that payload.

    One SQLite file per collection, kept across crawls. A digest is added only after its
    response record is flushed to disk, so a revisit never refers to a record that a crash
    could have lost.
    """

    def __init__(self, path: Path):
        self._db = open_state_db(
            path,
            "CREATE TABLE IF NOT EXISTS payloads (digest TEXT PRIMARY KEY,"
            " uri TEXT NOT NULL, date TEXT NOT NULL, record_id TEXT NOT NULL);",
        )

    def lookup(self, digest: str) -> Original | None:
        row = self._db.execute(
            "SELECT uri, date, record_id FROM payloads WHERE digest = ?", (digest,)
        ).fetchone()
        return Original(*row) if row else None

    def add(self, digest: str, original: Original) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO payloads VALUES (?, ?, ?, ?)",
            (digest, original.uri, original.date, original.record_id),
        )

    def close(self) -> None:
        self._db.close()
