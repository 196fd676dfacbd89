"""Where WARCs live: one WARC-store interface; a local directory (default) or S3."""

from __future__ import annotations

from diancang.settings import Settings
from diancang.storage.base import Backlog, StoredWarc, SyncReport, WarcStore
from diancang.storage.local import LocalWarcStore

__all__ = ["Backlog", "StoredWarc", "SyncReport", "WarcStore", "LocalWarcStore", "open_store"]


def open_store(settings: Settings) -> WarcStore:
    """The store named by the settings (``DIANCANG_WARC_STORE``).

    ``s3://BUCKET/PREFIX`` stores WARCs in a bucket, spooled in ``DATA_DIR/spool`` until
    uploaded; the endpoint, region and credentials come from the ``AWS_*`` environment or
    the AWS config files. Anything else is a local directory.
    """
    location = settings.warc_store
    if location.startswith("s3://"):
        from diancang.storage.s3 import S3WarcStore
        from diancang.storage.s3_client import S3Location, TransferOptions

        transfer = TransferOptions.from_settings(settings.s3)
        return S3WarcStore(S3Location.parse(location), settings.spool_dir, transfer)
    return LocalWarcStore(location.removeprefix("file://"))
