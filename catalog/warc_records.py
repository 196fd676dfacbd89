"""Read a WARC file with warcio into plain capture facts, streaming, one record at a time.

Bodies are decoded through ``diancang.storage.bounded_payload`` (never warcio's unbounded
``content_stream``), and only the first ``MAX_HTML_BYTES`` of a page are kept for extraction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from diancang.media_types import HTML_TYPES
from diancang.storage.bounded_payload import (
    MAX_METADATA_BYTES,
    MAX_WARCINFO_BYTES,
    payload_reader,
)

CAPTURE_TYPES = {"response", "revisit", "resource"}
WARC_FIELDS = "application/warc-fields"
# A page's extraction (lxml tree, text, SimHash) costs a multiple of its size: past this
# prefix a page is extracted from its first MAX_HTML_BYTES, and its record says so.
MAX_HTML_BYTES = 2 * 2**20
CHUNK = 1 << 16


class TornWarc(Exception):
    """The file ends inside a record: it was cut short (still arriving, or damaged)."""


@dataclass
class WarcCapture:
    offset: int
    length: int
    warc_type: str
    url: str
    captured_at: datetime
    status: int | None
    mime: str | None
    content_type: str | None
    payload_digest: str | None
    size: int
    body: bytes | None = None  # decoded payload of HTML responses only (a bounded prefix)
    refers_to_url: str | None = None
    record_id: str | None = None
    body_problem: str | None = None  # why ``body`` is not the whole page, when it is not
    redirect_to: str | None = None  # the absolute Location of a 3xx response


@dataclass
class WarcMetadata:
    """A ``metadata`` record of ``key: value`` lines (application/warc-fields)."""

    offset: int
    url: str
    captured_at: datetime
    fields: list[tuple[str, str]]
    truncated: bool = False  # the block was longer than MAX_METADATA_BYTES: its tail is unread


@dataclass
class WarcInfo:
    fields: dict[str, str] = field(default_factory=dict)


class _Counting:
    """Counts the bytes read from the file, to tell a torn tail from the end of the file."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.stream.readline(size)
        self.count += len(data)
        return data


def _mime(content_type: str | None) -> str | None:
    return content_type.split(";", 1)[0].strip().lower() or None if content_type else None


def _warc_date(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC).replace(tzinfo=None)
    parsed = iso_date_to_datetime(value)
    return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed


def parse_warcinfo(payload: bytes) -> dict[str, str]:
    """``key: value`` lines of a warcinfo block (WARC 'application/warc-fields')."""
    fields: dict[str, str] = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


def parse_warc_fields(payload: bytes) -> list[tuple[str, str]]:
    """Every ``key: value`` line of a warc-fields block, repeated keys kept, keys lower-cased."""
    fields = []
    for line in payload.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields.append((key.strip().lower(), value.strip()))
    return fields


def _metadata(record) -> WarcMetadata:
    block = record.raw_stream.read(MAX_METADATA_BYTES + 1)
    truncated = len(block) > MAX_METADATA_BYTES
    if truncated:  # keep whole lines only
        block = block[:MAX_METADATA_BYTES].rpartition(b"\n")[0]
    headers = record.rec_headers
    return WarcMetadata(
        offset=0,  # known once the record has been read to its end
        url=headers.get_header("WARC-Target-URI") or "",
        captured_at=_warc_date(headers.get_header("WARC-Date")),
        fields=parse_warc_fields(block),
        truncated=truncated,
    )


