"""Wake Scrapy's engine to ask an idle scheduler again, sooner than its 5 s heartbeat.

Scrapy 2.19's engine asks the scheduler for requests only after a download ends or on a
heartbeat every ``_SLOT_HEARTBEAT_INTERVAL`` (5 s). A shared-frontier worker whose hosts all
wait for their politeness delay, or for another worker's lease to expire, has nothing in
flight: without a wake-up it idles up to 5 s each time. The engine's private
``_slot.nextcall`` is what its own callers schedule. Feature request: docs/upstream.md,
"Scrapy: no public way to wake the engine for an external scheduler".
"""

from __future__ import annotations

import inspect

from scrapy.core.engine import ExecutionEngine, _Slot

from diancang.upstream.shape import expect, parameters


def check() -> None:
    expect(
        parameters(_Slot.__init__) == ["self", "close_if_idle", "nextcall", "scheduler"]
        and "self._slot" in inspect.getsource(ExecutionEngine.__init__),
        "scrapy",
        "scrapy_engine",
        "the engine no longer keeps a _Slot with a nextcall in self._slot",
    )


def wake_engine(engine: ExecutionEngine) -> None:
    """Have the engine ask its scheduler for requests on the next reactor turn."""
    slot = engine._slot
    if slot is not None and slot.closing is None:
        slot.nextcall.schedule()


check()
