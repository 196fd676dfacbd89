"""Rotating WARC files: written as *.warc.gz.open, warcinfo first, renamed when closed.

Each open file is locked by this process (``diancang.storage.open_files``), so the start-up recovery
of another crawl on the same directory never takes it for a crash's leftover.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from diancang.crawler.warc.records import WARC_VERSION, DiancangWARCWriter, RecordFactory
from diancang.storage.files import fsync_dir
from diancang.storage.open_files import closed_name, create_locked
from diancang.warc_names import OPEN_SUFFIX, WARC_GZ


class RotatingWarcWriter:
    """Writes records of one collection into files that roll over at ``max_size`` bytes.

    Each record is its own gzip member and is flushed to the operating system at once, so a
    killed process leaves at most a torn last record (cut off on the next start).
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        info: dict[str, str],
        factory: RecordFactory,
        max_size: int,
        on_close: Callable[[Path], None],
        origin: str | None = None,
    ):
        self.directory = directory
        self.prefix = prefix
        self.info = info
        self.factory = factory
        self.max_size = max_size
        self.on_close = on_close
        # the pid keeps names apart between crawls running on one host (as Heritrix's do); a
        # worker of a shared frontier is named by its worker id
        self.origin = origin or f"{os.getpid()}-{socket.gethostname()}"
        self._serial = 0
        self._file = None
        self._writer: DiancangWARCWriter | None = None
        self._path: Path | None = None

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while self._file is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.origin}{WARC_GZ}"
            self._serial += 1
            self._path = self.directory / (name + OPEN_SUFFIX)
            self._file = create_locked(self._path)
        self._writer = DiancangWARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        self._writer.write_record(self.factory.warcinfo(name, self.info))

    def write(self, *records) -> None:
        """Write records together into one file, then roll over if the file is full."""
        if self._writer is None:
            self._open()
        start = self._file.tell()
        try:
            for record in records:
                self._writer.write_record(record)
            self._file.flush()
        except OSError:
            self._cut_back(start)
            raise
        if self._file.tell() >= self.max_size:
            self.close()

    def _cut_back(self, end: int) -> None:
        """Drop a partly written group, so the file ends on a whole record."""
        try:
            self._file.seek(end)
            self._file.truncate(end)
        except OSError:
            pass  # the next start cuts the torn tail (storage.recovery)

    def close(self) -> None:
        """Rename the file closed, then hand it on; raises if either fails.

        The lock is held until the file has its final name; if renaming fails, the file is
        left ``.open`` and unlocked for the next start's recovery.
        """
        if self._file is None:
            return
        fh, path = self._file, self._path
        self._file = self._writer = self._path = None
        final = closed_name(path)
        try:
            fh.flush()
            os.fsync(fh.fileno())
            os.replace(path, final)
            fsync_dir(final.parent)
        finally:
            fh.close()
        self.on_close(final)
