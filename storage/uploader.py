"""A background thread that keeps handing spooled files to the bucket.

It runs a sync pass whenever a file is committed; while files wait (endpoint down, or a
file failed verification) it retries with exponential backoff, so spooled files go out on
their own once the endpoint is back. Stopping it runs one last pass and returns.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from diancang.storage.base import SyncReport

log = logging.getLogger(__name__)

IDLE_RESCAN = 60.0  # seconds between passes when nothing is known to wait


class BackgroundUploader:
    def __init__(
        self,
        sync: Callable[[], SyncReport],
        min_delay: float = 1.0,
        max_delay: float = 60.0,
    ):
        self._sync = sync
        self._min_delay = min_delay
        self._max_delay = max_delay
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="diancang-s3-upload", daemon=True)
        self.last_report: SyncReport | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Run one last pass (uploading what it can) and end the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _pass(self) -> SyncReport:
        try:
            report = self._sync()
        except Exception:  # never let the thread die: files stay in the spool
            log.exception("S3 upload pass failed; files stay in the spool")
            report = SyncReport(waiting={"*": "upload pass failed"})
        self.last_report = report
        return report

    def _run(self) -> None:
        delay = self._min_delay
        while True:
            self._wake.clear()
            report = self._pass()
            if self._stop.is_set():
                return
            if report.waiting:
                why = "endpoint unavailable" if report.endpoint_down else "not yet stored"
                wait = delay * random.uniform(1.0, 1.25)
                log.warning(
                    "%d spooled WARC files %s; next attempt in %.1f s",
                    len(report.waiting),
                    why,
                    wait,
                )
                self._stop.wait(wait)
                delay = min(delay * 2, self._max_delay)
            else:
                delay = self._min_delay
                self._wake.wait(IDLE_RESCAN)
