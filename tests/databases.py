"""Empty catalogue databases on either backend, for fixtures of any scope."""

from __future__ import annotations

import itertools
import os
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
def fresh_database(server_uri: str, prefix: str) -> Iterator[str]:
    """The URL of a new database on the PostgreSQL server of ``server_uri``, dropped
    afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{next(_db_counter)}"
    with psycopg.connect(server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server_uri.partition("?")
    try:
        yield f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(server_uri, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
