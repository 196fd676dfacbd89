"""Start-up checks that a patched library still has the shape a patch expects."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from importlib.metadata import version


class UpstreamChanged(RuntimeError):
    """A patched library no longer looks as its patch in diancang/upstream/ expects."""


def expect(ok: bool, library: str, patch: str, what: str) -> None:
    """Raise :class:`UpstreamChanged` unless ``ok``; ``patch`` is the fence module's name."""
    if not ok:
        raise UpstreamChanged(
            f"{library} {version(library)} changed: {what}. Revisit the patch in "
            f"diancang/upstream/{patch}.py (docs/upstream.md) before using this version."
        )


def parameters(func: object) -> list[str] | None:
    """The parameter names of ``func``, or None when it is not a function."""
    if not inspect.isfunction(func):
        return None
    return list(inspect.signature(func).parameters)


def is_coroutine_function(func: object, params: list[str]) -> bool:
    return inspect.iscoroutinefunction(func) and parameters(func) == params


def source_hash(*funcs: Callable) -> str:
    """sha256 of the source of ``funcs``: any upstream edit of copied code changes it."""
    digest = hashlib.sha256()
    for func in funcs:
        digest.update(inspect.getsource(func).encode())
    return digest.hexdigest()[:16]
