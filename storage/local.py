"""The embedded default: WARCs in a local directory, one sub-directory per collection.

Each committed file gets its fixity record at once (``_manifest/COLLECTION/NAME.json``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from diancang.storage.base import Backlog, StoredWarc, SyncReport
from diancang.storage.files import write_atomic
from diancang.storage.fixity import MANIFEST_DIR, FixityRecord, now_rfc3339, sha256_file
from diancang.storage.recovery import recover_open_warcs
from diancang.warc_names import WARC_GZ

log = logging.getLogger(__name__)


class LocalWarcStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def spool_dir(self, collection: str) -> Path:
        return self.root / collection

    def commit(self, path: Path, collection: str) -> StoredWarc:
        target = self.spool_dir(collection) / path.name
        if path.resolve() != target.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
        self._record(collection, target)
        return StoredWarc(collection, target.name, target.stat().st_size, str(target))

    def recover(
        self, upload: bool = True, owned: Callable[[str], bool] | None = None
    ) -> list[Path]:
        closed = recover_open_warcs(self.root, owned)
        for path in closed:  # recorded like a committed file, so it is listed for transfer
            self._record(path.parent.name, path)
        return closed

    def list(self, collection: str | None = None) -> Iterator[StoredWarc]:
        pattern = f"{collection}/*{WARC_GZ}" if collection else f"*/*{WARC_GZ}"
        for path in sorted(self.root.glob(pattern)):
            yield StoredWarc(path.parent.name, path.name, path.stat().st_size, str(path))

    def stored(self, collection: str | None = None) -> Iterator[StoredWarc]:
        return self.list(collection)

    def locate(self, collection: str, name: str) -> StoredWarc | None:
        path = self.root / collection / name
        if not path.is_file():
            return None
        return StoredWarc(collection, name, path.stat().st_size, str(path))

    def open(self, warc: StoredWarc, start: int = 0) -> BinaryIO:
        stream = open(warc.location, "rb")  # noqa: SIM115 - the caller closes it
        stream.seek(start)
        return stream

    def opener(self, warc: StoredWarc) -> Callable[[], BinaryIO]:
        return partial(self.open, warc)

    def archive_path(self, collection: str) -> str:
        return str(self.spool_dir(collection).resolve()) + "/"

    # -- fixity ------------------------------------------------------------------------

    def _manifest_path(self, collection: str, name: str) -> Path:
        return self.root / MANIFEST_DIR / collection / f"{name}.json"

    def _record(self, collection: str, path: Path) -> FixityRecord:
        digest, size = sha256_file(path)
        record = FixityRecord(collection, path.name, size, digest, now_rfc3339())
        write_atomic(self._manifest_path(collection, path.name), record.to_json())
        return record

    def fixity_record(self, collection: str, name: str) -> FixityRecord | None:
        path = self._manifest_path(collection, name)
        try:
            return FixityRecord.from_json(path.read_bytes(), str(path))
        except FileNotFoundError:
            return None

    def manifest_names(self, collection: str | None = None) -> Iterator[tuple[str, str]]:
        pattern = f"{collection}/*.json" if collection else "*/*.json"
        for path in sorted((self.root / MANIFEST_DIR).glob(pattern)):
            yield path.parent.name, path.name.removesuffix(".json")

    def manifest(self, collection: str | None = None) -> Iterator[FixityRecord]:
        for coll, name in self.manifest_names(collection):
            record = self.fixity_record(coll, name)
            if record is not None:
                yield record

    def sync(self) -> SyncReport:
        """Record fixity for files that have none (stored before fixity, or cut off by a kill)."""
        report = SyncReport()
        for warc in self.list():
            if not self._manifest_path(warc.collection, warc.name).exists():
                report.stored.append(self._record(warc.collection, Path(warc.location)))
                log.info("%s: fixity recorded", warc.location)
        return report

    def download_url(self, warc: StoredWarc, expires: int = 3600) -> str | None:
        return None

    def backlog(self) -> Backlog:
        return Backlog()  # a closed file is in the store as soon as it is committed

    def close(self) -> None:
        pass
