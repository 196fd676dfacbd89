"""The Content-Encodings a crawl can decode, decided at start-up by decoding a sample.

:func:`install` gives Scrapy's br decoder brotlicffi when the ``brotli`` module it found
cannot decode (pywb's brotlipy shadows Google's Brotli:
diancang.upstream.scrapy_compression); pywb and warcio keep the brotlipy they were written
for. :func:`accept_encoding` then names only the encodings whose sample Scrapy's own
decoders turn back into the original, so a crawl never asks for what it cannot read.
"""

from __future__ import annotations

import gzip
import zlib
from functools import partial

from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS

from diancang.upstream import scrapy_compression

_SAMPLE = "<p>典藏 sample body</p>\n".encode() * 64

# encoding: compress; br and zstd with the module Scrapy's decoder uses when it is called
_COMPRESSORS = {
    b"gzip": gzip.compress,
    b"deflate": zlib.compress,
    b"br": partial(scrapy_compression.compress, b"br"),
    b"zstd": partial(scrapy_compression.compress, b"zstd"),
}


def decodes(encoding: bytes) -> bool:
    """Does Scrapy's decoder for ``encoding`` return a sample intact?"""
    decode = scrapy_compression.DECODERS[encoding]
    try:
        return decode(_COMPRESSORS[encoding](_SAMPLE), max_size=0) == _SAMPLE
    except Exception:  # a missing module or a wrong API: the encoding is not usable
        return False


def install() -> None:
    """Give Scrapy's br decoder a brotli module that has the API it calls."""
    if not decodes(b"br"):
        scrapy_compression.use_brotlicffi()


def accept_encoding() -> str:
    """The Accept-Encoding value of the crawl's requests: what decodes, in Scrapy's order."""
    install()
    return ", ".join(e.decode() for e in ACCEPTED_ENCODINGS if e in _COMPRESSORS and decodes(e))
