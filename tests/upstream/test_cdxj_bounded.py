"""cdxj-indexer copies every record's whole decoded body before it indexes the record."""

from __future__ import annotations

import io

import cdxj_indexer.bufferiter
import pytest
from bomb_warcs import MIB, write_bomb_warc
from cdxj_indexer.main import CDXJIndexer
from upstream_bugs import assert_shape_error, still_broken

from diancang.storage.bounded_payload import INDEX_BODY_LIMIT
from diancang.upstream import cdxj_bounded
from diancang.upstream.cdxj_bounded import BoundedCDXJIndexer

DECODED_MIB = 16


@pytest.fixture
def largest_copy(monkeypatch):
    """The largest record body the indexer copied, in bytes, after it ran."""
    copied = [0]
    original = cdxj_indexer.bufferiter.buffer_record_content

    def measured(record) -> None:
        original(record)
        spool = record.buffered_stream
        copied[0] = max(copied[0], spool.seek(0, io.SEEK_END))
        spool.seek(0)

    monkeypatch.setattr(cdxj_indexer.bufferiter, "buffer_record_content", measured)
    return copied


def _index(indexer_class, path) -> None:
    out = io.StringIO()
    with path.open("rb") as stream:
        indexer_class(out, [], post_append=True).process_one(stream, out, path.name)


def test_plain_cdxj_indexer_copies_the_whole_decoded_body(tmp_path, largest_copy):
    warc = write_bomb_warc(tmp_path / "bomb.warc.gz", {"gzip": DECODED_MIB})
    _index(CDXJIndexer, warc)
    still_broken(
        largest_copy[0] >= DECODED_MIB * MIB,
        "buffer_record_content copying each record's whole decoded body",
        "cdxj_bounded",
    )


def test_the_patch_copies_no_more_than_the_bound(tmp_path, largest_copy):
    warc = write_bomb_warc(tmp_path / "bomb.warc.gz", {"gzip": DECODED_MIB})
    _index(BoundedCDXJIndexer, warc)
    assert 0 < largest_copy[0] <= INDEX_BODY_LIMIT


def test_a_changed_record_iterator_is_refused(monkeypatch):
    monkeypatch.setattr(CDXJIndexer, "_create_record_iter", lambda self, stream, extra: None)
    assert_shape_error(cdxj_bounded.check, "cdxj-indexer", "cdxj_bounded")
