"""Values and names as error messages show them: bounded, so that a huge or deeply nested
value (a 10 MB cell, a YAML alias bomb) cannot make a huge message."""

from __future__ import annotations

import reprlib
from typing import Any

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 80
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6
_REPR.maxlevel = 3
_NAME_LENGTH = 60


def shown(value: Any) -> str:
    """repr() of the value, cut to about 80 characters a string and 3 levels of nesting."""
    return _REPR.repr(value)


def name(text: str) -> str:
    """A key or column name as written when short and printable, else its bounded repr."""
    return text if len(text) <= _NAME_LENGTH and text.isprintable() else shown(text)


def clip(text: str, limit: int = 200) -> str:
    """Another library's message on one line, at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
