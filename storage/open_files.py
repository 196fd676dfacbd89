"""WARC files being written (``NAME.warc.gz.open``), each locked by the process writing it.

Several crawls share one data directory and one spool, so "left ``.open``" does not mean
"left by a crash". A writer holds an exclusive ``flock`` on its open file from the moment
it creates it until it has renamed it closed; the kernel drops the lock when the process
dies, even by SIGKILL. Recovery takes the same lock without waiting and leaves every file
it cannot lock alone: a live crawl is still writing it.
"""

from __future__ import annotations

import fcntl
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from diancang.storage.files import claim_unheld, still_at
from diancang.warc_names import OPEN_SUFFIX, WARC_GZ

OPEN_WARCS = f"*/*{WARC_GZ}{OPEN_SUFFIX}"  # relative to a store root or a spool root


def closed_name(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(OPEN_SUFFIX))


def create_locked(path: Path) -> BinaryIO | None:
    """Create ``path`` (which must not exist) and lock it for this process's lifetime.

    Returns None in the one race this loses: a recovery in another process opened the new,
    still empty file before we locked it and removed it as holding no record. The caller
    then creates another name. The file is unbuffered: a write that fails leaves nothing
    behind in a buffer, so the writer can cut it back (crawler/warc/writer.py).
    """
    fh = open(path, "xb", buffering=0)  # noqa: SIM115 - the caller closes it, which drops the lock
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # waits only for such a recovery's check
        if still_at(fh, path):
            return fh
    except BaseException:
        fh.close()
        raise
    fh.close()
    return None


def claim_abandoned(path: Path) -> AbstractContextManager[BinaryIO | None]:
    """Lock an open WARC that no live process holds; yield it (read-write) or None."""
    return claim_unheld(path, "r+b")
