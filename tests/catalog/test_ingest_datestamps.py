"""OAI datestamps of ingested records: a new record is written once, and still no harvester
that passed a position while its chunk was open can miss it."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from test_ingest_batching import _document
from warc_files import write_warc

import diancang.catalog.ingest
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.models import Record
from diancang.catalog.records_builder import commit_with_datestamps, touch_id, utcnow
from diancang.catalog.warc_source import local_warc


def _ingest(catalog, path, pages) -> None:
    warc = write_warc(path, pages, {"collection": "govinfo"})
    result = ingest_warc(catalog, local_warc(warc), IngestOptions())
    assert result.error is None and not result.problems, result


def test_new_records_are_written_once_and_a_duplicate_is_stamped_at_commit(catalog, tmp_path):
    statements: list[str] = []
    event.listen(catalog.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    started = utcnow()
    _ingest(catalog, tmp_path / "new.warc.gz", [_document(n) for n in range(5)])
    updates = [s for s in statements if s.startswith("UPDATE catalog_records")]
    assert updates == [], "a new record's datestamp is the one it was inserted with"
    with catalog.session() as session:
        first = dict(session.execute(select(Record.index_no, Record.datestamp)).all())
    assert len(first) == 5 and all(stamp >= started for stamp in first.values())

    again = utcnow()
    recapture = {**_document(2), "date": "2024-04-01T00:00:00Z"}
    _ingest(catalog, tmp_path / "again.warc.gz", [recapture, _document(5)])
    with catalog.session() as session:
        stamps = dict(session.execute(select(Record.index_no, Record.datestamp)).all())
    assert stamps["IDX-2"] > again, "the duplicate's record changed: stamped at its commit"
    assert stamps["IDX-5"] > again
    assert {k: v for k, v in stamps.items() if k not in ("IDX-2", "IDX-5")} == {
        k: v for k, v in first.items() if k != "IDX-2"
    }


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_record_committed_while_a_chunk_is_open_is_harvested_before_its_records(
    catalog, tmp_path, monkeypatch
):
    """Another writer commits a later datestamp while the chunk is open (SQLite's lock allows
    none): a harvester may have passed it, so the chunk's new records must come after it."""
    _ingest(catalog, tmp_path / "old.warc.gz", [_document(0)])
    with catalog.session() as session:
        old_id = session.scalar(select(Record.id))
    real = diancang.catalog.ingest.catalogue_document
    calls = 0

    def with_another_writer(session, *args, **kwargs):
        nonlocal calls
        found = real(session, *args, **kwargs)
        calls += 1
        if calls == 1:  # the chunk's first record is written: another writer commits
            with catalog.session() as other:
                touch_id(other, old_id)
                commit_with_datestamps(other)
        return found

    monkeypatch.setattr(diancang.catalog.ingest, "catalogue_document", with_another_writer)
    _ingest(catalog, tmp_path / "new.warc.gz", [_document(n) for n in range(1, 4)])
    with catalog.session() as session:
        passed = session.execute(select(Record.datestamp, Record.id).where(Record.id == old_id))
        position = passed.one()
        later = session.scalars(select(Record.id).where(Record.id != old_id)).all()
        after = session.scalars(
            select(Record.id).where(
                Record.id != old_id,
                (Record.datestamp > position.datestamp)
                | ((Record.datestamp == position.datestamp) & (Record.id > position.id)),
            )
        ).all()
    assert len(later) == 3 and sorted(after) == sorted(later)
