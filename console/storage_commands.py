"""`diancang storage ...`: move spooled WARCs into the store; prove stored ones intact."""

from __future__ import annotations

import json
import logging
import random
import time

import click

from diancang.settings import load_settings
from diancang.storage import WarcStore, open_store
from diancang.storage.base import SyncReport
from diancang.storage.fixity import FixityProblem, FixityRecord, manifest_lines, verify_store
from diancang.storage.open_files import OPEN_WARCS


def _store() -> WarcStore:
    try:
        return open_store(load_settings())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


@click.group()
def storage() -> None:
    """Where WARC files live: upload from the spool, fixity manifest, verification."""


def _print_sync(report: SyncReport) -> None:
    for record in report.stored:
        click.echo(f"stored    {record.collection}/{record.name}  {record.size} B  {record.sha256}")
    for name, why in sorted(report.waiting.items()):
        click.echo(f"waiting   {name}: {why}", err=True)
    click.echo(
        f"{len(report.stored)} files stored ({_mb(report.bytes_stored)}); "
        f"{len(report.waiting)} still wait in the spool"
        + ("; the endpoint is unavailable" if report.endpoint_down else "")
    )


@storage.command()
@click.option(
    "--watch",
    is_flag=True,
    help="Keep running: store new spooled files, and retry with backoff while they wait.",
)
@click.option(
    "--interval", default=30.0, show_default=True, help="Seconds between passes with --watch."
)
@click.option(
    "--recover",
    is_flag=True,
    help="First close *.warc.gz.open files left by a killed crawl (files a running crawl "
    "is writing are locked and left alone).",
)
def sync(watch: bool, interval: float, recover: bool) -> None:
    """Upload every spooled WARC, verify it, record its fixity, release the spool copy.

    With the local store, records fixity for files that have no record yet. Exits 1 when
    files still wait (endpoint down, or a file failed verification).
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = load_settings()
    store = _store()
    try:
        if recover:
            try:
                closed = store.recover(upload=False)  # this command uploads itself
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            for path in closed:
                click.echo(f"closed    {path}")
        still_open = sorted(settings.spool_dir.glob(OPEN_WARCS))
        if still_open:
            click.echo(
                f"{len(still_open)} files in {settings.spool_dir} are still being written, or "
                "were left by a killed crawl (the next crawl, or sync --recover, closes them)",
                err=True,
            )
        report = store.sync()
        _print_sync(report)
        delay = 1.0
        while watch:
            if report.waiting:
                time.sleep(delay * random.uniform(1.0, 1.25))
                delay = min(delay * 2, 300.0)
            else:
                time.sleep(interval)
                delay = 1.0
            report = store.sync()
            if report.stored or report.waiting:
                _print_sync(report)
    except KeyboardInterrupt:
        return
    finally:
        store.close()
    if report.waiting:
        raise SystemExit(1)


@storage.command()
@click.option("--collection", help="Only this collection, e.g. govinfo-500000.")
@click.option("--sizes-only", is_flag=True, help="Check presence and size; read nothing back.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(collection: str | None, sizes_only: bool, as_json: bool) -> None:
    """Re-read every stored WARC and check it against its fixity record.

    Reports files that are missing, truncated or altered (exit status 1), and stored files
    with no fixity record (run `diancang storage sync` to record them).
    """
    store = _store()

    def progress(record: FixityRecord, problem: FixityProblem | None) -> None:
        if problem is not None and not as_json:
            click.echo(str(problem))

    report = verify_store(store, collection, read=not sizes_only, on_checked=progress)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for problem in report.problems:
            if problem.kind == "unrecorded":
                click.echo(str(problem))
        kinds = {k: sum(p.kind == k for p in report.problems) for k in ("missing", "truncated")}
        altered = sum(p.kind == "altered" for p in report.problems)
        unrecorded = sum(p.kind == "unrecorded" for p in report.problems)
        click.echo(
            f"{report.checked} files checked: {report.intact} intact, "
            f"{kinds['missing']} missing, {kinds['truncated']} truncated, {altered} altered"
            f" ({_mb(report.bytes_read)} read)"
            + (f"; {unrecorded} stored without a fixity record" if unrecorded else "")
        )
    if report.failed:
        raise SystemExit(1)


@storage.command()
@click.option("--collection", help="Only this collection.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "sha256sum"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines records, or `sha256sum -c` lines (HASH  COLLECTION/NAME).",
)
def manifest(collection: str | None, fmt: str) -> None:
    """Print the fixity manifest: name, size, SHA-256 and stored time of every stored WARC."""
    records = _store().manifest(collection)
    if fmt == "jsonl":
        for line in manifest_lines(records):
            click.echo(line, nl=False)
    else:
        for record in records:
            click.echo(f"{record.sha256}  {record.collection}/{record.name}")
