"""Fixity: the SHA-256 manifest of stored WARCs, and checking stored files against it.

Each stored WARC has one manifest record (name, size, SHA-256, stored time), kept by the
store beside its WARCs under ``_manifest/COLLECTION/NAME.json``: one small object per WARC,
so concurrent writers never contend for a shared manifest file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from diancang.storage.base import StoredWarc

MANIFEST_DIR = "_manifest"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FixityRecord:
    collection: str
    name: str
    size: int
    sha256: str
    stored: str  # RFC 3339 UTC time the store accepted the file

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes | str, where: str) -> FixityRecord:
        try:
            raw = json.loads(data)
            return cls(
                collection=str(raw["collection"]),
                name=str(raw["name"]),
                size=int(raw["size"]),
                sha256=str(raw["sha256"]),
                stored=str(raw["stored"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}: not a fixity record: {exc}") from exc


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_stream(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 hex digest and length of everything left in ``stream``."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as fh:
        return sha256_stream(fh)


class FixityStore(Protocol):
    """What checking needs from a store: its manifest, what it holds, and reading it."""

    def manifest(self, collection: str | None = None) -> Iterator[FixityRecord]: ...

    def stored(self, collection: str | None = None) -> Iterator[StoredWarc]: ...

    def open(self, warc: StoredWarc) -> BinaryIO: ...


@dataclass(frozen=True)
class FixityProblem:
    collection: str
    name: str
    kind: str  # "missing" | "truncated" | "altered" | "unrecorded"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind:<10} {self.collection}/{self.name}: {self.detail}"


@dataclass
class VerifyReport:
    checked: int = 0
    intact: int = 0
    bytes_read: int = 0
    problems: list[FixityProblem] = field(default_factory=list)

    @property
    def failed(self) -> list[FixityProblem]:
        """Problems that mean a recorded file is no longer what was stored."""
        return [p for p in self.problems if p.kind != "unrecorded"]

    def to_dict(self) -> dict:
        return {
            "checked": self.checked,
            "intact": self.intact,
            "bytes_read": self.bytes_read,
            "problems": [asdict(p) for p in self.problems],
        }


def verify_store(
    store: FixityStore,
    collection: str | None = None,
    read: bool = True,
    on_checked: Callable[[FixityRecord, FixityProblem | None], None] | None = None,
) -> VerifyReport:
    """Check every manifest record against the stored file: present, same size, same SHA-256.

    With ``read=False`` only presence and size are checked (no object is read).
    """
    report = VerifyReport()
    present = {(w.collection, w.name): w for w in store.stored(collection)}
    recorded = set()
    for record in store.manifest(collection):
        key = (record.collection, record.name)
        recorded.add(key)
        problem = _check(store, record, present.get(key), read, report)
        report.checked += 1
        if problem is None:
            report.intact += 1
        else:
            report.problems.append(problem)
        if on_checked is not None:
            on_checked(record, problem)
    for key in sorted(present.keys() - recorded):
        report.problems.append(FixityProblem(*key, "unrecorded", "stored without a fixity record"))
    return report


def _check(
    store: FixityStore,
    record: FixityRecord,
    warc: StoredWarc | None,
    read: bool,
    report: VerifyReport,
) -> FixityProblem | None:
    def problem(kind: str, detail: str) -> FixityProblem:
        return FixityProblem(record.collection, record.name, kind, detail)

    if warc is None:
        return problem("missing", f"recorded {record.size} bytes, sha256 {record.sha256}")
    if warc.size < record.size:
        return problem("truncated", f"{warc.size} of {record.size} bytes")
    if warc.size > record.size:
        return problem("altered", f"{warc.size} bytes, recorded {record.size}")
    if not read:
        return None
    with store.open(warc) as stream:
        digest, size = sha256_stream(stream)
    report.bytes_read += size
    if size < record.size:
        return problem("truncated", f"read {size} of {record.size} bytes")
    if digest != record.sha256:
        return problem("altered", f"sha256 {digest}, recorded {record.sha256}")
    return None


def manifest_lines(records: Iterable[FixityRecord]) -> Iterator[str]:
    """The manifest as JSON Lines, one record per stored WARC."""
    for record in records:
        yield record.to_json().decode("utf-8") + "\n"
