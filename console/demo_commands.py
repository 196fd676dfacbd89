"""`diancang demo`: serve the bundled demo portal, register it as a seed of a demo library,
crawl it, catalogue it, and serve the console, OAI-PMH and replay over the capture."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import click

from diancang.child_processes import ChildProcesses, script
from diancang.console.crawl_commands import EXIT_SPOOLED
from diancang.console.demo_setup import demo_seed_fields, register_demo
from diancang.replay.server import start_wayback
from diancang.settings import load_settings

DEMO_SEEDS = "demo-seeds.csv"
# A stopped crawl finishes the requests under way and closes its WARC files; on loopback
# that takes seconds, but a browser page may need its whole timeout.
CRAWL_GRACE = 60.0
INGEST_GRACE = 30.0  # a stopped ingest finishes the WARC record batch under way


def write_demo_seed_list(directory: Path, portal) -> Path:
    """A seed list for the running portal: its www host, files host allowed for attachments."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DEMO_SEEDS
    row = {name: value for name, value in demo_seed_fields(portal).items() if value}
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return path


def _run(children: ChildProcesses, args: list[str], grace: float, what: str) -> None:
    process = children.start([script("diancang"), *args], grace)
    children.wait()
    if process.returncode not in (0, EXIT_SPOOLED):
        raise click.ClickException(f"the demo {what} failed (exit status {process.returncode})")


@click.command()
@click.option("--replay-port", default=8080, show_default=True, help="pywb's port.")
@click.option("--port", default=8000, show_default=True, help="The console's port.")
def demo(replay_port: int, port: int) -> None:
    """Serve the demo portal on loopback, register it as a seed of a demo library, crawl
    and catalogue it, then serve the console (with a demo admin whose password is printed),
    OAI-PMH and replay in pywb.

    SIGTERM or Ctrl-C stops the crawl (its WARC files are closed), or the console and pywb,
    whichever runs.
    """
    from diancang.catalog.db import open_catalog
    from diancang.demo_portal.server import DemoPortal

    # The demo portal lives on loopback, which the crawler refuses unless allowed.
    os.environ.setdefault("DIANCANG_ALLOW_NETWORKS", "127.0.0.0/8")
    settings = load_settings()
    with ChildProcesses() as children:
        with DemoPortal(port=0).start() as portal:
            click.echo(f"Demo portal: {portal.base_url} (attachments on {portal.files_url})")
            catalog = open_catalog(settings.database_url)
            with catalog.session() as db:
                account = register_demo(db, portal)
            catalog.dispose()
            seed_list = write_demo_seed_list(settings.data_dir, portal)
            _run(children, ["crawl", str(seed_list)], CRAWL_GRACE, "crawl")
        _run(children, ["catalog", "ingest", "--new"], INGEST_GRACE, "catalogue ingest")
        start_wayback(children, settings, replay_port)
        children.start([script("diancang"), "serve", "--port", str(port)])
        console = f"http://127.0.0.1:{port}"
        click.echo(
            f"\nConsole: {console}/login\n"
            f"  user: {account.username}\n"
            f"  password: {account.password}\n"
            f"  (a new password every run; the dashboard is {console}/dashboard)\n"
            f"OAI-PMH: {console}/oai?verb=ListRecords&metadataPrefix=oai_dc\n"
            f"Replay (the live portal is stopped; everything comes from the archive):\n"
            f"  http://127.0.0.1:{replay_port}/govinfo-500000/*/{portal.base_url}\n"
            f"  http://127.0.0.1:{replay_port}/govinfo-500000/{portal.base_url}\n"
            "Ctrl-C stops it."
        )
        ended = children.wait()
    raise SystemExit(ended.returncode)
