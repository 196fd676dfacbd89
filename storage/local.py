"""The embedded default: WARCs in a local directory, one sub-directory per collection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from storage.base import StoredWarc
from storage.recovery import close_torn_warc

OPEN_SUFFIX = ".open"


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
        return StoredWarc(collection, target.name, target.stat().st_size, str(target))

    def recover(self) -> list[Path]:
        closed = []
        for path in sorted(self.root.glob(f"*/*.warc.gz{OPEN_SUFFIX}")):
            result = close_torn_warc(path)
            if result is not None:
                closed.append(result)
        return closed

    def list(self, collection: str | None = None) -> Iterator[StoredWarc]:
        pattern = f"{collection}/*.warc.gz" if collection else "*/*.warc.gz"
        for path in sorted(self.root.glob(pattern)):
            yield StoredWarc(path.parent.name, path.name, path.stat().st_size, str(path))

    def open(self, warc: StoredWarc) -> BinaryIO:
        return open(warc.location, "rb")  # noqa: SIM115 - the caller closes it

    def archive_path(self, collection: str) -> str:
        return str(self.spool_dir(collection).resolve()) + "/"
