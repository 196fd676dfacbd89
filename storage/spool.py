"""The local spool of an S3 store: closed WARCs waiting for upload, each with its checksum.

``DATA_DIR/spool/COLLECTION/NAME.warc.gz`` is a closed WARC; ``NAME.warc.gz.sha256`` beside
it (``sha256sum`` format) is its SHA-256, taken once when the file was closed and before any
upload, so every later copy is checked against what the crawler wrote.
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from diancang.storage.files import claim_unheld, fsync_dir, write_atomic
from diancang.storage.fixity import sha256_file
from diancang.warc_names import WARC_GZ

log = logging.getLogger(__name__)

CHECKSUM_SUFFIX = ".sha256"


@dataclass(frozen=True)
class SpooledWarc:
    collection: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def checksum_path(self) -> Path:
        return self.path.with_name(self.path.name + CHECKSUM_SUFFIX)


def spooled(root: Path, collection: str | None = None) -> list[SpooledWarc]:
    """Closed WARC files in the spool, oldest name first (names start with their time)."""
    pattern = f"{collection}/*{WARC_GZ}" if collection else f"*/*{WARC_GZ}"
    found = [SpooledWarc(p.parent.name, p) for p in root.glob(pattern) if p.is_file()]
    return sorted(found, key=lambda s: (s.name, s.collection))


def orphan_checksums(root: Path) -> list[Path]:
    """Checksum files whose WARC was already released (a kill between the two unlinks)."""
    return [
        p
        for p in root.glob(f"*/*{WARC_GZ}{CHECKSUM_SUFFIX}")
        if not p.with_name(p.name.removesuffix(CHECKSUM_SUFFIX)).exists()
    ]


def read_checksum(warc: SpooledWarc) -> str | None:
    try:
        text = warc.checksum_path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    digest = text.split(maxsplit=1)[0] if text.strip() else ""
    if len(digest) != 64:
        log.warning("%s: unreadable checksum file, taking the checksum again", warc.checksum_path)
        return None
    return digest


def record_checksum(warc: SpooledWarc) -> str:
    """The SHA-256 recorded for ``warc``, taking and recording it first if there is none."""
    digest = read_checksum(warc)
    if digest is None:
        digest, _ = sha256_file(warc.path)
        write_atomic(warc.checksum_path, f"{digest}  {warc.name}\n".encode("ascii"))
    return digest


def claimed(warc: SpooledWarc) -> AbstractContextManager[BinaryIO | None]:
    """Hold an exclusive lock on a spooled file, or yield None if another process holds it.

    A crawl's background uploader and ``diancang storage sync`` may run at once; the lock
    keeps them from handing off the same file twice.
    """
    return claim_unheld(warc.path, "rb")


def release(warc: SpooledWarc) -> None:
    """Delete the spool copy, then its checksum; a kill in between leaves an orphan checksum."""
    warc.path.unlink()
    fsync_dir(warc.path.parent)
    remove_checksum(warc.checksum_path)


def remove_checksum(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    fsync_dir(path.parent)
