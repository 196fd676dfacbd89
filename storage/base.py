"""The WARC-store interface every backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class StoredWarc:
    collection: str  # pywb collection, e.g. "govinfo-500000"
    name: str  # file name, e.g. "govinfo-500000-20261125...-00000-host.warc.gz"
    size: int
    location: str  # local path or URL that pywb and the catalogue can read


class WarcStore(Protocol):
    def spool_dir(self, collection: str) -> Path:
        """Local directory where writers create ``*.warc.gz.open`` files of a collection."""

    def commit(self, path: Path, collection: str) -> StoredWarc:
        """Take a closed WARC file from the spool into the store."""

    def recover(self) -> list[Path]:
        """Close WARC files left ``.open`` by a crash; return the files it closed."""

    def list(self, collection: str | None = None) -> Iterator[StoredWarc]:
        """Closed WARC files, never ``.open`` ones."""

    def open(self, warc: StoredWarc) -> BinaryIO:
        """A readable binary stream of a stored WARC."""

    def archive_path(self, collection: str) -> str:
        """The ``archive_paths`` prefix pywb resolves this collection's file names against."""
