"""Where WARC files come from: local paths given on the command line, or the WARC store.

The catalogue only ever needs "list the closed WARC files" and "open this one as a binary
stream". Local paths (any WARC: ours, Heritrix's, wget's) are opened from the file system;
the WARC store (``diancang.storage.open_store``: a local directory or an S3 bucket) is asked
for both, so the catalogue never needs to know where the store keeps its files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from diancang.storage.base import WarcStore
from diancang.warc_names import WARC_SUFFIXES


@dataclass(frozen=True)
class WarcLocation:
    """A WARC file by name (its identity in the catalogue), where it lies, and its size.

    ``opener`` opens a file the local file system cannot (one in an S3 bucket): it is the
    store's own ``open``. Without it, ``location`` is a local path.
    """

    name: str
    location: str
    size: int
    opener: Callable[[], BinaryIO] | None = field(default=None, repr=False, compare=False)

    def open(self) -> BinaryIO:
        if self.opener is not None:
            return self.opener()
        if "://" in self.location and not self.location.startswith("file://"):
            raise ValueError(
                f"{self.location}: not a local file; WARCs of the store are opened through "
                "the store (store_warcs)"
            )
        return open(self.location.removeprefix("file://"), "rb")  # noqa: SIM115


def is_closed_warc(name: str) -> bool:
    """True for ``*.warc.gz`` and ``*.warc``; files still being written end in ``.open``."""
    return name.endswith(WARC_SUFFIXES)


def local_warc(path: Path) -> WarcLocation:
    path = path.resolve()
    return WarcLocation(name=path.name, location=str(path), size=path.stat().st_size)


def find_warcs(paths: list[Path]) -> Iterator[WarcLocation]:
    """Every closed WARC file named or found (recursively) under ``paths``, sorted by path."""
    for path in paths:
        if path.is_dir():
            found = []
            for root, _dirs, files in os.walk(path):
                found.extend(Path(root) / f for f in files if is_closed_warc(f))
            for file in sorted(found):
                yield local_warc(file)
        elif path.exists():
            yield local_warc(path)
        else:
            raise FileNotFoundError(f"{path}: no such WARC file or directory")


def store_warcs(store: WarcStore, collection: str | None = None) -> Iterator[WarcLocation]:
    """The closed WARC files of ``store`` (with S3: in the bucket or still in the spool).

    Each is opened through the store (``store.opener``): a local file, or the S3 object
    streamed by boto3, also in a reader process of the ingest.
    The store never lists ``.open`` files; a file is known to the catalogue by (name, size)
    wherever it lies, so a file catalogued while spooled is not catalogued again once
    uploaded.
    """
    for warc in store.list(collection):
        if is_closed_warc(warc.name):
            yield WarcLocation(warc.name, warc.location, warc.size, store.opener(warc))
