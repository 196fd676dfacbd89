"""The pywb configurations: one collection per collection/jurisdiction, in two views.

The public view reads each collection's access-control file (``diancang.replay.access``);
the staff view (``diancang.replay.staff_front``) serves the same collections without them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from diancang.replay.access import ALLOW, access_file
from diancang.replay.index import CollectionIndexes
from diancang.storage.base import WarcStore

CONFIG_NAME = "config.yaml"


def write_config(
    directory: Path,
    indexes: CollectionIndexes,
    store: WarcStore,
    access_dir: Path | None = None,
    **options,
) -> Path:
    """pywb's config in ``directory``; with ``access_dir``, each collection obeys its file
    there (which must exist when pywb starts); ``options`` are further pywb settings."""
    collections = {}
    for name in indexes.collections():
        collections[name] = {
            "index_paths": str(indexes.index_path(name)),
            "archive_paths": store.archive_path(name),
        }
        if access_dir is not None:
            collections[name]["acl_paths"] = [str(access_file(access_dir, name))]
    config = {
        "collections": collections,
        # without it pywb treats a capture outside a dated rule's dates as not allowed
        "default_access": ALLOW,
        "enable_memento": True,
        "framed_replay": True,
        **options,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path
