"""py-wacz's indexer, imported so that it leaves cdxj-indexer as it found it.

Importing ``wacz.waczindexer`` appends "warcinfo" to ``CDXJIndexer.DEFAULT_RECORDS``, a
class attribute shared with every other CDXJIndexer in the process (replay's indexing),
which then starts indexing warcinfo records. :func:`wacz_indexer_class` imports it and
undoes that. Bug report: docs/upstream.md, "py-wacz: importing it changes cdxj-indexer".
"""

from __future__ import annotations

from cdxj_indexer.main import CDXJIndexer

from diancang.upstream.shape import expect


def check() -> None:
    expect(
        isinstance(getattr(CDXJIndexer, "DEFAULT_RECORDS", None), list),
        "cdxj-indexer",
        "wacz_indexer",
        "CDXJIndexer.DEFAULT_RECORDS is no longer a list",
    )


def wacz_indexer_class() -> type:
    """``wacz.waczindexer.WACZIndexer``, with ``CDXJIndexer.DEFAULT_RECORDS`` unchanged."""
    had_warcinfo = "warcinfo" in CDXJIndexer.DEFAULT_RECORDS
    from wacz.waczindexer import WACZIndexer

    if not had_warcinfo and "warcinfo" in CDXJIndexer.DEFAULT_RECORDS:
        CDXJIndexer.DEFAULT_RECORDS.remove("warcinfo")
    return WACZIndexer


check()
