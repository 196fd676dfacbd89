"""Run pywb's ``wayback`` server in its own process (it monkey-patches with gevent)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from diancang.replay.index import CollectionIndexes
from diancang.replay.pywb_config import write_config
from diancang.settings import Settings
from diancang.storage import open_store


def prepare(settings: Settings) -> tuple[Path, list[str]]:
    """Index new WARCs and write pywb's config; return its directory and the collections."""
    store = open_store(settings)
    indexes = CollectionIndexes(settings.index_dir)
    indexes.update(store)
    directory = settings.data_dir / "replay"
    write_config(directory, indexes, store)
    return directory, indexes.collections()


def wayback_command(port: int, host: str) -> list[str]:
    wayback = shutil.which("wayback", path=str(Path(sys.executable).parent)) or "wayback"
    return [wayback, "--port", str(port), "--bind", host]


def start_wayback(settings: Settings, port: int, host: str = "127.0.0.1") -> subprocess.Popen:
    directory, _ = prepare(settings)
    env = {**os.environ, "PYWB_CONFIG_FILE": str(directory / "config.yaml")}
    return subprocess.Popen(wayback_command(port, host), cwd=directory, env=env)
