"""Where WARCs live: one WARC-store interface, a local-directory backend by default."""

from __future__ import annotations

from diancang.settings import Settings
from storage.base import StoredWarc, WarcStore
from storage.local import LocalWarcStore

__all__ = ["StoredWarc", "WarcStore", "LocalWarcStore", "open_store"]


def open_store(settings: Settings) -> WarcStore:
    """The store named by the settings (``DIANCANG_WARC_STORE``)."""
    location = settings.warc_store
    if location.startswith("s3://"):
        raise NotImplementedError(f"S3 WARC store {location!r} is not available yet")
    return LocalWarcStore(location)
