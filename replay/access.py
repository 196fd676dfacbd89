"""Access rules of replay (``AccessRule``) written as pywb's own access-control files.

Each pywb collection reads its file ``COLLECTION.aclj`` (``diancang.replay.collections_root``):
lines ``SURT - {"access": …}`` sorted in reverse, the form ``wb-manager acl`` writes. pywb
opens the file on every lookup, so a rewritten file (written aside and renamed into place)
takes effect on the next request, with no reload or restart.

- block: pywb answers 451; exclude: the capture is treated as not archived; allow: carves
  an exception out of a shorter blocked or excluded prefix (pywb applies the longest prefix).
- an embargo for N days after capture is pywb's per-rule ``newer`` condition, which pywb
  checks against each capture's timestamp at request time; an embargo until a date is the
  rule itself, written while the date is ahead and dropped from the files when it passes
  (``diancang replay`` rewrites them every ``REFRESH_SECONDS``).
- a library's rule applies to the collections its registered seeds capture into; a rule of
  no library to every collection. Where both give the same prefix, the rule of every
  collection (an admin's) wins.

Staff replay (``diancang.replay.staff_front``) serves the same collections without these
files. pywb's user-based rules (``"user"`` in a rule, chosen by the ``X-Pywb-ACL-User``
request header) are not used: pywb takes that header from any client, so on the public
origin anyone could claim to be staff.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from pywb.utils.canonicalize import canonicalize
from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.accounts.models import Library
from diancang.pywb_collections import collection_name
from diancang.registry.models import RegisteredSeed
from diancang.replay.collections_root import published, write_access_file
from diancang.replay.models import ACCESS, ACCESS_NAMES, ALLOW, AccessRule

EXACT_SUFFIX = "###"  # pywb's AccessChecker.EXACT_SUFFIX: a rule of exactly that URL
REFRESH_SECONDS = 60.0  # how often ``diancang replay`` rewrites the files (embargo ends)
MAX_EMBARGO_DAYS = 365 * 200
_SCHEMES = ("http", "https")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AccessRuleError(ValueError):
    """A rule that cannot be made; ``message`` says why, in zh-CN for librarians."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RuleInput:
    url_prefix: str
    access: str
    embargo_until: date | None = None
    embargo_days: int | None = None
    library_id: int | None = None
    comment: str | None = None


def parse_prefix(text: str) -> str:
    """An http(s) URL prefix with a host, as given (trimmed)."""
    prefix = (text or "").strip()
    parts = urlsplit(prefix)
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname or " " in prefix:
        raise AccessRuleError(
            f"网址前缀无效：{prefix!r}（应以 http:// 或 https:// 开头并含主机名，"
            "例如 https://www.gov.cn/zhengce/）"
        )
    return prefix


def parse_date(text: str) -> date:
    value = (text or "").strip()
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise AccessRuleError(f"日期无效：{value!r}（应为 YYYY-MM-DD，例如 2027-01-31）") from None


def parse_days(text: str | int) -> int:
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_EMBARGO_DAYS:
        raise AccessRuleError(f"禁阅天数无效：{value!r}（应为 1 到 {MAX_EMBARGO_DAYS} 的整数）")
    return int(value)


def check_rule(rule: RuleInput) -> RuleInput:
    if rule.access not in ACCESS:
        raise AccessRuleError(f"访问方式无效：{rule.access!r}（应为 {'、'.join(ACCESS)} 之一）")
    if rule.embargo_until and rule.embargo_days:
        raise AccessRuleError("禁阅期只能是截止日期或采集后天数之一，不能同时指定")
    if rule.access == ALLOW and (rule.embargo_until or rule.embargo_days):
        raise AccessRuleError("「允许」规则不能带禁阅期：禁阅期只用于屏蔽或排除")
    parse_prefix(rule.url_prefix)
    return rule


