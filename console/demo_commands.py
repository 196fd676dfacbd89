"""`diancang demo`: the whole pipeline on the bundled demo portal. The portal is registered
as a seed of a demo library and queued as a crawl job; `diancang serve --all` (console,
scheduler, worker) crawls, catalogues and indexes it, and pywb replays it."""

from __future__ import annotations

import os
import time

import click

from diancang.child_processes import ChildProcesses, script
from diancang.console.replay_commands import keep_access_fresh
from diancang.console.serve_commands import WORKER_GRACE
from diancang.replay.server import start_replay
from diancang.settings import load_settings

SERVE_GRACE = WORKER_GRACE + 30.0  # `serve --all` stops its worker first, then the rest
POLL = 1.0  # seconds between looks at the demo job's state


@click.command()
@click.option("--replay-port", default=8080, show_default=True, help="pywb's port.")
@click.option("--staff-replay-port", default=8081, show_default=True,
              help="Staff replay's port (DIANCANG_STAFF_REPLAY_URL should name it).")  # fmt: skip
@click.option("--port", default=8000, show_default=True, help="The console's port.")
def demo(replay_port: int, staff_replay_port: int, port: int) -> None:
    """Serve the demo portal on loopback, register it as a seed of a demo library and queue
    its crawl; serve the console (with a demo admin whose password is printed), OAI-PMH, the
    scheduler and a worker, which crawls, catalogues and indexes the portal; replay in pywb,
    public (access rules applied) and staff (curators, from the console).

    SIGTERM or Ctrl-C stops everything; a crawl under way closes its WARC files first.
    """
    from diancang.catalog.db import open_catalog
    from diancang.console.demo_setup import register_demo
    from diancang.demo_portal.server import DemoPortal
    from diancang.jobs.queue import queue_job

    # The demo portal lives on loopback, which the crawler refuses unless allowed.
    os.environ.setdefault("DIANCANG_ALLOW_NETWORKS", "127.0.0.0/8")
    settings = load_settings()
    catalog = open_catalog(settings.database_url)
    with ChildProcesses() as children, DemoPortal(port=0).start() as portal:
        click.echo(f"Demo portal: {portal.base_url} (attachments on {portal.files_url})")
        with catalog.session() as db:
            account = register_demo(db, portal)
            job_id = queue_job(db, account.library_id, [account.seed_id]).id
        children.start([script("diancang"), "serve", "--all", "--port", str(port)], SERVE_GRACE)
        console = f"http://127.0.0.1:{port}"
        click.echo(
            f"\nConsole: {console}/login\n"
            f"  user: {account.username}\n"
            f"  password: {account.password}\n"
            f"  (a new password every run; the dashboard is {console}/dashboard)\n"
            f"Crawl job: {console}/jobs/{job_id}\n"
            f"OAI-PMH: {console}/oai?verb=ListRecords&metadataPrefix=oai_dc"
        )
        ended = _follow_job(catalog, children, job_id)
        if ended is None:
            # replay starts once the crawl has made the demo's collection, so the links
            # printed below answer at once
            start_replay(children, settings, catalog, replay_port, staff_replay_port)
            click.echo(
                f"Replay:\n"
                f"  http://127.0.0.1:{replay_port}/govinfo-500000/*/{portal.base_url}\n"
                f"  http://127.0.0.1:{replay_port}/govinfo-500000/{portal.base_url}\n"
                f"Staff replay (access rules lifted; opened from the console's review pages):\n"
                f"  http://127.0.0.1:{staff_replay_port}/\n"
                f"Access rules: {console}/access\n"
                "Ctrl-C stops it."
            )
            ended = keep_access_fresh(children, settings, catalog)
        catalog.dispose()
    raise SystemExit(ended.returncode)


def _follow_job(catalog, children: ChildProcesses, job_id: int):
    """Wait until the demo job has ended and say how; the child that ended first instead,
    should the console or pywb end before it."""
    from diancang.jobs.models import ACTIVE, STATE_NAMES, CrawlJob

    while True:
        ended = children.poll()
        if ended:
            return ended[0]
        with catalog.session() as db:
            job = db.get(CrawlJob, job_id)
            state, pages, message = job.state, job.pages, job.message
        if state not in ACTIVE:
            words = f"{STATE_NAMES[state]} ({state}), {pages} pages"
            click.echo(f"\nCrawl job {job_id}: {words}" + (f": {message}" if message else ""))
            return None
        time.sleep(POLL)
