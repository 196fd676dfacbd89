"""Rotating WARC files: written as *.warc.gz.open, warcinfo first, renamed when closed.

Each open file is locked by this process (``diancang.storage.open_files``), so the start-up recovery
of another crawl on the same directory never takes it for a crash's leftover.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from diancang.crawler.warc.gzip_members import GzipMembers
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
        self._file = None  # unbuffered (storage.open_files.create_locked)
        self._name = ""
        self._path: Path | None = None

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while self._file is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
            self._name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.origin}{WARC_GZ}"
            self._serial += 1
            self._path = self.directory / (self._name + OPEN_SUFFIX)
            self._file = create_locked(self._path)

    def write(self, *records) -> None:
        """Write records together into one file, then roll over if the file is full.

        The group is built in memory and written with unbuffered writes, so a write that
        fails (a full disk) is cut back from the file whole: no buffer keeps part of it to
        be written, or to fail, later.
        """
        if self._file is None:
            self._open()
        start = self._file.tell()
        if start == 0:  # warcinfo first, also after a first group that was cut back
            records = (self.factory.warcinfo(self._name, self.info), *records)
        group = BytesIO()
        writer = DiancangWARCWriter(GzipMembers(group), gzip=False, warc_version=WARC_VERSION)
        for record in records:
            writer.write_record(record)
        try:
            _write_all(self._file, group.getbuffer())
        except OSError:
            self._cut_back(start)
            raise
        if self._file.tell() >= self.max_size:
            self.close()

    def _cut_back(self, end: int) -> None:
        """Drop a partly written group, so the file ends on a whole record."""
        try:
            self._file.truncate(end)
            self._file.seek(end)
        except OSError:  # left .open and unlocked: the next start cuts the torn tail
            self._file.close()
            self._file = self._path = None

    def close(self) -> None:
        """Rename the file closed, then hand it on; raises if either fails.

        The lock is held until the file has its final name; if renaming fails, the file is
        left ``.open`` and unlocked for the next start's recovery.
        """
        if self._file is None:
            return
        fh, path = self._file, self._path
        self._file = self._path = None
        final = closed_name(path)
        try:
            os.fsync(fh.fileno())
            os.replace(path, final)
            fsync_dir(final.parent)
        finally:
            fh.close()
        self.on_close(final)


def _write_all(fh, data: memoryview) -> None:
    """Write all of ``data`` to an unbuffered file, which may take it in parts."""
    while data:
        data = data[fh.write(data) :]
