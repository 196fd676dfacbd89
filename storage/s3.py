"""WARCs on S3-compatible object storage, handed over from a local spool.

Writers create files in ``DATA_DIR/spool/COLLECTION/``; ``commit`` returns at once and a
background thread uploads, verifies and releases each file (see ``diancang.storage.handoff``). The
bucket holds ``PREFIX/COLLECTION/NAME.warc.gz`` and one fixity record per WARC under
``PREFIX/_manifest/``. pywb reads the WARCs straight from the bucket with range requests.
"""

from __future__ import annotations

import atexit
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from diancang.storage.base import NOT_YET_UPLOADED, Backlog, StoredWarc, SyncReport
from diancang.storage.fixity import MANIFEST_DIR, FixityRecord
from diancang.storage.handoff import HandoffError, hand_off, read_record, warc_key
from diancang.storage.recovery import recover_open_warcs
from diancang.storage.s3_client import (
    ClientSettings,
    S3Location,
    StoreConfigError,
    TransferOptions,
    is_transient,
    make_client,
)
from diancang.storage.s3_objects import Bucket
from diancang.storage.spool import (
    CHECKSUM_SUFFIX,
    SpooledWarc,
    orphan_checksums,
    remove_checksum,
    spooled,
)
from diancang.storage.uploader import BackgroundUploader
from diancang.warc_names import WARC_SUFFIXES

log = logging.getLogger(__name__)


