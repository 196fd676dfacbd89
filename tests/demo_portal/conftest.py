from __future__ import annotations

from collections.abc import Iterator

import pytest
from diancang.demo_portal.server import DemoPortal
from sites.hostile import HostileServer


@pytest.fixture(scope="session")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as running:
        yield running


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer(drip_interval=0.5) as running:
        yield running
