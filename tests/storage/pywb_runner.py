"""Run pywb's `wayback` in its own process for a test, and fetch from it."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cli_runner import BIN
from seaweedfs_server import free_port


@contextmanager
def wayback(directory: Path, env: dict[str, str]) -> Iterator[str]:
    """Serve ``directory`` (its ``config.yaml``, or a ``collections/`` tree); yield the URL."""
    port = free_port()
    env = {**os.environ, **env}
    if (directory / "config.yaml").exists():
        env["PYWB_CONFIG_FILE"] = str(directory / "config.yaml")
    log = (directory / "wayback.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "wayback"), "--port", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"wayback exited; see {directory / 'wayback.log'}")
            try:
                urllib.request.urlopen(url + "/", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
