"""``diancang catalog …``: ingest WARC files, list duplicates, report, export, withdraw,
rebuild the search index."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click


def _catalog():
    from diancang.catalog.db import open_catalog

    return open_catalog()


def _site_rules(seed_files: tuple[str, ...]):
    from diancang.catalog.site_rules import SiteRules

    if not seed_files:
        return SiteRules()
    from diancang.seeds.load import load_seed_list

    seeds = []
    for path in seed_files:
        seed_list = load_seed_list(path)
        for error in seed_list.errors:
            click.echo(f"seed list: {error}", err=True)
        if not seed_list.ok:
            raise click.ClickException(f"{path}: fix the seed list first")
        seeds.extend(seed_list.seeds)
    return SiteRules.from_seeds(seeds)


@click.group()
def catalog() -> None:
    """Catalogue WARC captures as government-information and website records."""


@catalog.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--new", "new", is_flag=True, help="Every WARC file of the store not yet ingested.")
@click.option("--collection", help="Collection when the WARC's warcinfo names none.")
@click.option("--jurisdiction", help="GB/T 2260 code when the WARC's warcinfo names none.")
@click.option("--seeds", "seed_files", multiple=True, help="Seed list with extraction overrides.")
def ingest(
    paths: tuple[Path, ...],
    new: bool,
    collection: str | None,
    jurisdiction: str | None,
    seed_files: tuple[str, ...],
) -> None:
    """Read WARC files (PATH… or --new) into the catalogue; ingesting twice changes nothing."""
    from diancang.catalog.ingest import IngestOptions
    from diancang.catalog.warc_source import find_warcs

    if bool(paths) == new:
        raise click.UsageError("give WARC paths or --new (not both)")
    if jurisdiction and not (len(jurisdiction) == 6 and jurisdiction.isdigit()):
        raise click.BadParameter(f"{jurisdiction!r} is not a six-digit GB/T 2260 code")
    options = IngestOptions(
        collection=collection, jurisdiction=jurisdiction, rules=_site_rules(seed_files)
    )
    db = _catalog()
    store = None
    if new:
        store, warcs = _store_warcs()
    else:
        try:
            warcs = list(find_warcs(list(paths)))
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from exc
    try:
        failed = _ingest_all(db, warcs, options)
    finally:
        if store is not None:
            store.close()
    if failed:
        sys.exit(1)


def _store_warcs():
    """The configured WARC store (local directory or S3) and its closed WARC files."""
    from botocore.exceptions import BotoCoreError, ClientError

    from diancang.catalog.warc_source import store_warcs
    from diancang.settings import load_settings
    from diancang.storage import open_store
    from diancang.storage.s3_client import StoreConfigError

    settings = load_settings()
    try:
        store = open_store(settings)
        return store, list(store_warcs(store))
    except (StoreConfigError, BotoCoreError, ClientError, OSError) as exc:
        raise click.ClickException(
            f"WARC store {settings.warc_store}: cannot list its WARC files: {exc}"
        ) from exc


def _ingest_all(db, warcs, options) -> int:
    """Ingest each WARC, print a line per file and the totals; return how many failed."""
    from diancang.catalog.ingest import ingest_warc

    started, totals, failed, problems = time.perf_counter(), [0, 0, 0], 0, 0
    for warc in warcs:
        result = ingest_warc(db, warc, options)
        if result.skipped:
            click.echo(f"{warc.name}: already catalogued")
            continue
        totals[0] += result.captures
        totals[1] += result.records
        totals[2] += result.duplicates
        click.echo(
            f"{warc.name}: {result.captures} captures, {result.records} new records, "
            f"{result.duplicates} duplicates"
        )
        for reason, count in sorted(result.problems.items()):
            click.echo(f"{warc.name}: {count} × {reason}")
            problems += count
        if result.error:
            failed += 1
            click.echo(f"error: {result.error}", err=True)
    elapsed = time.perf_counter() - started
    click.echo(
        f"{len(warcs)} WARC files, {totals[0]} captures, {totals[1]} records, "
        f"{totals[2]} duplicates"
        + (f", {problems} problems" if problems else "")
        + f" in {elapsed:.1f}s"
    )
    return failed


@catalog.command()
@click.option("--json", "as_json", is_flag=True, help="Print the groups as JSON.")
def duplicates(as_json: bool) -> None:
    """List 查重 groups: records with several captures and the rule each matched."""
    from dataclasses import asdict

    from diancang.catalog.duplicates import duplicate_groups

    with _catalog().session() as session:
        groups = duplicate_groups(session)
    if as_json:
        click.echo(json.dumps([asdict(g) for g in groups], ensure_ascii=False, indent=2))
        return
    for group in groups:
        click.echo(f"record {group.record_id}: {group.title} [{group.index_no or '-'}]")
        for m in group.members:
            click.echo(f"  {m.reason:<24} {m.captured_at}  {m.url}  ({m.detail})")
    click.echo(f"{len(groups)} duplicate groups")


@catalog.command()
@click.option(
    "--library",
    required=True,
    help="Library name printed on the report. A library registered in the console "
    "(`diancang libraries add`) gets the report of its own records, jurisdiction and target "
    "unless --jurisdiction, --level or --target is given.",
)
@click.option("--year", required=True, type=int, help="Year of cataloguing.")
@click.option("--jurisdiction", help="Only records of this GB/T 2260 code (province or city).")
@click.option("--level", type=click.Choice(["province", "city"]), help="Library level (target).")
@click.option("--target", type=int, help="Yearly target (default 24000 province, 12000 city).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("."), show_default=True)
def report(
    library: str,
    year: int,
    jurisdiction: str | None,
    level: str | None,
    target: int | None,
    out: Path,
) -> None:
    """Write the 质检报告 (quality report) as HTML with charts and as CSV; with listings
    (列表覆盖率), every listed item not captured in a second CSV."""
    from diancang.accounts.libraries import find_library
    from diancang.catalog.report import build_report, render_html, write_coverage_csv, write_csv
    from diancang.dashboard.reports import library_report

    with _catalog().session() as session:
        registered = None if jurisdiction or level or target else find_library(session, library)
        if registered is not None:
            result = library_report(session, registered, year)
        else:
            result = build_report(
                session, library, year, jurisdiction=jurisdiction, level=level, target=target
            )
    out.mkdir(parents=True, exist_ok=True)
    stem = f"quality-report-{year}"
    (out / f"{stem}.html").write_text(render_html(result), encoding="utf-8")
    write_csv(result, out / f"{stem}.csv")
    click.echo(
        f"{result.records}/{result.target} records; wrote {out / stem}.html and {out / stem}.csv"
    )
    if result.coverage:
        write_coverage_csv(result, out / f"{stem}-coverage.csv")
        click.echo(f"{len(result.coverage)} listings; wrote {out / stem}-coverage.csv")


@catalog.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--kind", type=click.Choice(["govinfo", "website"]), help="Only this record type.")
@click.argument("file", type=click.Path(path_type=Path))
def export(fmt: str, kind: str | None, file: Path) -> None:
    """Export the records to CSV or XLSX."""
    from diancang.catalog.export import export_csv, export_xlsx

    with _catalog().session() as session:
        count = (export_csv if fmt == "csv" else export_xlsx)(session, file, kind)
    click.echo(f"{count} records written to {file}")


@catalog.command()
@click.argument("record_ids", nargs=-1, type=int, required=True)
def withdraw(record_ids: tuple[int, ...]) -> None:
    """Withdraw records: they stay in OAI-PMH as deleted records (deletedRecord=persistent)."""
    from diancang.catalog.duplicates import withdraw as withdraw_records

    with _catalog().session() as session:
        unknown = withdraw_records(session, list(record_ids))
    if unknown:
        raise click.ClickException(f"no such records: {', '.join(map(str, unknown))}")
    click.echo(f"withdrew {len(record_ids)} records")


@catalog.command()
def reindex() -> None:
    """Rebuild the search index from the records (SQLite FTS5 trigram, PostgreSQL pg_trgm)."""
    from diancang.catalog.search_index import rebuild

    started = time.perf_counter()
    db = _catalog()
    with db.engine.begin() as connection:
        rebuild(connection)
    click.echo(f"search index rebuilt in {time.perf_counter() - started:.1f}s")
