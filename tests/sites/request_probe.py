"""A probe of the requests a loopback site answers, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from diancang.demo_portal.serving import PageHandler


class RequestProbe:
    """Watches the requests a demo site answers, for tests and benchmarks.

    It counts, per server address, the requests being answered at the same moment (the
    peak is what a crawler's per-host politeness must keep low), and calls ``on_request``
    for each request under the probe's lock. It wraps :meth:`PageHandler.wait_latency`,
    which every request passes through while it is being answered.
    """

    def __init__(self, on_request: Callable[[PageHandler], None] | None = None) -> None:
        self.lock = threading.Lock()
        self.on_request = on_request
        self._now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()

    @contextmanager
    def installed(self) -> Iterator[RequestProbe]:
        original = PageHandler.wait_latency
        probe = self

        def wait_latency(handler: PageHandler, seconds: float) -> None:
            address, port = handler.server.server_address[:2]
            host = f"{address}:{port}"
            with probe.lock:
                if probe.on_request is not None:
                    probe.on_request(handler)
                probe._now[host] += 1
                probe.peak[host] = max(probe.peak[host], probe._now[host])
            try:
                original(handler, seconds)
            finally:
                with probe.lock:
                    probe._now[host] -= 1

        PageHandler.wait_latency = wait_latency  # type: ignore[method-assign]
        try:
            yield self
        finally:
            PageHandler.wait_latency = original  # type: ignore[method-assign]
