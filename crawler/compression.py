"""The Content-Encodings a crawl can decode, decided at start-up by decoding a sample.

Scrapy's decoders (``scrapy.utils._compression``) ``import brotli`` and call Google's
Brotli API, ``Decompressor().process(data, output_buffer_limit=...)``. pywb depends on
brotlipy, whose package is also called ``brotli``; a package wins over Google's
``brotli.py`` module, so Scrapy gets brotlipy, still advertises ``br`` and fails on every
br response (``'Decompressor' object has no attribute 'process'``): the page is stored but
never parsed. :func:`install` points Scrapy's decoder at ``brotlicffi`` (the same API
under a name nothing shadows; Scrapy itself uses it on PyPy) when the ``brotli`` it found
cannot decode. pywb and warcio keep the brotlipy they were written for.

:func:`accept_encoding` then names only the encodings whose sample Scrapy's own decoders
turn back into the original, so a crawl never asks for what it cannot read.

Upstream report (scrapy/scrapy), not yet filed:

    Title: br responses fail when the installed ``brotli`` module is brotlipy

    scrapy/utils/_compression.py does ``try: import brotli except ImportError: import
    brotlicffi as brotli``. brotlipy (a dependency of pywb and others) installs a package
    named ``brotli`` that shadows Google's Brotli, which Scrapy requires. The import
    succeeds, HttpCompressionMiddleware keeps advertising ``br``, and every br response
    raises ``AttributeError: 'Decompressor' object has no attribute 'process'``. Checking
    for ``Decompressor.process`` (or ``output_buffer_limit``) and falling back to
    brotlicffi, or dropping ``br`` from ACCEPTED_ENCODINGS, would avoid it.
"""

from __future__ import annotations

import gzip
import zlib

import scrapy.utils._compression as scrapy_compression
from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS
from scrapy.utils.gz import gunzip

_SAMPLE = "<p>典藏 sample body</p>\n".encode() * 64


# encoding: (compress, Scrapy's decoder) -- the decoder is what the crawl will run
_CODECS = {
    b"gzip": (gzip.compress, gunzip),
    b"deflate": (zlib.compress, scrapy_compression._inflate),
    # looked up when called: install() may replace Scrapy's brotli module
    b"br": (lambda data: scrapy_compression.brotli.compress(data), scrapy_compression._unbrotli),
    b"zstd": (lambda data: scrapy_compression.zstd.compress(data), scrapy_compression._unzstd),
}


def decodes(encoding: bytes) -> bool:
    """Does Scrapy's decoder for ``encoding`` return a sample intact?"""
    compress, decode = _CODECS[encoding]
    try:
        return decode(compress(_SAMPLE), max_size=0) == _SAMPLE
    except Exception:  # a missing module or a wrong API: the encoding is not usable
        return False


def install() -> None:
    """Give Scrapy's br decoder a brotli module that has the API it calls."""
    if decodes(b"br"):
        return
    try:
        import brotlicffi
    except ImportError:
        return
    scrapy_compression.brotli = brotlicffi


def accept_encoding() -> str:
    """The Accept-Encoding value of the crawl's requests: what decodes, in Scrapy's order."""
    install()
    return ", ".join(e.decode() for e in ACCEPTED_ENCODINGS if e in _CODECS and decodes(e))
