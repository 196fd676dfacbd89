"""Registering, changing and deleting a library's seeds, validated as seed-list rows are.

A seed comes in as a flat seed-list row (``diancang.seeds.raw.FIELDS`` names; from a form,
the API or a file) and is judged by exactly the seed-list code (``build_seed``), then by what
only the registry knows: the seed's jurisdiction lies inside its library's, its URL is not
registered twice by one library, and its seed key (the row's ``id``, else one derived from
the URL) is unique across all libraries. Every error names its field, one error a field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from diancang import jurisdictions
from diancang.accounts.libraries import jurisdiction_label
from diancang.accounts.models import Library
from diancang.jobs.models import ACTIVE, CrawlJob, JobSeed
from diancang.registry.keys import url_key
from diancang.registry.models import RegisteredSeed
from diancang.registry.seed_files import seed_row
from diancang.seeds import fields
from diancang.seeds.build import build_seed
from diancang.seeds.ids import derive_id
from diancang.seeds.raw import FIELDS, RawSeed

REQUIRED = "必填"


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field (None: with the seed as a whole), and where in a file."""

    field: str | None
    message: str
    line: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message}


class SeedRejected(ValueError):
    """A seed not saved, with one error per field at fault."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def row_text(value: Any) -> str:
    """A field's value as a seed-list row holds it: text, as a CSV cell would say it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " ".join(row_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def flat_row(values: Mapping[str, Any]) -> dict[str, str]:
    """The seed-list fields of ``values`` (other keys are left out), as text."""
    return {name: row_text(values.get(name)) for name in FIELDS if name in values}


def raw_seed(row: Mapping[str, str], line: int = 0) -> RawSeed:
    raw = RawSeed(line)
    for name, value in row.items():
        raw.set(name, value, line)
    return raw


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Registry:
    """Saving the seeds of ``library``, against the whole registry.

    With ``preload`` (an import of many rows) every seed key and the library's seeds are read
    once up front; otherwise each check asks the database.
    """

    def __init__(self, db: Session, library: Library, preload: bool = False) -> None:
        self.db, self.library = db, library
        self._key_owner: dict[str, int] = {}  # seed key -> library id
        self._by_url: dict[str, RegisteredSeed | None] = {}  # url key -> the library's seed
        self._complete = preload
        if preload:
            self._key_owner = dict(
                db.execute(select(RegisteredSeed.seed_key, RegisteredSeed.library_id)).all()
            )
            for seed in db.scalars(
                select(RegisteredSeed).where(RegisteredSeed.library_id == library.id)
            ):
                self._by_url[seed.url_key] = seed

    def create(self, raw: RawSeed) -> RegisteredSeed:
        """A new seed of the row ``raw``; SeedRejected when it is wrong or its URL is taken."""
        kwargs, key = self._validate(raw, None)
        explicit = kwargs["id"]
        seed = RegisteredSeed(
            library_id=self.library.id,
            library=self.library,
            seed_key=explicit or self._derived_key(kwargs["url"]),
            created_at=now(),
        )
        self._apply(seed, kwargs, raw, key, new=True)
        self.db.add(seed)
        self._key_owner[seed.seed_key] = self.library.id
        self._by_url[key] = seed
        return seed

    def update(self, seed: RegisteredSeed, raw: RawSeed) -> RegisteredSeed:
        """``seed`` changed to the row ``raw`` (its seed key stays; an empty id keeps it)."""
        if not fields.text(raw.values.get("id")):
            raw.set("id", seed.seed_key, raw.line_of("id"))
        kwargs, key = self._validate(raw, seed)
        old_key = seed.url_key
        self._apply(seed, kwargs, raw, key, new=False)
        if old_key != key:
            self._by_url[old_key] = None
        self._by_url[key] = seed
        return seed

    def registered(self, url: Any) -> RegisteredSeed | None:
        """The library's seed of ``url`` (as compared), if the URL is valid and registered."""
        try:
            return self._seed_of_url(url_key(fields.url(url)))
        except ValueError:
            return None

    def _validate(self, raw: RawSeed, seed: RegisteredSeed | None) -> tuple[dict, str]:
        kwargs, found = build_seed("", raw)
        errors = [FieldError(e.field, _message(e.message), e.line) for e in found]
        failed = {e.field for e in errors}
        key = ""
        if "jurisdiction" not in failed:
            code = fields.jurisdiction(raw.values.get("jurisdiction"))
            if not jurisdictions.contains(self.library.jurisdiction, code):
                errors.append(
                    FieldError(
                        "jurisdiction",
                        f"{jurisdiction_label(code)} 不在{self.library.name}的辖区"
                        f"（{jurisdiction_label(self.library.jurisdiction)}）之内：各馆只采集本辖区内的网站",
                        raw.line_of("jurisdiction"),
                    )
                )
        if "url" not in failed:
            key = url_key(fields.url(raw.values.get("url")))
            other = self._seed_of_url(key)
            if other is not None and other is not seed:
                errors.append(
                    FieldError(
                        "url",
                        f"本馆已登记此网址：#{other.id or '（同一文件）'}「{other.title}」",
                        raw.line_of("url"),
                    )
                )
        if "id" not in failed:
            errors += self._check_id(raw, seed)
        if errors:
            raise SeedRejected(
                sorted(
                    errors,
                    key=lambda e: FIELDS.index(e.field) if e.field in FIELDS else len(FIELDS),
                )
            )
        assert kwargs is not None
        return kwargs, key

    def _check_id(self, raw: RawSeed, seed: RegisteredSeed | None) -> list[FieldError]:
        explicit = fields.text(raw.values.get("id"))
        line = raw.line_of("id")
        if seed is not None:
            if explicit != seed.seed_key:
                message = (
                    f"种子标识登记后不能更改（现为 {seed.seed_key}）：已采集的 WARC 记录以它为名"
                )
                return [FieldError("id", message, line)]
            return []
        if not explicit:
            return []
        owner = self._owner_of_key(explicit)
        if owner is None:
            return []
        whose = "本馆另一种子站点" if owner == self.library.id else "其他图书馆的种子站点"
        return [FieldError("id", f"种子标识 {explicit} 已被{whose}使用", line)]

    def _apply(self, seed: RegisteredSeed, kwargs: dict, raw: RawSeed, key: str, new: bool) -> None:
        schedule_before = (seed.schedule, seed.timezone)
        row = {name: row_text(raw.values.get(name)) for name in FIELDS}
        row["id"] = seed.seed_key
        seed.url, seed.url_key = kwargs["url"], key
        seed.title, seed.jurisdiction = kwargs["title"], kwargs["jurisdiction"]
        seed.collection = kwargs["collection"]
        seed.schedule, seed.timezone = kwargs["schedule"], kwargs["timezone"]
        seed.fields = row
        seed.updated_at = now()
        if new or (seed.schedule, seed.timezone) != schedule_before:
            seed.next_run_at = seed.last_due_at = None  # the scheduler computes them anew

    def _derived_key(self, url: str) -> str:
        base = derive_id(url)
        candidate, n = base, 1
        while self._owner_of_key(candidate) is not None:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _owner_of_key(self, key: str) -> int | None:
        if key not in self._key_owner and not self._complete:
            owner = self.db.scalar(
                select(RegisteredSeed.library_id).where(RegisteredSeed.seed_key == key)
            )
            if owner is None:
                return None
            self._key_owner[key] = owner
        return self._key_owner.get(key)

    def _seed_of_url(self, key: str) -> RegisteredSeed | None:
        if key not in self._by_url and not self._complete:
            self._by_url[key] = self.db.scalar(
                select(RegisteredSeed).where(
                    RegisteredSeed.library_id == self.library.id, RegisteredSeed.url_key == key
                )
            )
        return self._by_url.get(key)


