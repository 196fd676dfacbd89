"""`diancang export ...`: hand captures to other archives and players."""

from __future__ import annotations

import json
from pathlib import Path

import click

from diancang.catalog.wacz_export import SPEC_VERSIONS, ExportError, export_wacz
from diancang.settings import Settings, load_settings
from diancang.storage import open_store
from diancang.storage.base import StoredWarc, WarcStore


@click.group()
def export() -> None:
    """Export captures in the field's exchange formats."""


def _crawl_warcs(settings: Settings, job: str) -> list[str]:
    """The WARC files named by the latest report of crawl job ``job``."""
    reports = sorted(settings.reports_dir.glob(f"{job}-*.json"))
    reports = [p for p in reports if p.stem.removeprefix(f"{job}-").isdigit()]
    if not reports:
        raise click.ClickException(f"no crawl report for job {job!r} in {settings.warc_dir}")
    return json.loads(reports[-1].read_text(encoding="utf-8"))["warc_files"]


def _select(
    store: WarcStore, settings: Settings, collections: tuple[str, ...], crawl: str | None
) -> list[StoredWarc]:
    if not collections and not crawl:
        raise click.UsageError("say what to export: --collection and/or --crawl")
    selected: dict[str, StoredWarc] = {}
    for collection in collections:
        found = list(store.list(collection))
        if not found:
            raise click.ClickException(f"collection {collection!r}: no WARC file in the store")
        selected.update((w.name, w) for w in found)
    if crawl:
        wanted = set(_crawl_warcs(settings, crawl))
        by_name = {w.name: w for w in store.list() if w.name in wanted}
        missing = sorted(wanted - by_name.keys())
        if missing:
            raise click.ClickException(f"crawl {crawl!r}: not in the store: {', '.join(missing)}")
        selected.update(by_name)
    return [selected[name] for name in sorted(selected)]


@export.command()
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--collection", "collections", multiple=True, help="e.g. govinfo-500000.")
@click.option("--crawl", help="A crawl job (the seed-list name), as in its report.")
@click.option("--title", help="Title of the package (default: what it holds).")
@click.option("--description", default="", help="Markdown description of the package.")
@click.option(
    "--wacz-version",
    "spec",
    type=click.Choice(SPEC_VERSIONS),
    default="1.1.1",
    show_default=True,
    help="1.1.1: what `wacz validate` (py-wacz 0.6) and ReplayWeb.page 2.5 open. 1.2.0: WACZ "
    "1.2.0 to the letter, for a reader that knows 1.2.0; neither py-wacz 0.6 nor "
    'ReplayWeb.page 2.5 opens it ("Unknown package profile").',
)
def wacz(
    output: Path,
    collections: tuple[str, ...],
    crawl: str | None,
    title: str | None,
    description: str,
    spec: str,
) -> None:
    """Package a crawl or collections as a WACZ file (for ReplayWeb.page or another archive).

    The package also holds the responses its revisit records refer to (copied from the
    collection's other WARC files into archive/referred-originals.warc.gz), so a re-crawl's
    unchanged pages replay.
    """
    settings = load_settings()
    store = open_store(settings)
    warcs = _select(store, settings, collections, crawl)
    what = ", ".join(collections) + (f" crawl {crawl}" if crawl else "")
    try:
        summary = export_wacz(
            store, warcs, output, title or f"Diancang: {what.strip(', ')}", description, spec
        )
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    referred = f", {summary.referred} referred originals" if summary.referred else ""
    click.echo(
        f"{summary.path}: {len(summary.warcs)} WARC files{referred}, {summary.pages} pages "
        f"(+{summary.extra_pages} more), {summary.size / 1e6:.1f} MB"
    )
    if summary.unresolved:
        shown = ", ".join(summary.unresolved[:5])
        more = f" and {len(summary.unresolved) - 5} more" if len(summary.unresolved) > 5 else ""
        click.echo(
            f"warning: {len(summary.unresolved)} revisited URLs have no original in the store "
            f"(they will not replay): {shown}{more}",
            err=True,
        )
