"""Empty catalogue databases on either backend, for fixtures of any scope."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BACKENDS = ["sqlite", "postgresql"]
_db_counter = itertools.count()


@contextmanager
def empty_database(backend: str, directory: Path, postgres_uri: str | None) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in ``directory``, or a database of
    the PostgreSQL server at ``postgres_uri`` (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'catalog.sqlite'}"
        return
    with fresh_database(postgres_uri, "catalog_test") as url:
        yield url


@contextmanager
def migrated_database(
    backend: str, directory: Path, postgres_uri: str | None, template: str
) -> Iterator[str]:
    """The URL of a new catalogue database at the newest schema, a copy of ``template`` (what
    :func:`migrated_template` yielded) in ``directory`` or on the server at ``postgres_uri``."""
    if backend == "sqlite":
        shutil.copyfile(template, directory / "catalog.sqlite")
        yield f"sqlite:///{directory / 'catalog.sqlite'}"
        return
    with fresh_database(postgres_uri, "catalog_test", template=template) as url:
        yield url


@contextmanager
def migrated_template(backend: str, directory: Path, postgres_uri: str | None) -> Iterator[str]:
    """A catalogue migrated once (a SQLite file's path, or a PostgreSQL database's name), for
    :func:`migrated_database` to copy: migrating takes seconds, mostly waiting for the disk;
    a copy takes milliseconds."""
    from diancang.catalog.db import Catalog

    with empty_database(backend, directory, postgres_uri) as url:
        Catalog(url).dispose()  # no connection left: PostgreSQL copies only an idle template
        path = directory / "catalog.sqlite"
        yield str(path) if backend == "sqlite" else url.partition("?")[0].rsplit("/", 1)[1]


@contextmanager
def fresh_database(server_uri: str, prefix: str, template: str = "") -> Iterator[str]:
    """The URL of a new database on the PostgreSQL server of ``server_uri`` (a copy of the
    database ``template`` if given), dropped afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{next(_db_counter)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    base, _, query = server_uri.partition("?")
    try:
        yield f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(server_uri, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def statements_seen(engine, seen) -> Iterator[None]:
    """Pass ``seen`` the text of each statement ``engine`` runs: SQLAlchemy's, and the
    ``COPY`` statements that ``insert_rows`` sends through psycopg on PostgreSQL, which
    SQLAlchemy's ``before_cursor_execute`` never sees."""
    import psycopg
    from sqlalchemy import event

    def executed(_connection, _cursor, statement, *_args) -> None:
        seen(statement)

    copy = psycopg.Cursor.copy

    def copying(cursor, statement, *args, **kwargs):
        seen(str(statement))
        return copy(cursor, statement, *args, **kwargs)

    event.listen(engine, "before_cursor_execute", executed)
    psycopg.Cursor.copy = copying
    try:
        yield
    finally:
        psycopg.Cursor.copy = copy
        event.remove(engine, "before_cursor_execute", executed)
