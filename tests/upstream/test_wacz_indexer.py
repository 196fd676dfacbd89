"""Importing py-wacz's indexer changes which records every CDXJIndexer in the process indexes."""

from __future__ import annotations

from cdxj_indexer.main import CDXJIndexer
from upstream_bugs import assert_shape_error, fresh_python, still_broken

from diancang.upstream import wacz_indexer

# docs/upstream.md, "py-wacz: importing it changes cdxj-indexer": the reproduction
_IMPORT = """
import sys
from cdxj_indexer.main import CDXJIndexer

before = list(CDXJIndexer.DEFAULT_RECORDS)
if sys.argv[1] == "patched":
    from diancang.upstream.wacz_indexer import wacz_indexer_class
    wacz_indexer_class()
else:
    import wacz.waczindexer
print(before == CDXJIndexer.DEFAULT_RECORDS, "warcinfo" in CDXJIndexer.DEFAULT_RECORDS)
"""


def test_importing_py_wacz_still_adds_warcinfo_to_cdxj_indexer_defaults():
    seen = fresh_python(_IMPORT, "plain").split()
    still_broken(
        seen == ["False", "True"],
        "wacz.waczindexer appending warcinfo to CDXJIndexer.DEFAULT_RECORDS on import",
        "wacz_indexer",
    )


def test_the_patch_leaves_the_defaults_as_they_were():
    assert fresh_python(_IMPORT, "patched").split() == ["True", "False"]


def test_a_changed_default_records_is_refused(monkeypatch):
    monkeypatch.setattr(CDXJIndexer, "DEFAULT_RECORDS", ("response", "revisit"))
    assert_shape_error(wacz_indexer.check, "cdxj-indexer", "wacz_indexer")
