"""Libraries, accounts and tokens in the catalogue database, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from diancang.accounts.errors import AccountError
from diancang.accounts.libraries import add_library, set_targets
from diancang.accounts.models import ApiToken, Library, User
from diancang.accounts.tokens import digest_of, issue_token, user_of_token
from diancang.accounts.users import add_user, authenticate
from diancang.accounts.visibility import EDIT, REVIEW, access
from diancang.catalog.db import VERSION_TABLE, Catalog, upgrade
from diancang.catalog.models import Base
from diancang.catalog.search_index import is_search_object

PASSWORD = "correct horse battery"
ACCOUNT_TABLES = {"accounts_libraries", "accounts_users", "accounts_api_tokens"}


def _two_provinces(session):
    """河北 (province → 石家庄 city → 正定 county, and 唐山 city) and 辽宁 (province)."""
    hebei = add_library(session, "河北省图书馆", "province", "130000")
    sjz = add_library(session, "石家庄市图书馆", "city", "130100", parent="河北省图书馆")
    zd = add_library(session, "正定县图书馆", "county", "130123", parent="石家庄市图书馆")
    ts = add_library(session, "唐山市图书馆", "city", "130200", parent="河北省图书馆")
    ln = add_library(session, "辽宁省图书馆", "province", "210000")
    return hebei, sjz, zd, ts, ln


def _described_by_models(name, type_, parent_names) -> bool:
    return not is_search_object(name)  # the search index's objects are raw DDL


def test_migrations_create_what_the_models_describe(catalog: Catalog):
    with catalog.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"version_table": VERSION_TABLE, "include_name": _described_by_models},
        )
        differences = compare_metadata(context, Base.metadata)
        assert differences == []
        assert ACCOUNT_TABLES <= set(inspect(connection).get_table_names())


def test_the_accounts_migration_downgrades_and_upgrades_again(catalog: Catalog):
    from alembic import command

    from diancang.catalog.db import alembic_config

    command.downgrade(alembic_config(catalog.url), "0002")
    with catalog.engine.connect() as connection:
        assert not ACCOUNT_TABLES & set(inspect(connection).get_table_names())
    upgrade(catalog.url)
    with catalog.session() as session:
        add_library(session, "河北省图书馆", "province", "130000")


def test_libraries_keep_level_parent_and_targets(catalog: Catalog):
    with catalog.session() as session:
        hebei, sjz, zd, ts, ln = _two_provinces(session)
        set_targets(ts, records_target=15000)
    with catalog.session() as session:
        rows = {lib.name: lib for lib in session.scalars(select(Library))}
        assert rows["河北省图书馆"].parent is None
        assert rows["石家庄市图书馆"].parent.name == "河北省图书馆"
        assert rows["正定县图书馆"].parent.name == "石家庄市图书馆"
        assert {name: lib.records_target for name, lib in rows.items()} == {
            "河北省图书馆": 24000,
            "石家庄市图书馆": 12000,
            "正定县图书馆": 6000,
            "唐山市图书馆": 15000,
            "辽宁省图书馆": 24000,
        }
        assert {lib.websites_target for lib in rows.values()} == {100}


def test_each_role_sees_and_edits_what_the_rule_says(catalog: Catalog):
    with catalog.session() as session:
        hebei, sjz, zd, ts, ln = _two_provinces(session)
        users = {
            role: add_user(session, role, role, PASSWORD, library)
            for role, library in [
                ("admin", None),
                ("librarian", "石家庄市图书馆"),
                ("curator", "石家庄市图书馆"),
                ("auditor", "河北省图书馆"),
            ]
        }
        rights = {role: access(session, user) for role, user in users.items()}
        ids = {lib.name: lib.id for lib in (hebei, sjz, zd, ts, ln)}
    every = frozenset(ids.values())
    assert rights["admin"].see == every and rights["admin"].edit == every
    assert rights["librarian"].see == {ids["石家庄市图书馆"]}
    assert rights["librarian"].can(EDIT, ids["石家庄市图书馆"])
    assert not rights["librarian"].can(EDIT, ids["正定县图书馆"])
    assert not rights["librarian"].can(REVIEW, ids["石家庄市图书馆"])  # sees scores only
    assert rights["curator"].see == {ids["石家庄市图书馆"]}
    assert rights["curator"].can(REVIEW, ids["石家庄市图书馆"])
    assert not rights["curator"].can(EDIT, ids["石家庄市图书馆"])
    hebei_tree = {ids[n] for n in ids if n != "辽宁省图书馆"}
    assert rights["auditor"].see == hebei_tree
    assert rights["auditor"].edit == set() and rights["auditor"].review == set()


def test_no_password_or_token_is_stored_in_clear(catalog: Catalog):
    with catalog.session() as session:
        _two_provinces(session)
        user = add_user(session, "zhang", "librarian", PASSWORD, "石家庄市图书馆")
        token = issue_token(session, user)
    with catalog.session() as session:
        stored = session.scalar(select(User).where(User.username == "zhang"))
        assert stored.password_hash.startswith("$argon2id$")
        (digest,) = session.scalars(select(ApiToken.digest))
        assert digest == digest_of(token) and token not in digest
        assert user_of_token(session, token).username == "zhang"
        assert user_of_token(session, token + "x") is None
        assert authenticate(catalog, "zhang", PASSWORD).username == "zhang"
        assert authenticate(catalog, "zhang", PASSWORD + "!") is None
        assert authenticate(catalog, "nobody", PASSWORD) is None
    with catalog.engine.connect() as connection:  # every column of every account table
        for table in ACCOUNT_TABLES:
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                dumped = " ".join(str(value) for value in row)
                assert PASSWORD not in dumped and token not in dumped, table


def test_no_database_connection_is_held_through_the_password_check(catalog, monkeypatch):
    """Fifty logins at once must not hold every pooled connection through argon2."""
    from diancang.accounts import users

    with catalog.session() as session:
        _two_provinces(session)
        add_user(session, "zhang", "librarian", PASSWORD, "石家庄市图书馆")
    held = []
    verify = users.verify_password

    def counting(password_hash, password):
        held.append(catalog.engine.pool.checkedout())
        return verify(password_hash, password)

    monkeypatch.setattr(users, "verify_password", counting)
    user = authenticate(catalog, "zhang", PASSWORD)
    assert user.library.name == "石家庄市图书馆"  # loaded: usable outside any session
    assert authenticate(catalog, "zhang", "wrong password") is None
    assert authenticate(catalog, "nobody", PASSWORD) is None
    assert held == [0, 0, 0]


@pytest.mark.parametrize(
    "name, level, code, parent, field, words",
    [
        ("X", "town", "130100", None, "level", "unknown level 'town'"),
        ("X", "city", "999999", "河北省图书馆", "jurisdiction", "not a GB/T 2260 code"),
        ("X", "city", "13010", "河北省图书馆", "jurisdiction", "not a GB/T 2260 code"),
        ("X", "city", "500100", "河北省图书馆", "jurisdiction", "groups divisions"),
        ("X", "city", "130123", "河北省图书馆", "jurisdiction", "county-level division"),
        ("X", "city", "130300", None, "parent", "needs its parent library"),
        ("X", "city", "210100", "河北省图书馆", "parent", "does not contain 210100"),
        ("X", "city", "130300", "石家庄市图书馆", "parent", "is a city library"),
        ("X", "city", "130300", "没有这个馆", "parent", "no library is named"),
        ("X", "county", "130203", "石家庄市图书馆", "parent", "does not contain 130203"),
        ("X", "province", "210000", "河北省图书馆", "parent", "has no parent"),
        ("河北省图书馆", "province", "210000", None, "name", "exists"),
    ],
)
def test_a_library_outside_the_rules_is_refused(
    sqlite_catalog: Catalog, name, level, code, parent, field, words
):
    with sqlite_catalog.session() as session:
        _two_provinces(session)
    with pytest.raises(AccountError) as refused, sqlite_catalog.session() as session:
        add_library(session, name, level, code, parent)
    assert refused.value.field == field and words in str(refused.value)
    assert refused.value.chinese  # what the console's page shows
    with sqlite_catalog.session() as session:
        assert session.scalar(select(Library).where(Library.name == "X")) is None


def test_a_county_library_may_report_to_its_province(sqlite_catalog: Catalog):
    with sqlite_catalog.session() as session:
        _two_provinces(session)
        county = add_library(session, "迁安市图书馆", "county", "130283", parent="河北省图书馆")
        assert county.parent.name == "河北省图书馆"


@pytest.mark.parametrize(
    "role, library, field, words",
    [
        ("librarian", None, "library", "needs a library"),
        ("auditor", "石家庄市图书馆", "library", "auditor belongs to a provincial library"),
        ("admin", "河北省图书馆", "library", "admin belongs to no library"),
        ("curator", "没有这个馆", "library", "no library is named"),
        ("owner", None, "role", "unknown role"),
    ],
)
def test_an_account_outside_the_rules_is_refused(sqlite_catalog, role, library, field, words):
    with sqlite_catalog.session() as session:
        _two_provinces(session)
    with pytest.raises(AccountError) as refused, sqlite_catalog.session() as session:
        add_user(session, "someone", role, PASSWORD, library)
    assert refused.value.field == field and words in str(refused.value)


def test_a_short_password_is_refused(sqlite_catalog):
    with pytest.raises(AccountError) as refused, sqlite_catalog.session() as session:
        add_user(session, "admin", "admin", "short")
    assert refused.value.field == "password"
