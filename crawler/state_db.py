"""SQLite files that hold crawl state (frontier journal, dedup index)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_state_db(path: Path, schema: str) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode with a write-ahead log.

    Each committed statement survives a killed process (the WAL is in the operating
    system's hands); ``synchronous=NORMAL`` gives up only durability against power loss,
    which a re-crawl repairs, for a much cheaper commit.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db
