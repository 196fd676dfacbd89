"""GzipMembers: what is written between two flushes is one gzip member."""

from __future__ import annotations

import io
import zlib

from diancang.crawler.warc.gzip_members import GzipMembers


def _members(data: bytes) -> list[bytes]:
    found = []
    while data:
        inflater = zlib.decompressobj(31)
        found.append(inflater.decompress(data))
        assert inflater.eof
        data = inflater.unused_data
    return found


def test_each_flush_ends_one_member():
    raw = io.BytesIO()
    members = GzipMembers(raw)
    for record in (b"first record\r\n", b"second ", b"record\r\n"):
        members.write(record)
        if record.endswith(b"\r\n"):
            members.flush()
    members.flush()  # nothing written since: no empty member
    assert _members(raw.getvalue()) == [b"first record\r\n", b"second record\r\n"]
