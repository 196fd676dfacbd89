"""Run pywb's ``wayback`` server in its own process (it monkey-patches with gevent)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from diancang.child_processes import ChildProcesses, script
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
    return [script("wayback"), "--port", str(port), "--bind", host]


def start_wayback(
    children: ChildProcesses, settings: Settings, port: int, host: str = "127.0.0.1"
) -> subprocess.Popen:
    """Index, configure and start ``wayback`` as one of ``children`` (it stops with them)."""
    directory, _ = prepare(settings)
    env = {**os.environ, "PYWB_CONFIG_FILE": str(directory / "config.yaml")}
    return children.start(wayback_command(port, host), cwd=directory, env=env)
