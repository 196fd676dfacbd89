"""The pywb configuration: one collection per collection/jurisdiction."""

from __future__ import annotations

from pathlib import Path

import yaml

from diancang.replay.index import CollectionIndexes
from diancang.storage.base import WarcStore


def write_config(directory: Path, indexes: CollectionIndexes, store: WarcStore, **options) -> Path:
    """pywb's ``config.yaml`` in ``directory``; ``options`` are further pywb settings."""
    collections = {
        name: {
            "index_paths": str(indexes.index_path(name)),
            "archive_paths": store.archive_path(name),
        }
        for name in indexes.collections()
    }
    config = {
        "collections": collections,
        "enable_memento": True,
        "framed_replay": True,
        **options,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path