def iter_warc(stream: BinaryIO) -> Iterator[WarcCapture | WarcInfo | WarcMetadata]:
    """Yield a WarcInfo for each warcinfo record, a WarcCapture for each capture record and
    a WarcMetadata for each metadata record of warc-fields."""
    source = _Counting(stream)
    records = ArchiveIterator(source, check_digests=False)
    for record in _ending_at(records, source):
        warc_type = record.rec_type
        stored = record.raw_stream
        if warc_type == "warcinfo":
            info = WarcInfo(parse_warcinfo(record.raw_stream.read(MAX_WARCINFO_BYTES)))
            records.read_to_end(record)
            _check_whole(records, stored)
            yield info
            continue
        if warc_type == "metadata" and _is_warc_fields(record):
            metadata = _metadata(record)
            records.read_to_end(record)
            _check_whole(records, stored)
            metadata.offset = records.get_record_offset()
            yield metadata
            continue
        if warc_type not in CAPTURE_TYPES:
            records.read_to_end(record)
            _check_whole(records, stored)
            continue
        headers = record.rec_headers
        http = record.http_headers
        content_type = (
            http.get_header("Content-Type") if http else headers.get_header("Content-Type")
        )
        status = None
        if http is not None and record.rec_type in {"response", "revisit"}:
            try:
                status = int(http.get_statuscode())
            except (TypeError, ValueError):
                status = None
        body = problem = redirect_to = None
        url = headers.get_header("WARC-Target-URI") or ""
        if status is not None and 300 <= status < 400 and http.get_header("Location"):
            redirect_to = _absolute(url, http.get_header("Location"))
        mime = _mime(content_type)
        if warc_type != "revisit" and mime in HTML_TYPES and (status is None or status < 300):
            body, problem = _html_prefix(record)
        records.read_to_end(record)
        _check_whole(records, stored)
        yield WarcCapture(
            offset=records.get_record_offset(),
            length=records.get_record_length(),
            warc_type=warc_type,
            url=url,
            captured_at=_warc_date(headers.get_header("WARC-Date")),
            status=status,
            mime=mime,
            content_type=content_type,
            payload_digest=headers.get_header("WARC-Payload-Digest"),
            size=_payload_size(record),
            body=body,
            refers_to_url=headers.get_header("WARC-Refers-To-Target-URI"),
            record_id=headers.get_header("WARC-Record-ID"),
            body_problem=problem,
            redirect_to=redirect_to,
        )


def _is_warc_fields(record) -> bool:
    content_type = record.rec_headers.get_header("Content-Type") or ""
    return content_type.split(";", 1)[0].strip().lower() == WARC_FIELDS


def _absolute(url: str, location: str) -> str | None:
    """``location`` resolved against ``url``; None when it is not a URL."""
    try:
        return urljoin(url, location.strip())
    except ValueError:
        return None


def _payload_size(record) -> int:
    """Payload bytes as transferred (content-encoding kept): the block after the HTTP headers,
    or the whole block of a record without them (a resource); a revisit stores none."""
    if record.payload_length >= 0:
        return record.payload_length
    return 0 if record.rec_type == "revisit" else record.length or 0


def _html_prefix(record) -> tuple[bytes, str | None]:
    """The decoded page, at most ``MAX_HTML_BYTES``, and why it is not whole when it is not."""
    reader = payload_reader(record, MAX_HTML_BYTES)
    body = reader.read_all()
    if reader.exceeded:
        return body, f"page larger than {MAX_HTML_BYTES} bytes decoded: first part extracted"
    if reader.error:
        return body, f"body does not decode past {len(body)} bytes ({reader.error})"
    return body, None


def _ending_at(records: ArchiveIterator, source: _Counting) -> Iterator:
    """The records; then TornWarc when the file goes on past its last whole record.

    warcio stops without a word at a gzip member cut short; the bytes left over show it."""
    end = 0
    for record in records:
        yield record
        end = records.get_record_offset() + records.get_record_length()
    while source.read(CHUNK):
        pass
    if source.count > end:
        raise TornWarc(
            f"cut short inside the record at offset {end}: the file ends "
            f"{source.count - end} bytes into a record that is not whole"
        )


def _check_whole(records: ArchiveIterator, stored) -> None:
    """Raise TornWarc when the record just read ended before its Content-Length."""
    if getattr(stored, "limit", 0) > 0:
        raise TornWarc(
            f"cut short inside the record at offset {records.get_record_offset()}: "
            f"{stored.limit} bytes of its block are missing"
        )
