"""`diancang libraries add|list` and `diancang users add|token` as the operator runs them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_runner import BIN, run

PASSWORD = "柳絮-willow-2026"


def _env(data_dir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    return {**clean, "DIANCANG_DATA_DIR": str(data_dir)}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return _env(tmp_path / "data")


@pytest.fixture(scope="module")
def hebei(tmp_path_factory) -> dict[str, str]:
    """河北省图书馆 and 石家庄市图书馆, shared by the tests of refused commands."""
    env = _env(tmp_path_factory.mktemp("hebei") / "data")
    add_hebei(env)
    return env


def names_in(env, table: str) -> set[str]:
    column = "name" if table == "accounts_libraries" else "username"
    with sqlite3.connect(Path(env["DIANCANG_DATA_DIR"]) / "catalog.sqlite") as db:
        return {name for (name,) in db.execute(f"SELECT {column} FROM {table}")}


def diancang(env, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    if stdin is None:
        return run(["diancang", *args], env)
    return subprocess.run(
        [str(BIN / "diancang"), *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def add_hebei(env) -> None:
    for args in [
        ("河北省图书馆", "--level", "province", "--jurisdiction", "130000"),
        ("石家庄市图书馆", "--level", "city", "--jurisdiction", "130100",
         "--parent", "河北省图书馆"),
    ]:  # fmt: skip
        result = diancang(env, "libraries", "add", *args)
        assert result.returncode == 0, result.stderr


def test_libraries_add_and_list(env):
    add_hebei(env)
    county = diancang(
        env, "libraries", "add", "正定县图书馆", "--level", "county",
        "--jurisdiction", "130123", "--parent", "石家庄市图书馆", "--records-target", "8000",
    )  # fmt: skip
    assert county.returncode == 0, county.stderr
    assert "130123 河北省石家庄市正定县" in county.stdout
    listing = diancang(env, "libraries", "list")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["name", "level", "jurisdiction", "parent", "records", "target"]
    assert lines[1].split() == ["河北省图书馆", "province", "130000", "河北省", "-", "24000"]
    assert lines[2].split()[-2:] == ["河北省图书馆", "12000"]
    assert lines[3].split()[-2:] == ["石家庄市图书馆", "8000"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--level", "town", "--jurisdiction", "130200"], "Invalid value for '--level'"),
        (["--level", "city", "--jurisdiction", "130299", "--parent", "河北省图书馆"],
         "jurisdiction: '130299' is not a GB/T 2260 code"),
        (["--level", "city", "--jurisdiction", "210100", "--parent", "河北省图书馆"],
         "parent: 河北省图书馆 collects 130000 河北省, which does not contain 210100 辽宁省沈阳市"),
        (["--level", "city", "--jurisdiction", "130200"], "parent: a city library needs"),
        (["--level", "city", "--jurisdiction", "130200", "--parent", "石家庄市图书馆"],
         "parent: 石家庄市图书馆 is a city library"),
    ],
)  # fmt: skip
def test_libraries_add_refuses_a_bad_level_code_or_parent(hebei, args, message):
    result = diancang(hebei, "libraries", "add", "唐山市图书馆", *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert names_in(hebei, "accounts_libraries") == {"河北省图书馆", "石家庄市图书馆"}


def test_users_add_with_password_stdin_and_a_token_shown_once(env, tmp_path):
    add_hebei(env)
    added = diancang(
        env, "users", "add", "zhang", "--role", "librarian", "--library", "石家庄市图书馆",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added librarian zhang of 石家庄市图书馆"
    assert PASSWORD not in added.stdout + added.stderr

    first = diancang(env, "users", "token", "zhang")
    second = diancang(env, "users", "token", "zhang")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    token = first.stdout.strip()
    assert token.startswith("dc_") and len(token) >= 40
    assert token not in second.stdout  # a new token each time, the old one never shown again

    database = tmp_path / "data" / "catalog.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
        dump = every_stored_value(db)
        (password_hash,) = db.execute(
            "SELECT password_hash FROM accounts_users WHERE username = 'zhang'"
        ).fetchone()
        assert db.execute("SELECT count(*) FROM accounts_api_tokens").fetchone() == (2,)
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in dump and token not in dump
    raw = b"".join(p.read_bytes() for p in database.parent.glob("catalog.sqlite*"))
    assert PASSWORD.encode() not in raw and token.encode() not in raw


def every_stored_value(db: sqlite3.Connection) -> str:
    """Every row of every ordinary table, the FTS5 shadow tables included.

    Not `iterdump()`: it also SELECTs from the virtual tables, and a contentless FTS5
    table refuses that; what such a table holds lives in its shadow tables, read here.
    """
    tables = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
    ).fetchall()
    assert tables
    return "\n".join(
        repr(row) for (name,) in tables for row in db.execute(f'SELECT * FROM "{name}"')
    )


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["--role", "auditor", "--library", "石家庄市图书馆"], PASSWORD,
         "library: an auditor belongs to a provincial library"),
        (["--role", "librarian"], PASSWORD, "library: a librarian needs a library"),
        (["--role", "admin", "--library", "河北省图书馆"], PASSWORD,
         "library: an admin belongs to no library"),
        (["--role", "admin"], "short", "password: a password has 8 to 1024 characters"),
        (["--role", "admin"], "", "password: standard input gave no password"),
    ],
)  # fmt: skip
def test_users_add_refuses_what_the_roles_forbid(hebei, args, stdin, message):
    result = diancang(hebei, "users", "add", "li", *args, "--password-stdin", stdin=stdin + "\n")
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "li" not in names_in(hebei, "accounts_users")


def test_users_token_for_an_unknown_user(env):
    result = diancang(env, "users", "token", "nobody")
    assert result.returncode != 0 and "no user is named 'nobody'" in result.stderr
