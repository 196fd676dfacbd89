"""Small helpers shared by the catalogue tests."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from diancang.catalog.db import Catalog
from diancang.catalog.ingest import IngestOptions, IngestResult, ingest_warc
from diancang.catalog.models import Capture, Record
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
