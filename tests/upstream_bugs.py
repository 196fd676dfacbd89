"""Helpers for tests/upstream/: each test shows an upstream bug a patch works around."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

from diancang.upstream.shape import UpstreamChanged


def fresh_python(script: str, *args: str, timeout: float = 120) -> str:
    """Run ``script`` in a new interpreter, where no Diancang patch is installed; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def still_broken(bug_seen: bool, what: str, patch: str) -> None:
    """Pass while the upstream bug is there; once an upgrade fixes it, say what to remove."""
    if not bug_seen:
        pytest.fail(f"upstream fixed {what}: remove the patch in diancang/upstream/{patch}.py")


def assert_shape_error(check, library: str, patch: str) -> None:
    """``check()`` refuses the changed shape, naming the library version and the patch."""
    with pytest.raises(UpstreamChanged) as caught:
        check()
    message = str(caught.value)
    assert f"{library} {version(library)} changed" in message
    assert f"diancang/upstream/{patch}.py" in message
