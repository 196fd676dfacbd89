"""Close a WARC file that a crash left ``.open``: keep its whole records, cut a torn tail.

Only files that no live process holds are touched (see ``diancang.storage.open_files``): another
crawl on the same data directory or spool keeps writing its own files undisturbed. A lock
says nothing about a process on another machine (a store shared over the network), so a
worker of a shared frontier touches only the files its name is in (``owned``).
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Callable
from pathlib import Path

from diancang.storage.files import fsync_dir
from diancang.storage.open_files import OPEN_WARCS, claim_abandoned, closed_name

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def _record_complete(head: bytes, size: int) -> bool:
    """A gzip member holds one whole WARC record: header, Content-Length bytes, CRLF CRLF."""
    end = head.find(b"\r\n\r\n")
    match = _CONTENT_LENGTH.search(head, 0, end + 2) if end > 0 else None
    return (
        head.startswith(b"WARC/")
        and match is not None
        and (size == end + 4 + int(match.group(1)) + 4)
    )


def complete_length(path: Path) -> tuple[int, int]:
    """Byte length of the leading run of complete gzip-member records, and their count."""
    good_end = count = 0
    member_start = 0
    inflater = zlib.decompressobj(31)
    head, size = b"", 0
    with path.open("rb") as fh:
        pos = 0
        pending = b""
        while True:
            data = pending or fh.read(_CHUNK)
            pending = b""
            if not data:
                break
            try:
                out = inflater.decompress(data)
            except zlib.error as exc:
                log.warning("%s: bad gzip data at byte %d: %s", path, member_start, exc)
                break
            size += len(out)
            if len(head) < 65536:
                head += out[: 65536 - len(head)]
            if inflater.eof:
                unused = inflater.unused_data
                member_end = pos + len(data) - len(unused)
                if not _record_complete(head, size):
                    log.warning("%s: incomplete record at byte %d", path, member_start)
                    break
                good_end, count = member_end, count + 1
                member_start = pos = member_end
                inflater, head, size, pending = zlib.decompressobj(31), b"", 0, unused
            else:
                pos += len(data)
    return good_end, count


def recover_open_warcs(root: Path, owned: Callable[[str], bool] | None = None) -> list[Path]:
    """Close every ``.open`` WARC under ``root`` left by a dead process -- with ``owned``, only
    those whose file name it accepts --; return those closed."""
    closed = []
    for path in sorted(root.glob(OPEN_WARCS)):
        if owned is not None and not owned(path.name):
            continue
        result = close_torn_warc(path)
        if result is not None:
            closed.append(result)
    return closed


def close_torn_warc(path: Path) -> Path | None:
    """Truncate ``path`` after its last complete record and rename it without ``.open``.

    Returns the closed file, or None when a live process holds it (it is left alone) or
    when not even the warcinfo record survived (the file is then removed: it held nothing
    that was captured).
    """
    with claim_abandoned(path) as fh:
        if fh is None:
            log.info("%s: being written by a running crawl, left alone", path)
            return None
        end, count = complete_length(path)
        if count == 0:
            log.warning("%s: no complete record, removed", path)
            path.unlink()
            fsync_dir(path.parent)
            return None
        size = os.fstat(fh.fileno()).st_size
        if end < size:
            log.warning("%s: cut %d torn bytes after %d complete records", path, size - end, count)
            fh.truncate(end)
        os.fsync(fh.fileno())
        final = closed_name(path)
        os.replace(path, final)  # still locked: no other recovery works on it meanwhile
        fsync_dir(path.parent)
    log.info("%s: closed with %d records", final, count)
    return final
