"""Small real WARC files for tests, written with warcio (request-less responses)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

TEST_WARCINFO = {"software": "test"}


def write_warc(path: Path, pages: list[dict], warcinfo: dict[str, str] | None = None) -> Path:
    """A closed ``.warc.gz``: ``warcinfo`` (if given), then one record per page.

    ``pages``: dicts with url, body (bytes), and optional content_type, status, headers
    (more HTTP headers), date, revisit_of (a payload digest: a revisit record instead of a
    response), or fields (``(name, value)`` pairs: a warc-fields metadata record instead).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        if warcinfo is not None:
            writer.write_record(writer.create_warcinfo_record(path.name, warcinfo))
        for page in pages:
            status = page.get("status", 200)
            headers = [("Content-Type", page.get("content_type", "text/html; charset=utf-8"))]
            headers.extend(page.get("headers", []))
            http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": page.get("date", "2024-03-05T08:00:00Z")}
            if "fields" in page:
                block = "".join(f"{k}: {v}\r\n" for k, v in page["fields"]).encode()
                record = writer.create_warc_record(
                    page["url"],
                    "metadata",
                    payload=io.BytesIO(block),
                    length=len(block),
                    warc_content_type="application/warc-fields",
                    warc_headers_dict=warc_headers,
                )
            elif page.get("revisit_of"):
                record = writer.create_revisit_record(
                    page["url"],
                    digest=page["revisit_of"],
                    refers_to_uri=page["url"],
                    refers_to_date=page.get("refers_to_date", "2024-03-05T08:00:00Z"),
                    http_headers=http,
                    warc_headers_dict=warc_headers,
                )
            else:
                record = writer.create_warc_record(
                    page["url"],
                    "response",
                    payload=io.BytesIO(page["body"]),
                    http_headers=http,
                    warc_headers_dict=warc_headers,
                )
            writer.write_record(record)
    return path


def write_html_warc(path: Path, pages: int = 3, payload_bytes: int = 2000, seed: int = 0) -> Path:
    """A closed ``.warc.gz``: warcinfo, then ``pages`` HTML responses of distinct content."""
    html = [
        {
            "url": f"http://example.org/{seed}/{i}",
            "body": f"<html><title>page {seed}-{i}</title>".encode() + b"x" * payload_bytes,
            "content_type": "text/html",
        }
        for i in range(pages)
    ]
    return write_warc(path, html, TEST_WARCINFO)


def write_large_warc(path: Path, size: int) -> Path:
    """A ``.warc.gz`` of about ``size`` bytes (incompressible payloads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, TEST_WARCINFO))
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
