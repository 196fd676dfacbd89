"""`diancang demo`: serve the bundled demo portal, crawl it, index it and replay it."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import click

from diancang.child_processes import ChildProcesses, script
from diancang.console.crawl_commands import EXIT_SPOOLED
from diancang.replay.server import start_wayback
from diancang.settings import load_settings

DEMO_SEEDS = "demo-seeds.csv"
# A stopped crawl finishes the requests under way and closes its WARC files; on loopback
# that takes seconds, but a browser page may need its whole timeout.
CRAWL_GRACE = 60.0


def write_demo_seed_list(directory: Path, portal) -> Path:
    """A seed list for the running portal: its www host, files host allowed for attachments."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DEMO_SEEDS
    files_host = portal.files_url.split("//", 1)[1].rstrip("/")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "url", "title", "jurisdiction", "collection", "requisite_hosts"])
        writer.writerow(
            ["demo", portal.base_url, "重庆市人民政府（演示）", "500000", "govinfo", files_host]
        )
    return path


@click.command()
@click.option("--replay-port", default=8080, show_default=True)
def demo(replay_port: int) -> None:
    """Serve the demo portal on loopback, crawl it, then replay the capture in pywb.

    SIGTERM or Ctrl-C stops the crawl (its WARC files are closed) or pywb, whichever runs.
    """
    from diancang.demo_portal.server import DemoPortal

    # The demo portal lives on loopback, which the crawler refuses unless allowed.
    os.environ.setdefault("DIANCANG_ALLOW_NETWORKS", "127.0.0.0/8")
    settings = load_settings()
    with ChildProcesses() as children:
        with DemoPortal(port=0).start() as portal:
            click.echo(f"Demo portal: {portal.base_url} (attachments on {portal.files_url})")
            seed_list = write_demo_seed_list(settings.data_dir, portal)
            crawl = children.start([script("diancang"), "crawl", str(seed_list)], CRAWL_GRACE)
            children.wait()
        if crawl.returncode not in (0, EXIT_SPOOLED):
            raise click.ClickException(f"the demo crawl failed (exit status {crawl.returncode})")
        start_wayback(children, settings, replay_port)
        click.echo(
            f"\nReplay (the live portal is stopped; everything comes from the archive):\n"
            f"  http://127.0.0.1:{replay_port}/govinfo-500000/*/{portal.base_url}\n"
            f"  http://127.0.0.1:{replay_port}/govinfo-500000/{portal.base_url}\n"
            "Ctrl-C stops it."
        )
        wayback = children.wait()
    raise SystemExit(wayback.returncode)
