"""Run pywb's `wayback` in its own process for a test, and fetch from it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ports import free_port

from diancang.replay.server import prepare, wayback_command
from diancang.settings import load_settings


class Pywb:
    """``wayback`` serving ``directory`` (its ``config.yaml``, or a ``collections/`` tree)."""

    def __init__(self, directory: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log_path = directory / "wayback.log"
        env = {**os.environ, **(env or {})}
        if (directory / "config.yaml").exists():
            env["PYWB_CONFIG_FILE"] = str(directory / "config.yaml")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                wayback_command(self.port, "127.0.0.1"),
                cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"wayback exited; see {self.log_path}")
            try:
                urllib.request.urlopen(self.base, timeout=2).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.2)

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Pywb:
        """pywb over the collections of a crawl's data directory, indexed as ``diancang replay``
        does; ``collections`` lists them."""
        settings = load_settings({**os.environ, "DIANCANG_DATA_DIR": str(data_dir)})
        directory, collections = prepare(settings)
        server = cls(directory)
        server.collections = collections
        return server

    def get(self, path: str) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@contextmanager
def wayback(directory: Path, env: dict[str, str]) -> Iterator[str]:
    """Serve ``directory`` for the ``with`` block; yield its URL (no trailing slash)."""
    server = Pywb(directory, env)
    try:
        yield server.base.rstrip("/")
    finally:
        server.stop()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@dataclass
class Replay:
    """A running ``diancang replay``: its public and staff bases (ending in "/") and env."""

    public: str
    staff: str
    env: dict[str, str]


@contextmanager
def served_replay(data_dir: Path, secret: str, log: Path) -> Iterator[Replay]:
    """``diancang replay`` over ``data_dir`` (public and staff, on free ports), staff passes
    signed with ``secret``, for the ``with`` block; its output in ``log``."""
    port, staff_port = free_port(), free_port()
    public, staff = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{staff_port}/"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env |= {
        "DIANCANG_DATA_DIR": str(data_dir),
        "DIANCANG_SECRET_KEY": secret,
        "DIANCANG_REPLAY_URL": public,
        "DIANCANG_STAFF_REPLAY_URL": staff,
    }
    command = [str(Path(sys.executable).with_name("diancang")), "replay",
               "--port", str(port), "--staff-port", str(staff_port)]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        for base in (public, staff):
            while not _answers(base):
                assert process.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, f"{base} did not answer"
                time.sleep(0.2)
        yield Replay(public, staff, env)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        get(url)
    except OSError:
        return False
    return True
