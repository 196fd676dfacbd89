"""What ``diancang demo`` registers in the data directory's catalogue before it crawls: a
demo provincial library (重庆, 500000), an admin whose password is generated anew on every
run (never stored anywhere but as its hash), and the demo portal as a registered seed of
that library. Running the demo again updates these rows instead of adding more.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.accounts.libraries import add_library, find_library
from diancang.accounts.models import ADMIN, PROVINCE
from diancang.accounts.passwords import hash_password
from diancang.accounts.users import add_user, find_user
from diancang.registry.models import RegisteredSeed
from diancang.registry.service import Registry, raw_seed
from diancang.seeds.raw import FIELDS
from diancang.seeds.schema import DEFAULT_TIMEZONE

DEMO_LIBRARY = "重庆图书馆（演示）"
DEMO_JURISDICTION = "500000"
DEMO_ADMIN = "demo-admin"
DEMO_SEED_KEY = "demo"
DEMO_TITLE = "重庆市人民政府（演示）"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str  # shown once, on the terminal that started the demo
    library_id: int
    seed_id: int


def demo_seed_fields(portal) -> dict[str, str]:
    """The seed-list row of the running demo portal: its www host, the files host allowed
    for attachments."""
    files_host = portal.files_url.split("//", 1)[1].rstrip("/")
    row = dict.fromkeys(FIELDS, "")
    row.update(
        id=DEMO_SEED_KEY,
        url=portal.base_url,
        title=DEMO_TITLE,
        jurisdiction=DEMO_JURISDICTION,
        collection="govinfo",
        requisite_hosts=files_host,
        timezone=DEFAULT_TIMEZONE,
    )
    return row


def register_demo(db: Session, portal) -> DemoAccount:
    """The demo library, its admin with a new random password, the portal as its seed."""
    library = find_library(db, DEMO_LIBRARY) or add_library(
        db, DEMO_LIBRARY, PROVINCE, DEMO_JURISDICTION
    )
    password = secrets.token_urlsafe(12)
    admin = find_user(db, DEMO_ADMIN)
    if admin is None:
        admin = add_user(db, DEMO_ADMIN, ADMIN, password)
    else:
        admin.password_hash, admin.active = hash_password(password), True
    seed = _register_seed(db, library, demo_seed_fields(portal))
    db.flush()
    return DemoAccount(DEMO_ADMIN, password, library.id, seed.id)


def _register_seed(db: Session, library, fields: dict[str, str]) -> RegisteredSeed:
    """The demo seed, its URL that of this run's portal (a new loopback port every run)."""
    registry = Registry(db, library)
    seed = db.scalar(select(RegisteredSeed).where(RegisteredSeed.seed_key == DEMO_SEED_KEY))
    if seed is None:
        return registry.create(raw_seed(fields))
    return registry.update(seed, raw_seed(fields))
