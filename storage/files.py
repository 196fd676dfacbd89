"""Local file operations: durable writes (whole on disk or not there at all) and locks
that a process holds until it dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file, fsync it, and rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def still_at(fh: BinaryIO, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fh`` (not renamed or removed since)."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fh.fileno())
    return mine.st_nlink > 0 and (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)


@contextmanager
def claim_unheld(path: Path, mode: str) -> Iterator[BinaryIO | None]:
    """Lock ``path`` exclusively if no live process holds it; yield it open, or None.

    None: it is missing, another process holds its lock, or it was renamed or removed by
    the process that held the lock before us. The kernel drops the lock if we die.
    """
    try:
        fh = open(path, mode)  # noqa: SIM115 - closed below
    except FileNotFoundError:
        yield None
        return
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield fh if still_at(fh, path) else None
