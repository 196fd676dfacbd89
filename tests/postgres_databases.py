"""Fresh, empty databases on the session's PostgreSQL server (``postgres_server``)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

_counter = itertools.count()


@contextmanager
def fresh_database(server_uri: str, prefix: str) -> Iterator[str]:
    """The URL of a new database on the server of ``server_uri``, dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server_uri.partition("?")
    try:
        yield f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(server_uri, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
