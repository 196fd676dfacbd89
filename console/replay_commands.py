"""`diancang replay`: serve the captured collections with pywb, public and staff."""

from __future__ import annotations

import time

import click

from diancang.child_processes import ChildProcesses
from diancang.settings import load_settings

POLL = 0.5  # seconds between looks at the children


@click.command()
@click.option("--port", default=8080, show_default=True, help="Port of public replay.")
@click.option("--staff-port", default=8081, show_default=True,
              help="Port of staff replay (DIANCANG_STAFF_REPLAY_URL should name it).")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
def replay(port: int, staff_port: int, host: str) -> None:
    """Index new WARC files and serve every collection in pywb: public replay, where the
    access rules apply (`diancang access`), and staff replay, where curators signed in
    through the console see what the rules hide.

    The rules are rewritten every minute, so an embargo ends on its date; a collection
    indexed while replay runs (a new seed's first crawl) is served within a second, with
    its rules. SIGTERM or Ctrl-C stops pywb with it.
    """
    from diancang.catalog.db import open_catalog
    from diancang.replay.server import start_replay

    settings = load_settings()
    catalog = open_catalog(settings.database_url)
    with ChildProcesses() as children:
        start_replay(children, settings, catalog, port, staff_port, host)
        click.echo(
            f"Replay: http://{host}:{port}/  staff replay: http://{host}:{staff_port}/  "
            "(Ctrl-C stops it)"
        )
        ended = keep_access_fresh(children, settings, catalog)
    raise SystemExit(ended.returncode)


def keep_access_fresh(children: ChildProcesses, settings, catalog):
    """Until a child ends (returned): rewrite the access files every ``REFRESH_SECONDS``,
    and at once when a collection is indexed that replay does not serve yet."""
    from diancang.replay.access import REFRESH_SECONDS
    from diancang.replay.server import refresh_access, unserved

    next_refresh = time.monotonic() + REFRESH_SECONDS
    while not (ended := children.poll()):
        if time.monotonic() >= next_refresh or unserved(settings):
            refresh_access(settings, catalog)
            next_refresh = time.monotonic() + REFRESH_SECONDS
        time.sleep(POLL)
    return ended[0]
