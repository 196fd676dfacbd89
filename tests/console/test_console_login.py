"""The librarians' console through `diancang serve` and a real HTTP client: sessions, CSRF,
failed-login slow-down, who sees and edits which library, personal API tokens."""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import PASSWORD, Browser, add_accounts, library_ids
from served_app import Served

BAD_CREDENTIALS = "用户名或密码错误"
TOO_MANY = "登录失败次数过多"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    return {**env, "DIANCANG_DATA_DIR": str(data_dir), **extra}


def _serve(data_dir: Path, **extra: str) -> Served:
    add_accounts(f"sqlite:///{data_dir / 'catalog.sqlite'}")
    return Served(_env(data_dir, **extra), data_dir.parent / "serve.log")


class Console:
    def __init__(self, served: Served, data_dir: Path, harvester_token: str) -> None:
        self.served = served
        self.base = served.base
        self.data_dir = data_dir
        self.database_url = f"sqlite:///{data_dir / 'catalog.sqlite'}"
        self.ids = library_ids(self.database_url)
        self.harvester_token = harvester_token

    def browser(self, username: str | None = None) -> Browser:
        browser = Browser(self.base)
        if username:
            landed = browser.login(username)
            assert landed.status_code == 200 and landed.url.endswith("/libraries"), landed.text
        return browser


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Iterator[Console]:
    """One `diancang serve` with the accounts of ``add_accounts`` (and a harvester token)."""
    data_dir = tmp_path_factory.mktemp("console") / "data"
    data_dir.mkdir()
    token = secrets.token_urlsafe(32)
    tokens = f"harvester:{hashlib.sha256(token.encode()).hexdigest()}"
    served = _serve(data_dir, DIANCANG_API_TOKENS=tokens)
    try:
        yield Console(served, data_dir, token)
    finally:
        served.stop()


def test_anonymous_users_are_sent_to_login(console):
    browser = console.browser()
    for path in ("/libraries", "/users", f"/libraries/{console.ids['河北省图书馆']}"):
        page = browser.get(path)
        assert page.history and page.history[0].status_code == 302, path
        assert page.url.startswith(console.base + "/login?next="), page.url
        assert page.status_code == 200 and "用户名" in page.text and "密码" in page.text
    assert browser.get("/oai?verb=Identify").status_code == 200  # OAI-PMH stays public


def test_login_fails_with_a_wrong_password_and_succeeds_with_the_right_one(console):
    browser = console.browser()
    refused = browser.login("sjz-librarian", PASSWORD + "x")
    assert refused.status_code == 401 and BAD_CREDENTIALS in refused.text
    unknown = browser.login("no-such-user")
    assert unknown.status_code == 401 and BAD_CREDENTIALS in unknown.text
    assert browser.get("/libraries").url.startswith(console.base + "/login")

    landed = browser.post("/login?next=/users", {"username": "sjz-librarian", "password": PASSWORD})
    assert landed.url == console.base + "/users" and "sjz-librarian" in landed.text
    cookie = landed.history[0].headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    elsewhere = browser.post(
        "/login?next=//evil.example/", {"username": "sjz-librarian", "password": PASSWORD}
    )
    assert elsewhere.url == console.base + "/libraries"  # never an open redirect

    logged_out = browser.post("/logout", {}, token_from="/libraries")
    assert logged_out.url.startswith(console.base + "/login")
    assert browser.get("/libraries").url.startswith(console.base + "/login")


def test_failed_logins_for_one_user_name_are_slowed_down(console):
    browser = console.browser()
    for _ in range(5):
        assert browser.login("sjz-curator", "wrong password").status_code == 401
    refused = browser.login("sjz-curator")  # the right password, too soon
    assert refused.status_code == 429 and TOO_MANY in refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    assert browser.get("/libraries").url.startswith(console.base + "/login")
    other = console.browser()  # another user name is not held up
    assert other.login("ln-librarian").url.endswith("/libraries")


def test_a_form_posted_without_its_csrf_token_is_refused(console):
    admin = console.browser("admin")
    form = {"name": "唐山市图书馆", "level": "city", "jurisdiction": "130200",
            "parent": "河北省图书馆"}  # fmt: skip
    refused = admin.post("/libraries", form, token_from="")
    assert refused.status_code == 400 and "CSRF" in refused.text
    forged = admin.post("/libraries", {**form, "csrf_token": "forged"}, token_from="")
    assert forged.status_code == 400
    assert "唐山市图书馆" not in admin.get("/libraries").text

    still_in = admin.post("/logout", {}, token_from="")
    assert still_in.status_code == 400
    assert admin.get("/libraries").url == console.base + "/libraries"

    added = admin.post("/libraries", form)
    assert added.status_code == 200 and added.url == console.base + "/libraries"
    assert "已登记图书馆：唐山市图书馆" in added.text
    assert "130200 河北省唐山市" in added.text


def test_the_admin_sees_an_error_beside_the_field(console):
    admin = console.browser("admin")
    form = {"name": "沈阳市图书馆", "level": "city", "jurisdiction": "210100",
            "parent": "河北省图书馆"}  # fmt: skip
    page = admin.post("/libraries", form)
    assert page.status_code == 422
    assert 'id="parent-error">河北省图书馆的辖区130000 河北省不包含210100 辽宁省沈阳市' in page.text
    page = admin.post("/users", {"username": "x", "role": "auditor", "library": "石家庄市图书馆",
                                 "password": PASSWORD, "confirm": PASSWORD})  # fmt: skip
    assert page.status_code == 422 and 'id="library-error">督导员只能属于省级图书馆' in page.text


