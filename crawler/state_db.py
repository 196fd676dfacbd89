"""SQLite files that hold crawl state (frontier journal, dedup index)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Seconds a statement waits for another process's write (crawls on one data directory share
# the dedup index of a collection) before it fails with "database is locked".
BUSY_TIMEOUT = 30.0


def open_state_db(path: Path, schema: str) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode with a write-ahead log.

    Each committed statement survives a killed process (the WAL is in the operating
    system's hands); ``synchronous=NORMAL`` gives up only durability against power loss,
    which a re-crawl repairs, for a much cheaper commit. In WAL mode readers never wait for
    a writer, and writers of several processes take turns (``BUSY_TIMEOUT``).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db
