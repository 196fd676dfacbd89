"""WARCs whose responses are compression bombs: a few KB stored, hundreds of MB decoded.

Each bomb is compressed from a stream of 1 MiB chunks, so making one costs no more memory than
a chunk. The last record is a small ordinary page, to show that reading went on past them.
"""

from __future__ import annotations

import sys
import zlib
from io import BytesIO
from pathlib import Path

import brotlicffi
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

MIB = 1 << 20
AFTER_URL = "http://bomb.example/after.html"
AFTER_TITLE = "炸弹之后的页面"


def _compressor(encoding: str):
    if encoding == "br":
        c = brotlicffi.Compressor(quality=1)
        return c.process, c.finish
    if encoding == "zstd":
        c = zstd.ZstdCompressor()
        return c.compress, c.flush
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}[encoding]
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return c.compress, c.flush


def bomb(encoding: str, decoded_mib: int) -> bytes:
    """``decoded_mib`` MiB of an HTML page, compressed with ``encoding``."""
    compress, finish = _compressor(encoding)
    parts = [compress(b"<html><head><title>bomb</title></head><body><p>")]
    chunk = b"a" * MIB
    parts.extend(compress(chunk) for _ in range(decoded_mib))
    parts.append(finish())
    return b"".join(parts)


def write_bomb_warc(path: Path, bombs: dict[str, int]) -> Path:
    """A WARC with one bomb response per ``encoding: decoded MiB``, then an ordinary page."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for encoding, decoded_mib in bombs.items():
            headers = [("Content-Type", "text/html"), ("Content-Encoding", encoding)]
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            payload = BytesIO(bomb(encoding, decoded_mib))
            url = f"http://bomb.example/{encoding}.html"
            writer.write_record(
                writer.create_warc_record(url, "response", payload=payload, http_headers=http)
            )
        page = f"<html><head><title>{AFTER_TITLE}</title></head><body>ok</body></html>"
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                AFTER_URL, "response", payload=BytesIO(page.encode()), http_headers=http
            )
        )
    return path


BOMBS = {"br": 1024, "zstd": 1024, "gzip": 128, "deflate": 128}  # decoded MiB
# Address space for a command under test: well below one decoded bomb, well above what the
# command needs (about 100 MB resident for `catalog ingest`).
ADDRESS_LIMIT = 768 * MIB
# A bomb must not cost more than this much resident memory, nor be decoded to disk.
PEAK_LIMIT_KIB = 400 * 1024
FILE_SIZE_LIMIT = 64 * MIB

_BOUNDED = """
import resource, subprocess, sys
limit, file_limit = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
result = subprocess.run(sys.argv[3:])
print("peak-kib", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(result.returncode)
"""


def run_bounded(args: list[str], env: dict[str, str], timeout: float = 300):
    """Run ``args`` with RLIMIT_AS and RLIMIT_FSIZE set; (completed process, peak RSS in KiB).

    An address-space limit alone hides unbounded decoding: warcio takes the MemoryError of
    a bomb's first block as "not compressed" and carries on, or spools the decoded body to
    a temporary file; the file-size limit catches the second."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", _BOUNDED, str(ADDRESS_LIMIT), str(FILE_SIZE_LIMIT), *args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    peak = int(result.stderr.rsplit("peak-kib", 1)[1].split()[0])
    return result, peak
