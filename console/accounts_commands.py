"""`diancang libraries ...` and `diancang users ...`: register libraries and console accounts."""

from __future__ import annotations

import sys

import click

from diancang.accounts.models import LEVELS, ROLES


def _catalog():
    from diancang.catalog.db import open_catalog

    return open_catalog()


def _refused(error) -> click.ClickException:
    return click.ClickException(str(error))


@click.group()
def libraries() -> None:
    """Libraries: level, GB/T 2260 jurisdiction, parent library and yearly targets."""


@libraries.command(name="add")
@click.argument("name")
@click.option("--level", required=True, type=click.Choice(LEVELS), help="Library level.")
@click.option("--jurisdiction", required=True, help="GB/T 2260 code of the area it collects.")
@click.option("--parent", default=None, help="Name of the supervising library.")
@click.option(
    "--records-target",
    type=int,
    default=None,
    help="Government-information records a year [default: 24000 province, 12000 city, "
    "6000 county].",
)
def libraries_add(
    name: str, level: str, jurisdiction: str, parent: str | None, records_target: int | None
) -> None:
    """Register library NAME.

    A city library's parent is the provincial library whose jurisdiction contains it; a
    county library's, the city or provincial library whose jurisdiction contains it.
    """
    from diancang.accounts.errors import AccountError
    from diancang.accounts.libraries import add_library, jurisdiction_label

    catalog = _catalog()
    try:
        with catalog.session() as session:
            library = add_library(session, name, level, jurisdiction, parent, records_target)
            click.echo(
                f"added {library.level} library {library.name} "
                f"({jurisdiction_label(library.jurisdiction)}), "
                f"target {library.records_target} records a year"
            )
    except AccountError as error:
        raise _refused(error) from error
    finally:
        catalog.dispose()


@libraries.command(name="list")
def libraries_list() -> None:
    """Show the registered libraries."""
    from diancang.accounts.libraries import jurisdiction_label, list_libraries
    from diancang.console.seeds_commands import _table

    catalog = _catalog()
    try:
        with catalog.session() as session:
            rows = [("name", "level", "jurisdiction", "parent", "records target")]
            for library in list_libraries(session):
                rows.append(
                    (
                        library.name,
                        library.level,
                        jurisdiction_label(library.jurisdiction),
                        library.parent.name if library.parent else "-",
                        str(library.records_target),
                    )
                )
    finally:
        catalog.dispose()
    for line in _table(rows):
        click.echo(line)


@click.group()
def users() -> None:
    """Console accounts: admin, librarian, curator, auditor; personal API tokens."""


@users.command(name="add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The account's role.")
@click.option("--library", default=None, help="Library of a librarian, curator or auditor.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
def users_add(username: str, role: str, library: str | None, password_stdin: bool) -> None:
    """Create console account USERNAME; the password is asked for unless --password-stdin."""
    from diancang.accounts.errors import AccountError
    from diancang.accounts.users import add_user

    password = _read_password(password_stdin)
    catalog = _catalog()
    try:
        with catalog.session() as session:
            user = add_user(session, username, role, password, library)
            where = f" of {user.library.name}" if user.library else ""
            click.echo(f"added {user.role} {user.username}{where}")
    except AccountError as error:
        raise _refused(error) from error
    finally:
        catalog.dispose()


@users.command(name="token")
@click.argument("username")
def users_token(username: str) -> None:
    """Print a new personal API token of USERNAME (shown once; only its hash is kept)."""
    from diancang.accounts.tokens import issue_token
    from diancang.accounts.users import find_user

    catalog = _catalog()
    try:
        with catalog.session() as session:
            user = find_user(session, username)
            if user is None:
                raise click.ClickException(f"username: no user is named {username!r}")
            token = issue_token(session, user)
    finally:
        catalog.dispose()
    click.echo(token)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline(4096)
        password = line.rstrip("\r\n")
        if not password:
            raise click.ClickException("password: standard input gave no password")
        return password
    import getpass

    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise click.ClickException("password: the two passwords differ")
    return password
