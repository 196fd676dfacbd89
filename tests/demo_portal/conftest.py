from __future__ import annotations

from collections.abc import Iterator

import pytest
from sites.hostile import HostileServer


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer(drip_interval=0.5) as running:
        yield running
