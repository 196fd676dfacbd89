"""The server-not-modified revisit: what it refers to, and a block that replays the original."""

from __future__ import annotations

from io import BytesIO

from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator

from diancang.crawler.warc.dedup import Original
from diancang.crawler.warc.records import (
    SERVER_NOT_MODIFIED,
    DiancangWARCWriter,
    RecordFactory,
)

URL = "http://127.0.0.1:8080/item/1.html"
ORIGINAL = Original(URL, "2026-11-30T08:00:00.000000Z", "<urn:uuid:0c3a5f4e-original>")
DIGEST = "sha1:3AICTFEAF7ZU5HRSYFPD547WQ3YJEC7F"


def _written(record) -> object:
    out = BytesIO()
    DiancangWARCWriter(out, gzip=True, warc_version="WARC/1.1").write_record(record)
    out.seek(0)
    (read,) = list(ArchiveIterator(out, check_digests=True))
    return read


def test_not_modified_revisit_refers_to_the_stored_capture():
    answer = Response(URL, status=304, headers={"ETag": '"item-1-v1"'}, ip_address=None)
    record = RecordFactory().not_modified(answer, "2026-12-01T08:00:00Z", DIGEST, ORIGINAL)
    read = _written(record)
    headers = read.rec_headers
    assert read.rec_type == "revisit"
    assert headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
    assert headers.get_header("WARC-Target-URI") == URL
    assert headers.get_header("WARC-Date") == "2026-12-01T08:00:00Z"
    assert headers.get_header("WARC-Refers-To-Target-URI") == ORIGINAL.uri
    assert headers.get_header("WARC-Refers-To-Date") == ORIGINAL.date
    assert headers.get_header("WARC-Refers-To") == ORIGINAL.record_id
    assert headers.get_header("WARC-Payload-Digest") == DIGEST
    assert [value for name, value in headers.headers if name == "WARC-Profile"] == [
        SERVER_NOT_MODIFIED
    ]


def test_not_modified_revisit_has_an_empty_block_so_replay_uses_the_original_headers():
    """pywb replays a revisit whose block holds a 3xx status as that status with no body;
    with no HTTP headers in the block, it replays the original's status, headers, payload."""
    answer = Response(URL, status=304, headers={"ETag": '"item-1-v1"'})
    read = _written(RecordFactory().not_modified(answer, "2026-12-01T08:00:00Z", DIGEST, ORIGINAL))
    assert read.rec_headers.get_header("Content-Length") == "0"
    assert read.http_headers is None
    assert read.content_stream().read() == b""
