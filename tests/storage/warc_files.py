"""Small real WARC files for storage tests."""

from __future__ import annotations

import io
import os
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def write_warc(path: Path, pages: int = 3, payload_bytes: int = 2000, seed: int = 0) -> Path:
    """A closed ``.warc.gz``: warcinfo, then one HTML response per page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i in range(pages):
            body = f"<html><title>page {seed}-{i}</title>".encode() + b"x" * payload_bytes
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                f"http://example.org/{seed}/{i}",
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
            )
            writer.write_record(record)
    return path


def write_large_warc(path: Path, size: int) -> Path:
    """A ``.warc.gz`` of about ``size`` bytes (incompressible payloads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        i = 0
        while fh.tell() < size:
            body = os.urandom(1 << 20)
            record = writer.create_warc_record(
                f"http://example.org/blob/{i}",
                "resource",
                payload=io.BytesIO(body),
                length=len(body),
                warc_content_type="application/octet-stream",
            )
            writer.write_record(record)
            i += 1
    return path
