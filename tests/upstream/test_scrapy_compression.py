"""Scrapy's br decoder fails when the ``brotli`` module it imports is pywb's brotlipy."""

from __future__ import annotations

import scrapy.utils._compression
from upstream_bugs import assert_shape_error, fresh_python, still_broken

from diancang.upstream import scrapy_compression

# docs/upstream.md, "Scrapy: br responses fail when brotli is brotlipy": the reproduction
_DECODE = """
import sys
import brotlicffi
from scrapy.utils._compression import _unbrotli

if sys.argv[1] == "patched":
    from diancang.upstream import scrapy_compression
    scrapy_compression.use_brotlicffi()
sample = b"<p>sample</p>" * 100
try:
    print(_unbrotli(brotlicffi.compress(sample), max_size=0) == sample)
except AttributeError as exc:
    print("AttributeError", exc)
"""


def test_plain_scrapy_cannot_decode_br_with_brotlipy_installed():
    seen = fresh_python(_DECODE, "plain").strip()
    still_broken(
        seen.startswith("AttributeError"),
        "Scrapy's br decoder calling Google Brotli's API on brotlipy",
        "scrapy_compression",
    )
    assert "process" in seen  # 'Decompressor' object has no attribute 'process'


def test_the_patch_decodes_br():
    assert fresh_python(_DECODE, "patched").strip() == "True"


def test_a_changed_decoder_is_refused(monkeypatch):
    monkeypatch.setattr(scrapy.utils._compression, "_unbrotli", lambda data: data)
    assert_shape_error(scrapy_compression.check, "scrapy", "scrapy_compression")
