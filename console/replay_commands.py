"""`diancang replay`: serve the captured collections with pywb."""

from __future__ import annotations

import click

from diancang.child_processes import ChildProcesses
from diancang.replay.server import start_wayback
from diancang.settings import load_settings


@click.command()
@click.option("--port", default=8080, show_default=True, help="Port for pywb.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
def replay(port: int, host: str) -> None:
    """Index new WARC files and serve every collection in pywb.

    SIGTERM or Ctrl-C stops pywb with it.
    """
    settings = load_settings()
    with ChildProcesses() as children:
        wayback = start_wayback(children, settings, port, host)
        click.echo(f"Replay: http://{host}:{port}/  (Ctrl-C stops it)")
        children.wait()
    raise SystemExit(wayback.returncode)