def _open_stored(warc: StoredWarc, start: int, bucket: Callable[[], Bucket]) -> BinaryIO:
    """The spooled file while it is there, else the object in the bucket."""
    if not warc.location.startswith("s3://"):
        try:
            stream = open(warc.location, "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            pass  # uploaded and released since it was listed
        else:
            stream.seek(start)
            return stream
    objects = bucket()
    return objects.open(warc_key(objects, warc.collection, warc.name), start)


@dataclass(frozen=True)
class ObjectOpener:
    """Opens a stored WARC in any process, the store's ``open`` made picklable: a reader
    process of ``catalog ingest`` gets this and makes its own client."""

    warc: StoredWarc
    location: S3Location
    transfer: TransferOptions
    client: ClientSettings

    def __call__(self) -> BinaryIO:
        return _open_stored(
            self.warc,
            0,
            lambda: Bucket(self.location, make_client(settings=self.client), self.transfer),
        )


class S3WarcStore:
    def __init__(
        self,
        location: S3Location,
        spool_root: Path,
        transfer: TransferOptions | None = None,
        client=None,
        progress: Callable[[int], None] | None = None,
    ):
        self.location = location
        self.spool_root = Path(spool_root)
        self.transfer = transfer or TransferOptions.configured()
        # a client given (a test's, a caller's own) cannot be remade in another process
        self._own_client = client is None
        if client is None:
            client = make_client(max_pool_connections=self.transfer.max_concurrency + 4)
        self.bucket = Bucket(location, client, self.transfer)
        self._progress = progress
        self._uploader: BackgroundUploader | None = None
        self._last_sync: SyncReport | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"S3WarcStore({self.location.url(self.location.prefix)!r})"

    # -- writing ------------------------------------------------------------------------

    def spool_dir(self, collection: str) -> Path:
        return self.spool_root / collection

    def commit(self, path: Path, collection: str) -> StoredWarc:
        target = self.spool_dir(collection) / path.name
        if path.resolve() != target.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
        try:
            size = target.stat().st_size
        except FileNotFoundError:  # a running upload pass already stored and released it
            record = self.fixity_record(collection, target.name)
            size = record.size if record else 0
        self._start_uploader().wake()
        key = warc_key(self.bucket, collection, target.name)
        return StoredWarc(collection, target.name, size, self.location.url(key))

    def check(self) -> bool:
        """False if the endpoint cannot be reached now; raises if the bucket is not usable.

        A missing bucket or refused credentials will not mend by waiting: better to hear of
        it before a crawl than from a spool that never empties.
        """
        try:
            self.bucket.client.head_bucket(Bucket=self.bucket.name)
        except Exception as exc:
            if is_transient(exc):
                log.warning("S3 endpoint unavailable (%s); WARCs will wait in the spool", exc)
                return False
            raise StoreConfigError(
                f"bucket {self.location.bucket!r} is not usable at the configured endpoint "
                f"(AWS_ENDPOINT_URL, AWS_* credentials): {exc}"
            ) from exc
        return True

    def recover(
        self, upload: bool = True, owned: Callable[[str], bool] | None = None
    ) -> list[Path]:
        """Check the bucket, close ``.open`` spool files of dead crawls; with ``upload``, start the
        background uploader on what waits (a crawl does; ``storage sync`` uploads itself)."""
        self.check()
        closed = recover_open_warcs(self.spool_root, owned)
        if upload and (spooled(self.spool_root) or orphan_checksums(self.spool_root)):
            self._start_uploader()
        return closed

    def _start_uploader(self) -> BackgroundUploader:
        with self._lock:
            if self._uploader is None:
                self._uploader = BackgroundUploader(
                    self.sync, self.transfer.retry_min_delay, self.transfer.retry_max_delay
                )
                self._uploader.start()
                atexit.register(self.close)
            return self._uploader

    def sync(self) -> SyncReport:
        """One pass over the spool: store every file that can be stored now."""
        report = SyncReport()
        self._clear_orphan_checksums()
        pending = spooled(self.spool_root)
        for index, warc in enumerate(pending):
            try:
                record = hand_off(self.bucket, warc, self._progress)
            except HandoffError as exc:
                log.error("%s", exc)
                report.waiting[warc.name] = str(exc)
                continue
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("%s: not stored", warc.path)
                    report.waiting[warc.name] = f"{type(exc).__name__}: {exc}"
                    continue
                log.warning("S3 endpoint unavailable (%s); WARCs wait in %s", exc, self.spool_root)
                report.endpoint_down = True
                for rest in pending[index:]:
                    report.waiting[rest.name] = f"endpoint unavailable: {exc}"
                break
            if record is None:
                report.waiting[warc.name] = "being stored by another process"
            else:
                report.stored.append(record)
        self._last_sync = report
        return report

    def _clear_orphan_checksums(self) -> None:
        for path in orphan_checksums(self.spool_root):
            name = path.name.removesuffix(CHECKSUM_SUFFIX)
            try:
                recorded = read_record(self.bucket, path.parent.name, name) is not None
            except Exception as exc:
                if is_transient(exc):
                    return
                raise
            if recorded:
                remove_checksum(path)
            else:
                log.warning("%s: its WARC is gone but never recorded as stored", path)

    def waiting(self, collection: str | None = None) -> list[SpooledWarc]:
        """Closed files still in the spool."""
        return spooled(self.spool_root, collection)

    def backlog(self) -> Backlog:
        last = self._last_sync.waiting if self._last_sync else {}
        return Backlog({w.name: last.get(w.name, NOT_YET_UPLOADED) for w in self.waiting()})

    def close(self) -> None:
        with self._lock:
            uploader, self._uploader = self._uploader, None
        if uploader is not None:
            atexit.unregister(self.close)
            uploader.stop()
            left = len(spooled(self.spool_root))
            if left:
                log.warning(
                    "%d WARC files wait in %s; `diancang storage sync` uploads them",
                    left,
                    self.spool_root,
                )

    # -- reading ------------------------------------------------------------------------

    def _dir_prefix(self, *parts: str) -> str:
        key = self.location.key(*parts)
        return key + "/" if key else ""

    def stored(self, collection: str | None = None) -> Iterator[StoredWarc]:
        base = self._dir_prefix()
        for key, size in self.bucket.list(self._dir_prefix(collection or "")):
            parts = key[len(base) :].split("/")
            if len(parts) != 2 or parts[0] == MANIFEST_DIR or not parts[1].endswith(WARC_SUFFIXES):
                continue
            yield StoredWarc(parts[0], parts[1], size, self.location.url(key))

    def locate(self, collection: str, name: str) -> StoredWarc | None:
        """The stored (not spooled) WARC of that name, if the bucket holds it."""
        key = warc_key(self.bucket, collection, name)
        info = self.bucket.head(key)
        if info is None:
            return None
        return StoredWarc(collection, name, info.size, self.location.url(key))

    def list(self, collection: str | None = None) -> Iterator[StoredWarc]:
        """Stored WARCs and those still in the spool; only the spool if the bucket is down."""
        # The spool first: a file leaves it only once it is in the bucket, so listing the
        # bucket second cannot miss a file released in between.
        waiting = {}
        for warc in spooled(self.spool_root, collection):
            try:
                size = warc.path.stat().st_size
            except FileNotFoundError:
                continue
            waiting[(warc.collection, warc.name)] = StoredWarc(
                warc.collection, warc.name, size, str(warc.path)
            )
        try:
            found = {(w.collection, w.name): w for w in self.stored(collection)}
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("S3 endpoint unavailable (%s); listing only spooled WARCs", exc)
            found = {}
        for key, warc in waiting.items():
            found.setdefault(key, warc)
        for key in sorted(found):
            yield found[key]

    def open(self, warc: StoredWarc, start: int = 0) -> BinaryIO:
        return _open_stored(warc, start, lambda: self.bucket)

    def opener(self, warc: StoredWarc) -> Callable[[], BinaryIO]:
        if not self._own_client:
            return functools.partial(self.open, warc)
        return ObjectOpener(warc, self.location, self.transfer, self._client_settings)

    @functools.cached_property
    def _client_settings(self) -> ClientSettings:
        # resolved when first needed, not with the store: boto3 may look for credentials
        # on the network (instance metadata), which every store of a crawl would wait for
        return ClientSettings.of(self.bucket.client)

    def archive_path(self, collection: str) -> str:
        return self.location.url(self._dir_prefix(collection))

    # -- fixity and transfer ------------------------------------------------------------

    def manifest_names(self, collection: str | None = None) -> Iterator[tuple[str, str]]:
        """(collection, name) of every fixity record, without reading the records."""
        base = self._dir_prefix(MANIFEST_DIR)
        prefix = self._dir_prefix(MANIFEST_DIR, collection or "")
        for key, _size in self.bucket.list(prefix):
            parts = key[len(base) :].split("/")
            if len(parts) == 2 and parts[1].endswith(".json"):
                yield parts[0], parts[1].removesuffix(".json")

    def fixity_record(self, collection: str, name: str) -> FixityRecord | None:
        return read_record(self.bucket, collection, name)

    def manifest(self, collection: str | None = None) -> Iterator[FixityRecord]:
        for coll, name in self.manifest_names(collection):
            record = self.fixity_record(coll, name)
            if record is not None:
                yield record

    def download_url(self, warc: StoredWarc, expires: int = 3600) -> str | None:
        return self.bucket.presign(warc_key(self.bucket, warc.collection, warc.name), expires)
