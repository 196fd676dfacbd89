"""The decoded HTTP payload of a stored WARC record, read in bounded memory.

warcio's ``record.content_stream()`` hands each 16 KiB block of stored input to a decompressor
with no limit on its output, so one block of a brotli bomb decodes to gigabytes at once (a
6.5 KB record took ``catalog ingest`` to 4.3 GB). Here every decoder call returns at most what
was asked for (zlib and zstd ``max_length``, brotli ``output_buffer_limit``), and a payload
stops at ``limit`` decoded bytes, with ``exceeded`` set when there was more.

Everything in Diancang that decodes a stored body reads it through :func:`payload_reader`;
the indexers of cdxj-indexer and py-wacz, which call ``content_stream()`` themselves, get
records whose ``content_stream`` is this reader (:class:`BoundedRecords`).
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import brotlicffi
from warcio.bufferedreaders import ChunkedDataReader

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

CHUNK = 1 << 14
RETRY_WINDOW = 1 << 16
INDEX_BODY_LIMIT = 1 << 20  # request bodies past 1 MiB add nothing to a CDXJ key
MAX_WARCINFO_BYTES = 1 << 20  # what is read of a warcinfo block ("key: value" lines)
MAX_METADATA_BYTES = 4 << 20  # what is read of a metadata block (a listing page's outlinks)


class _Zlib:
    """gzip (also multi-member) or deflate, zlib-wrapped or raw."""

    def __init__(self, wbits: int) -> None:
        self.wbits = wbits
        self.d = zlib.decompressobj(wbits)

    def decompress(self, data: bytes, max_length: int) -> bytes:
        d = self.d
        if d.eof:
            rest = d.unused_data + data
            if self.wbits != 16 + zlib.MAX_WBITS or not rest.startswith(b"\x1f\x8b"):
                return b""  # bytes after the end of the stream are not payload
            d = self.d = zlib.decompressobj(self.wbits)
            data = rest
        return d.decompress(d.unconsumed_tail + data, max_length)


class _Brotli:
    def __init__(self) -> None:
        self.d = brotlicffi.Decompressor()
        self.held = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self.d.is_finished():
            return b""
        self.held += data
        if self.held and self.d.can_accept_more_data():
            data, self.held = self.held, b""
        else:
            data = b""
        return self.d.process(data, output_buffer_limit=max_length)


class _Zstd:
    def __init__(self) -> None:
        self.d = zstd.ZstdDecompressor()

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self.d.eof:
            rest = self.d.unused_data + data
            if not rest:
                return b""
            self.d = zstd.ZstdDecompressor()
            data = rest
        return self.d.decompress(data, max_length)


# Each Content-Encoding and the decoders to try in order: "deflate" is zlib-wrapped by the
# standard but raw on some servers; when every decoder fails on the first input, the body
# was not encoded after all and is passed through as stored (warcio does the same).
DECODERS = {
    "gzip": (lambda: _Zlib(16 + zlib.MAX_WBITS),),
    "x-gzip": (lambda: _Zlib(16 + zlib.MAX_WBITS),),
    "deflate": (lambda: _Zlib(zlib.MAX_WBITS), lambda: _Zlib(-zlib.MAX_WBITS)),
    "br": (_Brotli,),
    "zstd": (_Zstd,),
}


class _Decoding:
    """One Content-Encoding layer over ``raw``: ``read(n)`` returns at most ``n`` bytes."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self.raw = raw
        self.encoding = encoding
        self.factories = list(DECODERS[encoding])
        self.codec = self.factories.pop(0)()
        # The stored input up to the first output, kept for a retry or pass-through.
        self.first_input: bytes | None = b""
        self.produced = 0
        self.full = False  # the last call filled its limit: more output may wait inside
        self.buffer = b""
        self.error: str | None = None

    def read(self, size: int) -> bytes:
        if self.buffer:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
            return out
        while True:
            data = b"" if self.full else self.raw.read(CHUNK)
            ended = not data and not self.full  # one last call: a codec may hold output
            if self.first_input is not None:
                self.first_input += data
                if len(self.first_input) > RETRY_WINDOW:
                    self.first_input = None
            try:
                out = self.codec.decompress(data, size)
            except Exception as exc:  # noqa: BLE001 - each codec raises its own error type
                if self.produced or self.first_input is None:
                    self.error = f"{self.encoding}: {type(exc).__name__}: {exc}"
                    return b""
                return self._retry(size)
            self.full = len(out) >= size
            if out:
                self.first_input = None
                self.produced += len(out)
                out, self.buffer = out[:size], out[size:]
                return out
            if ended or self.full:  # the end, or a zero-size request
                return b""

    def _retry(self, size: int) -> bytes:
        """The first input did not decode: the next decoder, or the stored bytes as they are."""
        stored, self.first_input = self.first_input, b""
        if self.factories:
            self.codec = self.factories.pop(0)()
            self.raw = _Prefixed(stored, self.raw)
            return self.read(size)
        self.codec = _Identity()
        self.raw = _Prefixed(stored, self.raw)
        self.encoding = "identity"
        return self.read(size)


