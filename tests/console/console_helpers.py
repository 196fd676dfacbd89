"""Helpers of the web-app tests (a module of its own: test modules never import conftest)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from diancang.accounts.models import User
from diancang.accounts.tokens import issue_token

COLLECTION = "govinfo-500000"
WARC_NAME = "govinfo-500000-20261120080000000001-00000-h.warc.gz"


@dataclass(frozen=True)
class Tokens:
    harvester: str
    curator: str

    @property
    def env_value(self) -> str:
        """DIANCANG_API_TOKENS: roles with the SHA-256 of each token."""
        return ",".join(
            f"{role}:{hashlib.sha256(token.encode()).hexdigest()}"
            for role, token in (("harvester", self.harvester), ("curator", self.curator))
        )

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


PASSWORD = "长城-great-wall-2026"


def add_accounts(database_url: str) -> None:
    """Libraries of two provinces and one account of every role, all with ``PASSWORD``:

    河北省图书馆 (province) → 石家庄市图书馆 (city) → 正定县图书馆 (county), 辽宁省图书馆;
    users admin, hebei-auditor, sjz-librarian, sjz-curator, ln-librarian.
    """
    from diancang.accounts.libraries import add_library
    from diancang.accounts.users import add_user
    from diancang.catalog.db import Catalog

    catalog = Catalog(database_url)
    try:
        with catalog.session() as session:
            add_library(session, "河北省图书馆", "province", "130000")
            add_library(session, "石家庄市图书馆", "city", "130100", parent="河北省图书馆")
            add_library(session, "正定县图书馆", "county", "130123", parent="石家庄市图书馆")
            add_library(session, "辽宁省图书馆", "province", "210000")
            for username, role, library in [
                ("admin", "admin", None),
                ("hebei-auditor", "auditor", "河北省图书馆"),
                ("sjz-librarian", "librarian", "石家庄市图书馆"),
                ("sjz-curator", "curator", "石家庄市图书馆"),
                ("ln-librarian", "librarian", "辽宁省图书馆"),
            ]:
                add_user(session, username, role, PASSWORD, library)
    finally:
        catalog.dispose()


def accounts_catalogue(data_dir: Path) -> str:
    """The URL of a SQLite catalogue in ``data_dir`` (made here) holding the test libraries
    and accounts of :func:`add_accounts`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'catalog.sqlite'}"
    add_accounts(url)
    return url


def library_ids(database_url: str) -> dict[str, int]:
    from sqlalchemy import select

    from diancang.accounts.models import Library
    from diancang.catalog.db import Catalog

    catalog = Catalog(database_url)
    try:
        with catalog.session() as session:
            return dict(session.execute(select(Library.name, Library.id)).all())
    finally:
        catalog.dispose()


class Browser:
    """A real HTTP client of the console (a requests session: cookies, redirects)."""

    def __init__(self, base: str) -> None:
        import requests

        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **kwargs):
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on the page at ``path``."""
        import re

        page = self.get(path)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        assert found, f"no form with a CSRF token on {path}: {page.status_code} {page.text[:500]}"
        return found.group(1)

    def post(self, path: str, data: dict, token_from: str | None = None, **kwargs):
        """POST ``data``, with the CSRF token of the form at ``token_from`` (default
        ``path``) unless ``token_from`` is ``""``."""
        if token_from != "":
            data = {**data, "csrf_token": self.csrf_token(token_from or path)}
        return self.http.post(self.base + path, data=data, timeout=30, **kwargs)

    def login(self, username: str, password: str = PASSWORD):
        return self.post("/login", {"username": username, "password": password})


class SignedIn:
    """What the tests of a served console ask of it, as one of its users; the class using it
    has ``base`` (the console's URL) and ``catalog``."""

    def browser(self, username: str | None = None) -> Browser:
        browser = Browser(self.base)
        if username:
            assert browser.login(username).url.endswith("/libraries")
        return browser

    def token(self, username: str) -> dict[str, str]:
        with self.catalog.session() as db:
            user = db.scalars(select(User).where(User.username == username)).one()
            return {"Authorization": f"Bearer {issue_token(db, user)}"}

    def api(self, method: str, path: str, username: str | None, **kwargs):
        import requests

        headers = self.token(username) if username else {}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)
