"""cdxj-indexer (and py-wacz, built on it) with every record body decoded in bounded memory.

cdxj-indexer copies each record's ``content_stream()`` into a spool file before indexing it
(``cdxj_indexer.bufferiter.buffer_record_content``), to read POST bodies for the index key.
warcio decodes that stream with no bound, so one 16 KiB block of a brotli bomb is decoded to
gigabytes in memory, and then written to disk. The index needs no more than the start of a
request body, so here the records' ``content_stream`` is the bounded reader of
``diancang.storage.bounded_payload``; everything else is the library's own indexing.

Upstream report (webrecorder/cdxj-indexer):
    Indexing a WARC whose response holds a small brotli (or gzip) bomb takes memory
    proportional to the decoded size: a 1.6 KB record with ``Content-Encoding: br`` that
    decodes to 1 GiB took the indexer past 2 GB, because ``buffer_record_content`` copies
    ``record.content_stream()`` of every record, and warcio's BufferedReader hands each
    block to the decompressor without an output limit. Response bodies are not needed for
    the index; request bodies only up to ``MAX_QUERY_LENGTH``. Could the copy be limited
    (or skipped for responses), and warcio's decoding use ``max_length`` /
    ``output_buffer_limit``?
"""

from __future__ import annotations

from cdxj_indexer.main import CDXJIndexer
from diancang.storage.bounded_payload import BoundedRecords

if not callable(getattr(CDXJIndexer, "_create_record_iter", None)):
    raise ImportError(
        "cdxj-indexer changed: CDXJIndexer._create_record_iter is gone, so record bodies "
        "could no longer be decoded in bounded memory (see storage/bounded_indexing.py)"
    )


class BoundedIndexing:
    """Mix in before ``CDXJIndexer`` (or a subclass): bodies are read through a bound."""

    def _create_record_iter(self, input_):
        return BoundedRecords(super()._create_record_iter(input_))


class BoundedCDXJIndexer(BoundedIndexing, CDXJIndexer):
    pass
