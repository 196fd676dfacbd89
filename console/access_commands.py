"""`diancang access add|list|remove`: the access rules of replay (``diancang.replay.access``).

A change is written to pywb's access files at once; public replay applies it on its next
request, with no restart.
"""

from __future__ import annotations

import click

from diancang.replay.models import ALLOW, BLOCK, EXCLUDE


def _open():
    from diancang.catalog.db import open_catalog
    from diancang.settings import load_settings

    settings = load_settings()
    return settings, open_catalog(settings.database_url)


def _refresh(settings, catalog) -> None:
    from diancang.replay.server import refresh_access

    refresh_access(settings, catalog)


@click.group()
def access() -> None:
    """Access rules of public replay, by URL prefix: allow, block (451), exclude, embargo."""


@access.command(name="add")
@click.argument("prefix")
@click.option("--block", "kind", flag_value=BLOCK, help="Public replay answers 451.")
@click.option("--exclude", "kind", flag_value=EXCLUDE, help="Replayed as if not archived.")
@click.option("--allow", "kind", flag_value=ALLOW, help="An exception under a blocked prefix.")
@click.option("--until", "until", default=None, help="Embargo until this date (YYYY-MM-DD).")
@click.option("--days", "days", default=None, help="Embargo for N days after each capture.")
@click.option("--library", default=None, help="Library name [default: every collection].")
@click.option("--comment", default=None, help="Why (shown on the /access page).")
def access_add(prefix, kind, until, days, library, comment) -> None:
    """Add a rule for URLs starting with PREFIX (http:// or https://)."""
    from sqlalchemy import select

    from diancang.accounts.models import Library
    from diancang.replay.access import (
        AccessRuleError,
        RuleInput,
        add_rule,
        parse_date,
        parse_days,
        parse_prefix,
        rule_words,
    )

    if kind is None:
        raise click.UsageError("give one of --block, --exclude or --allow")
    settings, catalog = _open()
    try:
        with catalog.session() as db:
            library_id = None
            if library is not None:
                found = db.scalars(select(Library).where(Library.name == library)).first()
                if found is None:
                    raise click.ClickException(f"no library named {library!r}")
                library_id = found.id
            try:
                rule = RuleInput(
                    url_prefix=parse_prefix(prefix),
                    access=kind,
                    embargo_until=parse_date(until) if until is not None else None,
                    embargo_days=parse_days(days) if days is not None else None,
                    library_id=library_id,
                    comment=comment,
                )
                row = add_rule(db, rule, None)
            except AccessRuleError as error:
                raise click.ClickException(error.message) from error
            db.commit()
            click.echo(f"Added rule {row.id}: {row.url_prefix} {rule_words(row)}")
        _refresh(settings, catalog)
    finally:
        catalog.dispose()


@access.command(name="list")
def access_list() -> None:
    """List the rules, one a line: id, access, prefix, library, comment."""
    from sqlalchemy import select

    from diancang.accounts.models import Library
    from diancang.replay.access import rule_words
    from diancang.replay.models import AccessRule

    _, catalog = _open()
    try:
        with catalog.session() as db:
            names = dict(db.execute(select(Library.id, Library.name)).all())
            for rule in db.scalars(select(AccessRule).order_by(AccessRule.id)):
                library = names.get(rule.library_id, "全部馆藏")
                fields = [str(rule.id), rule_words(rule), rule.url_prefix, library]
                click.echo("\t".join(fields + ([rule.comment] if rule.comment else [])))
    finally:
        catalog.dispose()


@access.command(name="remove")
@click.argument("rule_id", type=int)
def access_remove(rule_id: int) -> None:
    """Remove rule RULE_ID (as `diancang access list` shows it)."""
    from diancang.replay.models import AccessRule

    settings, catalog = _open()
    try:
        with catalog.session() as db:
            rule = db.get(AccessRule, rule_id)
            if rule is None:
                raise click.ClickException(f"no access rule with id {rule_id}")
            db.delete(rule)
            db.commit()
        _refresh(settings, catalog)
        click.echo(f"Removed rule {rule_id}")
    finally:
        catalog.dispose()
