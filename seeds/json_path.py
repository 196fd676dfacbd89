"""A small path language for values inside JSON, as a seed's listing names its item URLs.

Names joined by ``.``; ``[]`` after a name (or alone, first) for each item of an array:
``data.list[].url``, ``[].href``, ``result.urls[]``, ``rows[][].link``. A step that does
not fit the document (a name on a list, ``[]`` on an object) yields nothing for that
branch, as a missing key does.
"""

from __future__ import annotations

import re
from typing import Any

_STEP = re.compile(r"^([^.\[\]\s]*)((?:\[\])*)$")
MAX_STEPS = 32

Steps = tuple[tuple[str, int], ...]  # (name or "", number of "[]")


def parse(path: str) -> Steps:
    """The steps of ``path``; ValueError names what is wrong with it."""
    parts = path.split(".")
    if len(parts) > MAX_STEPS:
        raise ValueError(f"more than {MAX_STEPS} steps")
    steps = []
    for part in parts:
        match = _STEP.match(part)
        if not match or not part:
            raise ValueError(
                "not a JSON path (names joined by '.', '[]' for each item of an array, "
                "e.g. data.list[].url)"
            )
        steps.append((match.group(1), match.group(2).count("[]")))
    return tuple(steps)


def values(document: Any, steps: Steps, limit: int) -> tuple[list[Any], bool]:
    """The values at ``steps`` in ``document``: at most ``limit``, and whether more were cut.

    Every intermediate list holds values of the document itself, so the work is bounded by
    the document's size."""
    current = [document]
    for name, arrays in steps:
        found: list[Any] = []
        for value in current:
            if name:
                if not isinstance(value, dict) or name not in value:
                    continue
                value = value[name]
            branch = [value]
            for _ in range(arrays):
                branch = [item for array in branch if isinstance(array, list) for item in array]
            found.extend(branch)
        current = found
    return current[:limit], len(current) > limit
