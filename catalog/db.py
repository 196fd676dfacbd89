"""Engine, sessions and Alembic migrations of the catalogue (SQLite default, PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from diancang.catalog.search_index import add_sqlite_functions

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "catalog_alembic_version"
SQLITE_MMAP_BYTES = 1 << 40
COPY_FROM_ROWS = 10  # insert_rows


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    add_sqlite_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # pages read from the OS page cache in place, not copied into SQLite's own cache one
    # read() each: a search reads thousands of scattered record pages (capped by the build,
    # 2 GB in the stock one)
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts of the same columns, values as the driver takes them) into
    ``table`` in the session's transaction: by ``COPY`` on PostgreSQL, where an executemany
    sends, binds and runs one INSERT a row (with SQLAlchemy's work for each, most of the
    client's time in an ingest); by executemany elsewhere, and for a few rows (COPY waits for
    the server's answer to its start before it sends a row: a round trip more)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)  # "offset" is a reserved word
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    cfg.set_main_option("version_table", VERSION_TABLE)
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the catalogue schema at ``url`` up to ``revision`` (creating it if needed)."""
    command.upgrade(alembic_config(url), revision)


class Catalog:
    """A migrated catalogue database: ``with catalog.session() as s: ...`` commits on success."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)  # creates a SQLite file's directory
        if migrate:
            upgrade(self.url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_catalog(url: str | None = None) -> Catalog:
    """The catalogue named by ``url`` or, when None, by the settings (DIANCANG_DATABASE_URL)."""
    if url is None:
        from diancang.settings import load_settings

        url = load_settings().database_url
    return Catalog(url)
