"""`diancang demo`: serve the bundled demo portal, crawl it, index it and replay it."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import click

from diancang.crawler.report import summary
from diancang.crawler.run import run_crawl
from diancang.replay.server import start_wayback
from diancang.settings import load_settings

DEMO_SEEDS = "demo-seeds.csv"


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
    """Serve the demo portal on loopback, crawl it, then replay the capture in pywb."""
    from diancang.demo_portal.server import DemoPortal

    # The demo portal lives on loopback, which the crawler refuses unless allowed.
    os.environ.setdefault("DIANCANG_ALLOW_NETWORKS", "127.0.0.0/8")
    settings = load_settings()
    with DemoPortal(port=0).start() as portal:
        click.echo(f"Demo portal: {portal.base_url} (attachments on {portal.files_url})")
        seed_list = write_demo_seed_list(settings.data_dir, portal)
        result = run_crawl(settings, seed_list)
    click.echo(summary(result.report))
    click.echo(f"  report        {result.report_path}")
    process = start_wayback(settings, replay_port)
    click.echo(
        f"\nReplay (the live portal is stopped; everything comes from the archive):\n"
        f"  http://127.0.0.1:{replay_port}/govinfo-500000/*/{portal.base_url}\n"
        f"  http://127.0.0.1:{replay_port}/govinfo-500000/{portal.base_url}\n"
        "Ctrl-C stops it."
    )
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait()
