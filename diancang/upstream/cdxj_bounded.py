"""cdxj-indexer (and py-wacz, built on it) with every record body decoded in bounded memory.

cdxj-indexer copies each record's whole decoded ``content_stream()`` into a spool file
before indexing it, so a small brotli or gzip bomb takes memory and disk proportional to
its decoded size. Here the records that ``CDXJIndexer._create_record_iter`` yields have the
bounded reader of ``diancang.storage.bounded_payload`` as their ``content_stream``;
everything else is the library's own indexing. Bug report: docs/upstream.md,
"cdxj-indexer: record bodies copied unbounded".
"""

from __future__ import annotations

import inspect

from cdxj_indexer.main import CDXJIndexer

from diancang.storage.bounded_payload import BoundedRecords
from diancang.upstream.shape import expect, parameters


def check() -> None:
    expect(
        parameters(getattr(CDXJIndexer, "_create_record_iter", None)) == ["self", "input_"]
        and "self._create_record_iter(input_)" in inspect.getsource(CDXJIndexer.process_one),
        "cdxj-indexer",
        "cdxj_bounded",
        "CDXJIndexer.process_one no longer reads its records from _create_record_iter(input_)",
    )


class BoundedIndexing:
    """Mix in before ``CDXJIndexer`` (or a subclass): bodies are read through a bound."""

    def _create_record_iter(self, input_):
        return BoundedRecords(super()._create_record_iter(input_))


class BoundedCDXJIndexer(BoundedIndexing, CDXJIndexer):
    pass


check()
