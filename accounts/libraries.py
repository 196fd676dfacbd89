"""Registering libraries: level, GB/T 2260 jurisdiction and the parent that supervises them.

A provincial library has no parent. A city library's parent is the provincial library whose
jurisdiction contains the city's; a county library's is the city or provincial library
whose jurisdiction contains the county's. A library's jurisdiction is a division of its own
level, never one of the standard's grouping rows (市辖区, 县…).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang import jurisdictions
from diancang.accounts.errors import AccountError
from diancang.accounts.models import (
    CITY,
    COUNTY,
    LEVEL_NAMES,
    LEVELS,
    PROVINCE,
    RECORDS_TARGETS,
    WEBSITES_TARGET,
    Library,
)

PARENT_LEVELS = {PROVINCE: (), CITY: (PROVINCE,), COUNTY: (CITY, PROVINCE)}
MAX_NAME = 128
MAX_TARGET = 10_000_000


def find_library(session: Session, name: str) -> Library | None:
    return session.scalar(select(Library).where(Library.name == name.strip()))


def list_libraries(session: Session) -> list[Library]:
    return list(session.scalars(select(Library).order_by(Library.jurisdiction, Library.name)))


def jurisdiction_label(code: str) -> str:
    """``130100 河北省石家庄市``, or the code alone when the table does not know it."""
    name = jurisdictions.full_name(code)
    return f"{code} {name}" if name else code


def add_library(
    session: Session,
    name: str,
    level: str,
    jurisdiction: str,
    parent: str | None = None,
    records_target: int | None = None,
) -> Library:
    """Register a library; an ``AccountError`` names the first input at fault."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise AccountError(
            "name",
            f"a library name has 1 to {MAX_NAME} characters",
            f"馆名应为 1 至 {MAX_NAME} 个字符",
        )
    if find_library(session, name) is not None:
        raise AccountError("name", f"a library named {name!r} exists", f"已有名为“{name}”的图书馆")
    if level not in LEVELS:
        raise AccountError(
            "level",
            f"unknown level {level!r}; expected one of {', '.join(LEVELS)}",
            "级别应为省级、市级或县级",
        )
    code = _jurisdiction_of_level(jurisdiction, level)
    parent_library = _parent_for(session, level, code, parent)
    library = Library(
        name=name,
        level=level,
        jurisdiction=code,
        parent=parent_library,
        records_target=RECORDS_TARGETS[level],
        websites_target=WEBSITES_TARGET,
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )
    if records_target is not None:
        set_targets(library, records_target=records_target)
    session.add(library)
    session.flush()
    return library


def set_targets(
    library: Library, records_target: int | None = None, websites_target: int | None = None
) -> None:
    """Change a library's yearly targets (records catalogued, websites preserved)."""
    for field, value in (("records_target", records_target), ("websites_target", websites_target)):
        if value is None:
            continue
        if not 0 <= value <= MAX_TARGET:
            raise AccountError(
                field, f"a target is 0 to {MAX_TARGET:,}", f"年度目标应在 0 至 {MAX_TARGET} 之间"
            )
        setattr(library, field, value)


def _jurisdiction_of_level(text: str, level: str) -> str:
    code = str(text).strip()
    division = jurisdictions.lookup(code)
    if division is None:
        raise AccountError(
            "jurisdiction",
            f"{code!r} is not a GB/T 2260 code (six digits, e.g. 130100)",
            f"“{code}”不是 GB/T 2260 行政区划代码",
        )
    if division.name in jurisdictions.PLACEHOLDER_NAMES:
        raise AccountError(
            "jurisdiction",
            f"{code} {division.name} groups divisions and is no jurisdiction of its own; "
            "choose the province or one of its districts or counties",
            f"{code} {division.name}是统计分组，不是行政区划，请选择省或所辖区县",
        )
    if division.level != level:
        raise AccountError(
            "jurisdiction",
            f"{jurisdiction_label(code)} is a {division.level}-level division, "
            f"not a {level}-level one",
            f"{jurisdiction_label(code)}是{LEVEL_NAMES[division.level]}行政区划，"
            f"与{LEVEL_NAMES[level]}图书馆不符",
        )
    return code


def _parent_for(session: Session, level: str, code: str, parent: str | None) -> Library | None:
    allowed = PARENT_LEVELS[level]
    if not allowed:
        if parent:
            raise AccountError(
                "parent", "a provincial library has no parent", "省级图书馆没有上级图书馆"
            )
        return None
    if not parent:
        raise AccountError(
            "parent",
            f"a {level} library needs its parent library "
            f"({' or '.join(allowed)}) whose jurisdiction contains {jurisdiction_label(code)}",
            f"{LEVEL_NAMES[level]}图书馆需要填写上级图书馆",
        )
    library = find_library(session, parent)
    if library is None:
        raise AccountError(
            "parent", f"no library is named {parent!r}", f"没有名为“{parent}”的图书馆"
        )
    if library.level not in allowed:
        raise AccountError(
            "parent",
            f"{library.name} is a {library.level} library; a {level} library's parent is "
            f"a {' or '.join(allowed)} library",
            f"{library.name}是{LEVEL_NAMES[library.level]}图书馆，不能作为"
            f"{LEVEL_NAMES[level]}图书馆的上级",
        )
    if not jurisdictions.contains(library.jurisdiction, code):
        raise AccountError(
            "parent",
            f"{library.name} collects {jurisdiction_label(library.jurisdiction)}, "
            f"which does not contain {jurisdiction_label(code)}",
            f"{library.name}的辖区{jurisdiction_label(library.jurisdiction)}"
            f"不包含{jurisdiction_label(code)}",
        )
    return library
