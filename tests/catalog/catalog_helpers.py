"""Small helpers shared by the catalogue tests."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from diancang.catalog.db import Catalog
from diancang.catalog.ingest import IngestOptions, IngestResult, ingest_warc
from diancang.catalog.models import Base, Capture, Record
from diancang.catalog.warc_source import local_warc


def ingest(catalog: Catalog, path: Path, **options) -> IngestResult:
    result = ingest_warc(catalog, local_warc(path), IngestOptions(**options))
    assert result.error is None, result.error
    return result


def records_by_path(catalog: Catalog) -> dict[str, Record]:
    """Government-information records by the path of each of their captures."""
    with catalog.session() as session:
        rows = session.execute(
            select(Capture.url, Record)
            .join(Record, Capture.record_id == Record.id)
            .where(Record.kind == "govinfo")
        ).all()
    return {urlsplit(url).path: record for url, record in rows}


def counts(catalog: Catalog) -> tuple[int, int]:
    with catalog.session() as session:
        return (
            session.scalar(select(func.count(Record.id))),
            session.scalar(select(func.count(Capture.id))),
        )


# Columns that hold when a run happened, not what it catalogued: two ingests of the same
# WARCs differ there and nowhere else.
WALL_CLOCK = {("catalog_records", "datestamp"), ("catalog_records", "created_at"),
              ("catalog_warc_files", "ingested_at")}  # fmt: skip


def catalogue_rows(catalog: Catalog) -> dict[str, list[tuple]]:
    """Every row of every catalogue table, ordered by id, without the wall-clock columns."""
    rows = {}
    tables = sorted(Base.metadata.tables.items())
    with catalog.engine.connect() as connection:
        for table in (table for name, table in tables if name.startswith("catalog_")):
            columns = [c for c in table.columns if (table.name, c.name) not in WALL_CLOCK]
            query = select(*columns).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows
