"""The WARC-store interface every backend implements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from diancang.storage.fixity import FixityRecord


@dataclass(frozen=True)
class StoredWarc:
    collection: str  # pywb collection, e.g. "govinfo-500000"
    name: str  # file name, e.g. "govinfo-500000-20261125...-00000-host.warc.gz"
    size: int
    location: str  # local path or URL that pywb and the catalogue can read


@dataclass
class SyncReport:
    """What one pass of :meth:`WarcStore.sync` did."""

    stored: list[FixityRecord] = field(default_factory=list)  # verified, recorded, released
    waiting: dict[str, str] = field(default_factory=dict)  # spooled file name -> why it waits
    endpoint_down: bool = False

    @property
    def bytes_stored(self) -> int:
        return sum(record.size for record in self.stored)


NOT_YET_UPLOADED = "not uploaded yet"


@dataclass(frozen=True)
class Backlog:
    """Closed WARC files still only in the local spool (e.g. while S3 is down)."""

    waiting: dict[str, str] = field(default_factory=dict)  # file name -> why it waits

    def of(self, names: set[str]) -> Backlog:
        return Backlog({n: why for n, why in self.waiting.items() if n in names})

    @property
    def reason(self) -> str | None:
        """The last upload error, if a pass failed; else why the files wait at all."""
        reasons = [why for why in self.waiting.values() if why != NOT_YET_UPLOADED]
        return reasons[0] if reasons else (NOT_YET_UPLOADED if self.waiting else None)


class WarcStore(Protocol):
    def spool_dir(self, collection: str) -> Path:
        """Local directory where writers create ``*.warc.gz.open`` files of a collection."""

    def commit(self, path: Path, collection: str) -> StoredWarc:
        """Take a closed WARC file from the spool into the store.

        Returns at once: a backend that uploads does it in the background.
        """

    def recover(
        self, upload: bool = True, owned: Callable[[str], bool] | None = None
    ) -> list[Path]:
        """Close WARC files left ``.open`` by a crash; return the files it closed.

        Files a live process is writing (locked, see ``diancang.storage.open_files``) are left
        alone; with ``owned``, so are files whose name it refuses (another worker's).

        With ``upload``, a store that uploads starts doing so in the background.
        """

    def list(self, collection: str | None = None) -> Iterator[StoredWarc]:
        """Closed WARC files, never ``.open`` ones (with S3: stored and still spooled)."""

    def open(self, warc: StoredWarc, start: int = 0) -> BinaryIO:
        """A readable binary stream of a stored WARC, from byte ``start`` (a record's offset)."""

    def opener(self, warc: StoredWarc) -> Callable[[], BinaryIO]:
        """``open`` of ``warc`` from its start, picklable where the store can be reached
        from another process (a reader process of ``catalog ingest``)."""

    def archive_path(self, collection: str) -> str:
        """The ``archive_paths`` prefix pywb resolves this collection's file names against."""

    def stored(self, collection: str | None = None) -> Iterator[StoredWarc]:
        """WARC files in durable storage (the directory, or the bucket), never the spool."""

    def locate(self, collection: str, name: str) -> StoredWarc | None:
        """One stored WARC by collection and name, or None if the store does not hold it."""

    def manifest_names(self, collection: str | None = None) -> Iterator[tuple[str, str]]:
        """(collection, name) of every fixity record, without reading the records."""

    def manifest(self, collection: str | None = None) -> Iterator[FixityRecord]:
        """The fixity record of every stored WARC."""

    def fixity_record(self, collection: str, name: str) -> FixityRecord | None:
        """The fixity record of one stored WARC, if it has one."""

    def sync(self) -> SyncReport:
        """Move every spooled file into durable storage, verified; record its fixity."""

    def download_url(self, warc: StoredWarc, expires: int = 3600) -> str | None:
        """A URL anyone holding it can download the file from, or None (then proxy it)."""

    def backlog(self) -> Backlog:
        """Closed files not yet in durable storage, with the last upload error for each."""

    def close(self) -> None:
        """Finish background work that can finish now; leave the rest in the spool."""
