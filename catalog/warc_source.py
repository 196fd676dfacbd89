"""Where WARC files come from: a local path, a directory of the WARC store, or a URL.

The catalogue only ever needs "list the closed WARC files" and "open this one as a binary
stream"; an S3 store plugs in behind the same two calls.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.request import urlopen

WARC_SUFFIXES = (".warc.gz", ".warc")


@dataclass(frozen=True)
class WarcLocation:
    """A WARC file by name (its identity in the catalogue), where it lies, and its size."""

    name: str
    location: str
    size: int

    def open(self) -> BinaryIO:
        if "://" in self.location and not self.location.startswith("file://"):
            return urlopen(self.location)  # noqa: S310 - the WARC store's own URLs
        return open(self.location.removeprefix("file://"), "rb")


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


def store_warcs(warc_store: str) -> Iterator[WarcLocation]:
    """The closed WARC files of the configured store (a local directory for now)."""
    if "://" in warc_store and not warc_store.startswith("file://"):
        raise NotImplementedError(
            f"WARC store {warc_store}: only local directories are catalogued so far"
        )
    root = Path(warc_store.removeprefix("file://"))
    if not root.exists():
        return iter(())
    return find_warcs([root])
