"""OAI sets: ``collection:NAME``, ``jurisdiction:CODE`` (province, city or county level) and
``type:govinfo|website``, each under its parent set (``collection``, ``jurisdiction``, ``type``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from diancang import jurisdictions
from diancang.catalog.jurisdiction import set_level
from diancang.catalog.models import Record

TOP_SETS = {
    "collection": "Collections (网事典藏, 政府信息公开…)",
    "jurisdiction": "Jurisdictions (GB/T 2260 行政区划)",
    "type": "Record types",
}
TYPE_NAMES = {
    "govinfo": "Government information (政府信息公开)",
    "website": "Website captures (网事典藏)",
}


class UnknownSet(ValueError):
    pass


def set_filter(spec: str) -> ColumnElement[bool]:
    """The WHERE clause of a setSpec; UnknownSet when it names no possible set."""
    top, _, value = spec.partition(":")
    if top not in TOP_SETS or (value and ":" in value):
        raise UnknownSet(spec)
    if top == "collection":
        return Record.collection == value if value else Record.collection.is_not(None)
    if top == "type":
        if value and value not in TYPE_NAMES:
            raise UnknownSet(spec)
        return Record.kind == value if value else true()
    if not value:
        return Record.jurisdiction_code.is_not(None)
    if not (len(value) == 6 and value.isdigit()):
        raise UnknownSet(spec)
    level = set_level(value)
    column = {"province": Record.province_code, "city": Record.city_code}.get(
        level, Record.jurisdiction_code
    )
    return column == value


def record_sets(record: Record) -> list[str]:
    specs = []
    if record.collection:
        specs.append(f"collection:{record.collection}")
    for code in (record.province_code, record.city_code, record.jurisdiction_code):
        spec = f"jurisdiction:{code}"
        if code and spec not in specs:
            specs.append(spec)
    specs.append(f"type:{record.kind}")
    return specs


def all_sets(session: Session, served: Iterable[ColumnElement[bool]] = ()) -> list[tuple[str, str]]:
    """(setSpec, setName) of every set that has records (of those ``served`` selects),
    parents first."""
    served = list(served)
    kinds = sorted(session.scalars(select(Record.kind).where(*served).distinct()))
    if not kinds:
        return []
    sets = [(top, name) for top, name in TOP_SETS.items()]
    for name in sorted(
        filter(None, session.scalars(select(Record.collection).where(*served).distinct()))
    ):
        sets.append((f"collection:{name}", name))
    codes: set[str] = set()
    for column in (Record.province_code, Record.city_code, Record.jurisdiction_code):
        codes.update(filter(None, session.scalars(select(column).where(*served).distinct())))
    for code in sorted(codes):
        sets.append((f"jurisdiction:{code}", jurisdictions.full_name(code) or code))
    sets += [(f"type:{kind}", TYPE_NAMES.get(kind, kind)) for kind in kinds]
    return sets
