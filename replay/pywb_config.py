"""The pywb configurations.

Replay serves, in two views, every collection of its collections root (pywb's auto
collections, ``diancang.replay.collections_root``), so a collection made after it started
is served too. The public view obeys each collection's access-control file
(``diancang.replay.access``); the staff view (``diancang.replay.staff_front``) serves the same
collections without them. QA's own pywb serves a fixed list of collections.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from diancang.replay.collections_root import ACL_DIR, INDEX_LINK
from diancang.replay.index import CollectionIndexes
from diancang.replay.models import ALLOW
from diancang.storage.base import WarcStore

CONFIG_NAME = "config.yaml"
NO_RULES = "no-rules"  # the staff view's access files: a directory that is never made


def write_config(directory: Path, indexes: CollectionIndexes, store: WarcStore, **options) -> Path:
    """pywb's config in ``directory`` serving the collections of ``indexes`` as they are now,
    with no access rules; ``options`` are further pywb settings."""
    collections = {
        name: {
            "index_paths": str(indexes.index_path(name)),
            "archive_paths": store.archive_path(name),
        }
        for name in indexes.collections()
    }
    return _write(directory, {"collections": collections, **options})


def write_root_config(directory: Path, root: Path, store: WarcStore, rules: bool) -> Path:
    """pywb's config in ``directory`` serving every collection ``root`` holds, now or later;
    with ``rules``, each obeys its access file."""
    return _write(
        directory,
        {
            "collections_root": str(root.resolve()),
            "index_paths": INDEX_LINK,
            "acl_paths": ACL_DIR if rules else str((directory / NO_RULES).resolve()),
            # pywb puts each request's collection in place of "{coll}"
            "archive_paths": store.archive_path("{coll}"),
        },
    )


def _write(directory: Path, config: dict) -> Path:
    config = {
        # without it pywb treats a capture outside a dated rule's dates as not allowed
        "default_access": ALLOW,
        "enable_memento": True,
        "framed_replay": True,
        **config,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path
