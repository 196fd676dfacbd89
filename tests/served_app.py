"""``diancang serve`` as a subprocess on a free loopback port, for tests of the web app."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from ports import free_port

DIANCANG = Path(sys.executable).with_name("diancang")
START_TIMEOUT = 60  # seconds: gunicorn imports the app once more, on a shared machine
STOP_TIMEOUT = 30  # seconds: gunicorn gives its workers some to finish their requests


class Served:
    """``diancang serve`` on a free loopback port; its output goes to a log file."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(DIANCANG), "serve", "--port", str(self.port)],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while self.get("/")[0] != 200:
            assert self.process.poll() is None, self.output
            assert time.monotonic() < deadline, "diancang serve did not answer\n" + self.output
            time.sleep(0.2)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, url: str, token: str | None = None) -> tuple[int, dict, bytes]:
        url = url if "://" in url else self.base + url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers=headers), timeout=10
            ) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except OSError:
            return 0, {}, b""

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=STOP_TIMEOUT)