def test_the_admin_creates_an_account_that_can_log_in(console):
    admin = console.browser("admin")
    created = admin.post("/users", {"username": "zd-librarian", "role": "librarian",
                                    "library": "正定县图书馆", "password": PASSWORD,
                                    "confirm": PASSWORD})  # fmt: skip
    assert created.url == console.base + "/users" and "已创建用户：zd-librarian" in created.text
    assert console.browser("zd-librarian").get("/api/me").json() == {
        "username": "zd-librarian", "role": "librarian", "library": "正定县图书馆"
    }  # fmt: skip


def test_the_auditor_sees_its_province_but_edits_nothing(console):
    auditor = console.browser("hebei-auditor")
    listing = auditor.get("/libraries")
    assert listing.status_code == 200
    for name in ("河北省图书馆", "石家庄市图书馆", "正定县图书馆"):
        assert name in listing.text
    assert "辽宁省图书馆" not in listing.text
    assert "登记图书馆" not in listing.text and '<form class="panel"' not in listing.text
    county = auditor.get(f"/libraries/{console.ids['正定县图书馆']}")
    assert county.status_code == 200 and "130123 河北省石家庄市正定县" in county.text
    assert auditor.get(f"/libraries/{console.ids['辽宁省图书馆']}").status_code == 403
    users = auditor.get("/users").text
    assert "sjz-librarian" in users and "ln-librarian" not in users and "admin<" not in users

    form = {"name": "邯郸市图书馆", "level": "city", "jurisdiction": "130400",
            "parent": "河北省图书馆"}  # fmt: skip
    refused = auditor.post("/libraries", form, token_from="/libraries")  # a valid CSRF token
    assert refused.status_code == 403 and "无权访问" in refused.text
    target = auditor.post(
        f"/libraries/{console.ids['石家庄市图书馆']}",
        {"records_target": "1", "websites_target": "1"},
        token_from="/libraries",
    )
    assert target.status_code == 403
    assert "邯郸市图书馆" not in console.browser("admin").get("/libraries").text


def test_a_librarian_gets_403_for_another_librarys_page(console):
    librarian = console.browser("sjz-librarian")
    own = librarian.get(f"/libraries/{console.ids['石家庄市图书馆']}")
    assert own.status_code == 200 and "石家庄市图书馆" in own.text
    for other in ("辽宁省图书馆", "正定县图书馆", "河北省图书馆"):
        page = librarian.get(f"/libraries/{console.ids[other]}")
        assert page.status_code == 403 and "无权访问" in page.text, other
    assert "辽宁省图书馆" not in librarian.get("/libraries").text


def test_the_admin_changes_a_librarys_target(console):
    admin = console.browser("admin")
    path = f"/libraries/{console.ids['正定县图书馆']}"
    saved = admin.post(path, {"records_target": "7500", "websites_target": "120"})
    assert saved.url == console.base + path and "7500 条" in saved.text and "120 个" in saved.text


def test_personal_tokens_authenticate_the_api_and_role_tokens_keep_their_routes(console):
    from cli_runner import run

    issued = run(["diancang", "users", "token", "hebei-auditor"], _env(console.data_dir))
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    anonymous = console.browser().get("/api/me")
    assert anonymous.status_code == 401 and "error" in anonymous.json()
    assert anonymous.history == []  # an API call is never redirected to the login page
    me = console.browser().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json() == {
        "username": "hebei-auditor", "role": "auditor", "library": "河北省图书馆"
    }  # fmt: skip
    assert me.headers["Cache-Control"] == "no-store"
    wrong = console.browser().get("/api/me", headers={"Authorization": f"Bearer {token}x"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "the token is not valid"
    harvester = {"Authorization": f"Bearer {console.harvester_token}"}
    assert console.browser().get("/api/me", headers=harvester).status_code == 403
    listing = console.browser().get("/wasapi/v1/webdata", headers=harvester)
    assert listing.status_code == 200 and "files" in listing.json()
    personal = {"Authorization": f"Bearer {token}"}
    assert console.browser().get("/wasapi/v1/webdata", headers=personal).status_code == 401


def test_failed_logins_from_one_address_are_slowed_down(tmp_path):
    """30 wrong passwords from one address, each for another user name: the address waits."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    served = _serve(data_dir)
    try:
        browser = Browser(served.base)
        for number in range(30):
            assert browser.login(f"guess-{number}", "wrong password").status_code == 401
        refused = browser.login("admin")
        assert refused.status_code == 429 and TOO_MANY in refused.text
    finally:
        served.stop()


def test_the_session_key_is_generated_once_and_kept_private(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    served = _serve(data_dir)
    try:
        browser = Browser(served.base)
        assert browser.login("admin").url.endswith("/libraries")
    finally:
        served.stop()
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_text()) >= 64
    again = Served(_env(data_dir), tmp_path / "serve-2.log")
    try:  # the same key after a restart: the session still holds
        assert browser.http.get(again.base + "/libraries", timeout=30).url.endswith("/libraries")
        assert key_file.read_text() == (data_dir / "secret_key").read_text()
    finally:
        again.stop()


def test_a_configured_key_and_secure_cookies(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    served = _serve(
        data_dir, DIANCANG_SECRET_KEY=secrets.token_hex(32), DIANCANG_SECURE_COOKIES="true"
    )
    try:
        login_page = Browser(served.base).get("/login")  # sets the session of its CSRF token
        cookie = login_page.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert not (data_dir / "secret_key").exists()
    finally:
        served.stop()
