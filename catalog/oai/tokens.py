"""Keyset resumption tokens: the position is the last (datestamp, id) sent, never an offset,
so records added during a harvest neither shift nor repeat the pages already served."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime


class BadToken(ValueError):
    pass


@dataclass(frozen=True)
class Position:
    verb: str
    prefix: str
    set_spec: str | None
    from_: str | None
    until: str | None
    after_datestamp: str  # ISO with microseconds
    after_id: int
    cursor: int

    @property
    def after(self) -> tuple[datetime, int]:
        return datetime.fromisoformat(self.after_datestamp), self.after_id


def encode(position: Position) -> str:
    data = json.dumps(asdict(position), separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# Record ids are a 32-bit INTEGER column on PostgreSQL; a position beyond it is forged.
MAX_ID = 2**31 - 1
_TEXT_FIELDS = {"verb": False, "prefix": False, "set_spec": True, "from_": True, "until": True}


def _check_types(data: object) -> Position:
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(Position)}:
        raise TypeError("not the fields of a position")
    for name, optional in _TEXT_FIELDS.items():
        value = data[name]
        if not (isinstance(value, str) or (optional and value is None)):
            raise TypeError(f"{name} is not text")
    for name in ("after_id", "cursor"):
        value = data[name]
        if type(value) is not int or not 0 <= value <= MAX_ID:
            raise TypeError(f"{name} is not a record number")
    if not isinstance(data["after_datestamp"], str):
        raise TypeError("after_datestamp is not text")
    position = Position(**data)
    if position.after[0].tzinfo is not None:
        raise ValueError("after_datestamp has a time zone")
    return position


def decode(token: str, verb: str) -> Position:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position = _check_types(data)
    except (ValueError, TypeError, UnicodeError, RecursionError) as exc:
        raise BadToken(f"The resumptionToken {token!r} is invalid") from exc
    if position.verb != verb:
        raise BadToken(f"The resumptionToken was issued for {position.verb!r}, not {verb}")
    return position