class _Identity:
    def decompress(self, data: bytes, max_length: int) -> bytes:  # noqa: ARG002 - shape
        return data


class _Prefixed:
    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self.prefix = prefix
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            out, self.prefix = self.prefix[:size], self.prefix[size:]
            return out
        return self.rest.read(size)


class PayloadReader:
    """A read-only stream of a record's decoded payload that ends after ``limit`` bytes.

    ``exceeded`` is True once the payload turned out longer than ``limit``; ``error`` names a
    decoding failure part-way (what was decoded before it is returned).
    """

    def __init__(self, raw: BinaryIO, encodings: list[str], limit: int) -> None:
        self.layers: list[_Decoding] = []
        stream: BinaryIO = raw
        for encoding in reversed(encodings):  # the last one listed was applied last
            layer = _Decoding(stream, encoding)
            self.layers.append(layer)
            stream = layer  # type: ignore[assignment]
        self.stream = stream
        self.limit = limit
        self.count = 0
        self.exceeded = False

    @property
    def error(self) -> str | None:
        return next((layer.error for layer in self.layers if layer.error), None)

    def read(self, size: int | None = -1) -> bytes:
        room = self.limit - self.count
        if size is None or size < 0:
            size = room
        size = min(size, room, CHUNK * 4)
        if size <= 0:
            if room <= 0 and not self.exceeded and self.stream.read(1):
                self.exceeded = True
            return b""
        data = self.stream.read(size)
        self.count += len(data)
        return data

    def read_all(self) -> bytes:
        """The whole payload up to ``limit`` (never more than ``limit`` bytes held)."""
        parts = []
        while data := self.read():
            parts.append(data)
        self.read(1)  # sets ``exceeded`` when there was more
        return b"".join(parts)

    def close(self) -> None:
        pass


def content_encodings(record) -> list[str]:
    """The Content-Encoding layers of ``record`` that are decoded, in the order listed."""
    http = record.http_headers
    value = http.get_header("Content-Encoding") if http is not None else None
    names = [name.strip().lower() for name in (value or "").split(",") if name.strip()]
    if any(name not in DECODERS and name != "identity" for name in names):
        return []  # an encoding we cannot decode: the body is handed on as stored
    return [name for name in names if name != "identity"]


def payload_reader(record, limit: int) -> PayloadReader:
    """The decoded payload of a warcio record: de-chunked, Content-Encoding undone, bounded."""
    raw = record.raw_stream
    http = record.http_headers
    if http is not None and "chunked" in (http.get_header("Transfer-Encoding") or "").lower():
        raw = ChunkedDataReader(raw)
    return PayloadReader(raw, content_encodings(record), limit)


class BoundedRecords:
    """An ArchiveIterator whose records' ``content_stream()`` is a bounded :class:`PayloadReader`.

    Offsets, lengths and ``read_to_end`` come from the wrapped iterator.
    """

    def __init__(self, records, limit: int = INDEX_BODY_LIMIT) -> None:
        self.records = records
        self.limit = limit

    def __iter__(self) -> Iterator:
        for record in self.records:
            record.content_stream = lambda record=record: payload_reader(record, self.limit)
            yield record

    def __getattr__(self, name: str):
        return getattr(self.records, name)
