"""Write small WARC files with warcio for tests (request/response pairs, warcinfo first)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def write_warc(
    path: Path,
    pages: list[dict],
    warcinfo: dict[str, str] | None = None,
) -> Path:
    """``pages``: dicts with url, body (bytes), and optional content_type, status, date, revisit."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        if warcinfo is not None:
            writer.write_record(writer.create_warcinfo_record(path.name, warcinfo))
        for page in pages:
            status = page.get("status", 200)
            headers = [("Content-Type", page.get("content_type", "text/html; charset=utf-8"))]
            http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": page.get("date", "2024-03-05T08:00:00Z")}
            if page.get("revisit_of"):
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
                    payload=BytesIO(page["body"]),
                    http_headers=http,
                    warc_headers_dict=warc_headers,
                )
            writer.write_record(record)
    return path
