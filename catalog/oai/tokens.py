"""Keyset resumption tokens: the position is the last (datestamp, id) sent, never an offset,
so records added during a harvest neither shift nor repeat the pages already served."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
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


def decode(token: str, verb: str) -> Position:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position = Position(**data)
        position.after  # noqa: B018 - validates the datestamp
        if not isinstance(position.after_id, int) or not isinstance(position.cursor, int):
            raise TypeError("bad position")
    except (ValueError, TypeError, KeyError, UnicodeError) as exc:
        raise BadToken(f"The resumptionToken {token!r} is invalid") from exc
    if position.verb != verb:
        raise BadToken(f"The resumptionToken was issued for {position.verb}, not {verb}")
    return position