def add_rule(session: Session, rule: RuleInput, created_by: int | None) -> AccessRule:
    """Store ``rule`` (checked); the caller commits and then calls ``write_access_files``."""
    check_rule(rule)
    if rule.library_id is not None and session.get(Library, rule.library_id) is None:
        raise AccessRuleError(f"没有编号为 {rule.library_id} 的图书馆")
    same = session.scalars(
        select(AccessRule).where(
            AccessRule.url_prefix == rule.url_prefix,
            AccessRule.library_id.is_(None)
            if rule.library_id is None
            else AccessRule.library_id == rule.library_id,
        )
    ).first()
    if same is not None:
        raise AccessRuleError(f"该范围内已有同一网址前缀的规则（#{same.id}），请先删除它")
    row = AccessRule(
        url_prefix=rule.url_prefix,
        access=rule.access,
        embargo_until=rule.embargo_until,
        embargo_days=rule.embargo_days,
        library_id=rule.library_id,
        comment=(rule.comment or "").strip() or None,
        created_by=created_by,
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )
    session.add(row)
    session.flush()
    return row


def rule_words(rule: AccessRule) -> str:
    """How a rule reads to librarians: 屏蔽, 屏蔽（至 2027-01-31）, 排除（采集后 30 天）."""
    words = ACCESS_NAMES[rule.access]
    if rule.embargo_until:
        return f"{words}（至 {rule.embargo_until.isoformat()}）"
    if rule.embargo_days:
        return f"{words}（采集后 {rule.embargo_days} 天）"
    return words


def in_force(rule: AccessRule, today: date) -> bool:
    """An embargo until a date ends on that date."""
    return rule.embargo_until is None or today < rule.embargo_until


def acl_keys(url_prefix: str) -> list[str]:
    """pywb's keys of a prefix. pywb's SURT drops a trailing slash (``…/news/`` is
    ``…)/news``, which would also match ``/newsletter``), so a prefix ending in ``/`` is that
    SURT plus ``/`` for what lies below, and an exact rule of the directory page itself."""
    key = canonicalize(url_prefix)
    if url_prefix.endswith("/") and not key.endswith("/"):
        return [key + "/", key + EXACT_SUFFIX]
    return [key]


def acl_fields(rule: AccessRule) -> dict:
    fields: dict = {"access": rule.access, "url": rule.url_prefix, "rule": rule.id}
    if rule.embargo_days:
        fields["newer"] = {"days": rule.embargo_days}  # pywb: captures newer than that
    return fields


def library_collections(session: Session) -> dict[int, set[str]]:
    """The pywb collections each library's registered seeds capture into."""
    found: dict[int, set[str]] = {}
    rows = session.execute(
        select(
            RegisteredSeed.library_id, RegisteredSeed.collection, RegisteredSeed.jurisdiction
        ).distinct()
    )
    for library_id, collection, jurisdiction in rows:
        found.setdefault(library_id, set()).add(collection_name(collection, jurisdiction))
    return found


def collection_libraries(session: Session, name: str) -> set[int]:
    return {lib for lib, names in library_collections(session).items() if name in names}


def acl_lines(session: Session, collection: str, today: date) -> list[str]:
    """The sorted lines of ``collection``'s access-control file."""
    owners = collection_libraries(session, collection)
    rules = session.scalars(select(AccessRule).order_by(AccessRule.id)).all()
    by_key: dict[str, str] = {}
    # library rules first, so that a rule of every collection replaces one of the same key
    for rule in sorted(rules, key=lambda r: r.library_id is None):
        if (rule.library_id is not None and rule.library_id not in owners) or not in_force(
            rule, today
        ):
            continue
        fields = json.dumps(acl_fields(rule), ensure_ascii=False, sort_keys=True)
        for key in acl_keys(rule.url_prefix):
            by_key[key] = f"{key} - {fields}\n"
    return sorted(by_key.values(), reverse=True)  # pywb searches them in reverse order


def ensure_access_files(root: Path, index_dir: Path, collections: list[str]) -> None:
    """Serve each of ``collections`` not yet served with no rules (before pywb starts)."""
    for name in set(collections) - published(root):
        write_access_file(root, index_dir, name, "")


def write_access_files(
    session: Session,
    root: Path,
    collections: list[str],
    today: date | None = None,
    *,
    index_dir: Path,
) -> None:
    """(Re)write the access file of every collection, each replaced whole; a collection not
    yet served is served from then on."""
    today = today or datetime.now(UTC).date()
    for name in collections:
        write_access_file(root, index_dir, name, "".join(acl_lines(session, name, today)))
