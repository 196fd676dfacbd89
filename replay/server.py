"""Run pywb in processes of their own (it monkey-patches with gevent): the public
``wayback``, where access rules apply, and the staff front, where they are lifted for
signed-in curators (``diancang.replay.staff_front``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from diancang.child_processes import ChildProcesses, script
from diancang.replay.access import ensure_access_files, write_access_files
from diancang.replay.collections_root import published
from diancang.replay.index import CollectionIndexes
from diancang.replay.pywb_config import CONFIG_NAME, write_root_config
from diancang.settings import Settings
from diancang.storage import open_store

STAFF_DIR = "staff"  # under the public config's directory: the staff view's config


def collections_root(settings: Settings) -> Path:
    return settings.data_dir / "replay" / "collections"


def prepare(settings: Settings) -> tuple[Path, list[str]]:
    """Index new WARCs and write pywb's configs (public, and staff in ``STAFF_DIR``);
    return the public one's directory and the collections."""
    store = open_store(settings)
    indexes = CollectionIndexes(settings.index_dir)
    indexes.update(store)
    directory = settings.data_dir / "replay"
    collections = indexes.collections()
    root = collections_root(settings)
    ensure_access_files(root, settings.index_dir, collections)
    write_root_config(directory, root, store, rules=True)
    write_root_config(directory / STAFF_DIR, root, store, rules=False)
    return directory, collections


def refresh_access(settings: Settings, catalog) -> None:
    """Rewrite every collection's access file from the rules in ``catalog``: after a rule
    changes, and as embargo dates pass; a collection indexed since is served from then on.
    pywb reads the files anew on every request."""
    collections = CollectionIndexes(settings.index_dir).collections()
    with catalog.session() as session:
        write_access_files(
            session, collections_root(settings), collections, index_dir=settings.index_dir
        )


def unserved(settings: Settings) -> set[str]:
    """Collections indexed but not served yet (``refresh_access`` serves them)."""
    indexed = set(CollectionIndexes(settings.index_dir).collections())
    return indexed - published(collections_root(settings))


def wayback_command(port: int, host: str) -> list[str]:
    return [script("wayback"), "--port", str(port), "--bind", host]


def staff_front_command(port: int, host: str, config: Path) -> list[str]:
    return [sys.executable, "-m", "diancang.replay.staff_front",
            "--port", str(port), "--bind", host, "--config", str(config)]  # fmt: skip


def start_replay(
    children: ChildProcesses,
    settings: Settings,
    catalog,
    port: int,
    staff_port: int,
    host: str = "127.0.0.1",
) -> tuple[subprocess.Popen, subprocess.Popen]:
    """The public ``wayback``, with the rules of ``catalog`` written before it starts, and
    the staff front."""
    directory, _ = prepare(settings)
    refresh_access(settings, catalog)
    public = _start_public(children, directory, port, host)
    staff_dir = directory / STAFF_DIR
    command = staff_front_command(staff_port, host, staff_dir / CONFIG_NAME)
    return public, children.start(command, cwd=staff_dir)


def _start_public(
    children: ChildProcesses, directory: Path, port: int, host: str
) -> subprocess.Popen:
    env = {**os.environ, "PYWB_CONFIG_FILE": str(directory / CONFIG_NAME)}
    return children.start(wayback_command(port, host), cwd=directory, env=env)
