"""Stored bodies are decoded in bounded memory: bombs are catalogued as too large, not loaded."""

from __future__ import annotations

import gzip
import os
import sys
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from bomb_warcs import (
    AFTER_TITLE,
    AFTER_URL,
    BOMBS,
    MIB,
    PEAK_LIMIT_KIB,
    bomb,
    run_bounded,
    write_bomb_warc,
)
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diancang.catalog.db import Catalog
from diancang.catalog.models import Capture
from diancang.storage.bounded_payload import payload_reader

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def bomb_warc(tmp_path_factory) -> Path:
    return write_bomb_warc(tmp_path_factory.mktemp("bombs") / "bombs.warc.gz", BOMBS)


def test_catalog_ingest_of_bombs_finishes_in_bounded_memory(bomb_warc, tmp_path):
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    env = {**os.environ, "DIANCANG_DATA_DIR": str(tmp_path), "DIANCANG_DATABASE_URL": url}
    result, peak_kib = run_bounded(
        [str(BIN / "diancang"), "catalog", "ingest", str(bomb_warc)], env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bombs.warc.gz: 5 captures" in result.stdout
    assert "bombs.warc.gz: 4 × page larger than" in result.stdout, result.stdout
    assert peak_kib < PEAK_LIMIT_KIB, f"peak RSS {peak_kib} KiB"
    db = Catalog(url)
    try:
        with db.session() as session:
            after = session.scalars(select(Capture).where(Capture.url == AFTER_URL)).one()
            assert after.title == AFTER_TITLE
    finally:
        db.dispose()


def _record(body: bytes, headers: list[tuple[str, str]]):
    """A warcio record (parsed back from a WARC) holding ``body`` as its HTTP payload."""
    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *headers], "HTTP/1.1")
    record = writer.create_warc_record(
        "http://x.example/", "response", payload=BytesIO(body), http_headers=http
    )
    writer.write_record(record)
    out.seek(0)
    return next(iter(ArchiveIterator(out)))


@pytest.mark.parametrize("encoding", sorted(BOMBS))
def test_each_encoding_stops_at_the_limit_and_says_so(encoding):
    reader = payload_reader(_record(bomb(encoding, 8), [("Content-Encoding", encoding)]), MIB)
    body = reader.read_all()
    assert len(body) == MIB and body.startswith(b"<html><head><title>bomb")
    assert reader.exceeded and reader.error is None


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        ("gzip", lambda b: b),  # labelled gzip, sent plain: passed through as stored
    ],
)
def test_ordinary_bodies_decode_whole(encoding, encode):
    page = "<html><body>政府信息公开</body></html>".encode() * 5000
    reader = payload_reader(_record(encode(page), [("Content-Encoding", encoding)]), 10 * MIB)
    assert reader.read_all() == page and not reader.exceeded


def test_chunked_and_multi_member_gzip_bodies_decode_whole():
    page = b"<p>" + b"x" * 100_000
    stored = gzip.compress(page[:50_000]) + gzip.compress(page[50_000:])
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(stored[i : i + 4000]), stored[i : i + 4000])
        for i in range(0, len(stored), 4000)
    )
    record = _record(
        chunked + b"0\r\n\r\n", [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    )
    reader = payload_reader(record, MIB)
    assert reader.read_all() == page and not reader.exceeded
