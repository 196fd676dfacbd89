"""Hand one spooled WARC to the bucket: checksum, upload, verify, record, release.

Every step can be cut off by a kill, and running the hand-off again finishes the job:

1. checksum  the SHA-256 is written beside the spool file before anything leaves it;
             killed before that, it is taken again from the same closed file.
2. upload    single PUT or multipart; a killed multipart upload is aborted on the next
             attempt and the file uploaded again. An object that already matches (size and
             recorded SHA-256) is not uploaded twice.
3. verify    the object is read back and hashed; it must equal the checksum of step 1.
4. record    the fixity record is written (``_manifest/COLLECTION/NAME.json``).
5. release   the spool file is deleted, then its checksum file.

Until step 5 the spool copy exists, so a file is never only in flight. A record that names
a different SHA-256 for the same name is never overwritten.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from diancang.storage.fixity import MANIFEST_DIR, FixityRecord, now_rfc3339, sha256_file
from diancang.storage.s3_objects import Bucket
from diancang.storage.spool import SpooledWarc, claimed, record_checksum, release

log = logging.getLogger(__name__)

SHA256_METADATA = "sha256"


class HandoffError(Exception):
    """This file cannot be stored now; it stays in the spool and the message says why."""


def warc_key(bucket: Bucket, collection: str, name: str) -> str:
    return bucket.location.key(collection, name)


def manifest_key(bucket: Bucket, collection: str, name: str) -> str:
    return bucket.location.key(MANIFEST_DIR, collection, name + ".json")


def read_record(bucket: Bucket, collection: str, name: str) -> FixityRecord | None:
    key = manifest_key(bucket, collection, name)
    data = bucket.get_bytes(key)
    return None if data is None else FixityRecord.from_json(data, bucket.location.url(key))


def hand_off(
    bucket: Bucket, warc: SpooledWarc, progress: Callable[[int], None] | None = None
) -> FixityRecord | None:
    """Store ``warc`` in the bucket and release it; None if another process holds it."""
    with claimed(warc) as fh:
        if fh is None:
            return None
        digest = record_checksum(warc)
        size = os.fstat(fh.fileno()).st_size
        key = warc_key(bucket, warc.collection, warc.name)
        existing = read_record(bucket, warc.collection, warc.name)
        if existing is not None and existing.sha256 != digest:
            raise HandoffError(
                f"{bucket.location.url(key)} is already recorded with sha256 "
                f"{existing.sha256}, the spool copy has {digest}; kept in the spool"
            )
        info = bucket.head(key)
        if info is None or info.size != size or info.metadata.get(SHA256_METADATA) != digest:
            if bucket.abort_uploads(key):
                log.info("%s: aborted an unfinished multipart upload", key)
            bucket.upload(warc.path, key, {SHA256_METADATA: digest}, progress)
        _verify(bucket, key, warc, size, digest)
        record = existing or FixityRecord(warc.collection, warc.name, size, digest, now_rfc3339())
        if existing is None:
            bucket.put_bytes(
                manifest_key(bucket, warc.collection, warc.name),
                record.to_json(),
                "application/json",
            )
        release(warc)
        log.info("%s: stored, verified (sha256 %s), spool copy released", key, digest)
        return record


def _verify(bucket: Bucket, key: str, warc: SpooledWarc, size: int, digest: str) -> None:
    info = bucket.head(key)
    if info is None:
        raise HandoffError(f"{key}: not in the bucket after upload; will upload again")
    stored_digest, stored_size = bucket.sha256(key)
    if stored_size == size and stored_digest == digest:
        return
    local_digest, local_size = sha256_file(warc.path)
    if local_digest != digest:
        raise HandoffError(
            f"{warc.path}: the spool copy changed since it was closed (sha256 {digest} "
            f"recorded, now {local_digest}, {local_size} bytes); kept for inspection"
        )
    raise HandoffError(
        f"{key}: read back {stored_size} bytes with sha256 {stored_digest}, expected "
        f"{size} bytes with {digest}; will upload again"
    )