def delete_seed(db: Session, seed: RegisteredSeed) -> None:
    """Delete ``seed``; refused (SeedRejected) while a job crawling it is queued or running.

    Its jobs keep their record of it by seed key; their link to it is cleared here, since
    SQLite does not enforce ON DELETE SET NULL.
    """
    active = db.scalar(
        select(CrawlJob.id)
        .join(JobSeed, JobSeed.job_id == CrawlJob.id)
        .where(JobSeed.seed_id == seed.id, CrawlJob.state.in_(ACTIVE))
        .limit(1)
    )
    if active is not None:
        message = f"采集任务 #{active} 正在排队或运行，不能删除此种子站点；请先停止该任务。"
        raise SeedRejected([FieldError(None, message)])
    db.execute(update(JobSeed).where(JobSeed.seed_id == seed.id).values(seed_id=None))
    db.delete(seed)


def also_registered_by(db: Session, seeds: list[RegisteredSeed]) -> dict[int, list[str]]:
    """For each of ``seeds`` registered by other libraries too, those libraries' names."""
    keys = {seed.url_key for seed in seeds}
    if not keys:
        return {}
    holders: dict[str, list[tuple[int, str]]] = {}
    query = (
        select(RegisteredSeed.url_key, Library.id, Library.name)
        .join(Library, Library.id == RegisteredSeed.library_id)
        .where(RegisteredSeed.url_key.in_(keys))
        .order_by(Library.name)
    )
    for key, library_id, name in db.execute(query):
        holders.setdefault(key, []).append((library_id, name))
    out = {}
    for seed in seeds:
        others = [
            name
            for library_id, name in holders.get(seed.url_key, [])
            if library_id != seed.library_id
        ]
        if others:
            out[seed.id] = others
    return out


def seed_json(
    seed: RegisteredSeed, also: list[str] | None = None, state: str | None = None
) -> dict:
    """The API form of ``seed``: its seed-list row, ``id`` the registry's number, plus
    ``seed_key``, ``library``, ``also_registered_by`` and the scheduler's next run."""
    out: dict[str, Any] = seed_row(seed)
    out.update(
        id=seed.id,
        seed_key=seed.seed_key,
        library=seed.library.name,
        also_registered_by=also or [],
        next_run_at=_iso(seed.next_run_at),
        last_job_id=seed.last_job_id,
        last_job_state=state,
        created_at=_iso(seed.created_at),
        updated_at=_iso(seed.updated_at),
    )
    return out


def _iso(value: datetime | None) -> str | None:
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z") if value else None


def _message(message: str) -> str:
    return REQUIRED if message == "required" else message
