"""Scrapy's own response decoders (private ``scrapy.utils._compression``), and its brotli.

Scrapy's br decoder calls Google Brotli's API on whatever module ``import brotli`` found;
pywb's dependency brotlipy installs a package of that name with another API, and every br
response fails. :func:`use_brotlicffi` points the decoder at brotlicffi (the same API
under a name nothing shadows; Scrapy itself uses it on PyPy). Bug report: docs/upstream.md,
"Scrapy: br responses fail when brotli is brotlipy". :data:`DECODERS` are the functions
the crawl's HttpCompressionMiddleware runs, for crawler/compression.py to try on a sample.
"""

from __future__ import annotations

import brotlicffi
import scrapy.utils._compression as scrapy_compression
from scrapy.utils.gz import gunzip

from diancang.upstream.shape import expect, parameters


def check() -> None:
    for name in ("_inflate", "_unbrotli", "_unzstd"):
        expect(
            (parameters(getattr(scrapy_compression, name, None)) or [])[:2] == ["data", "max_size"],
            "scrapy",
            "scrapy_compression",
            f"scrapy.utils._compression.{name}(data, max_size, ...) is gone",
        )
    expect(
        hasattr(scrapy_compression, "brotli"),
        "scrapy",
        "scrapy_compression",
        "scrapy.utils._compression no longer imports a module named brotli",
    )


check()

# Content-Encoding: Scrapy's decoder, each called as decode(data, max_size=...)
DECODERS = {
    b"gzip": gunzip,
    b"deflate": scrapy_compression._inflate,
    b"br": scrapy_compression._unbrotli,
    b"zstd": scrapy_compression._unzstd,
}


_MODULES = {b"br": "brotli", b"zstd": "zstd"}


def compress(encoding: bytes, data: bytes) -> bytes:
    """``data`` compressed with the module Scrapy's br or zstd decoder uses now."""
    return getattr(scrapy_compression, _MODULES[encoding]).compress(data)


def use_brotlicffi() -> None:
    scrapy_compression.brotli = brotlicffi
