"""``diancang serve``: run the web app (OAI-PMH at /oai, the transfer listing for harvesters);
with ``--all`` also the scheduler and a worker, as child processes stopped with it."""

from __future__ import annotations

import logging

import click

from diancang.child_processes import ChildProcesses, script

# a worker stops its crawls before it stops itself (diancang.jobs.worker)
WORKER_GRACE = 90.0


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--all", "everything", is_flag=True,
              help="Also run the scheduler and a worker (the embedded default).")  # fmt: skip
@click.option("--jobs", "slots", default=1, show_default=True, type=click.IntRange(1, 64),
              help="With --all: crawl jobs the worker runs at once.")  # fmt: skip
def serve(host: str, port: int, everything: bool, slots: int) -> None:
    """Serve OAI-PMH at /oai (public) and the transfer listing at /wasapi/v1/webdata.

    The transfer listing (WASAPI, as py-wasapi-client uses it) and its downloads need a
    token with the harvester role (DIANCANG_API_TOKENS="harvester:SHA256,curator:SHA256"),
    sent as "Authorization: Bearer TOKEN", "Token TOKEN" or HTTP Basic with the token as
    password; without one configured it is not served. DIANCANG_DATABASE_URL selects the
    catalogue, DIANCANG_WARC_STORE the store.
    Replayed archive content is served by pywb (`diancang replay`) on its own port.
    With --all, `diancang scheduler` and `diancang worker` run beside it.
    SIGTERM or Ctrl-C stops it (and with --all the worker's crawls, then the others).
    """
    from werkzeug.serving import run_simple

    from diancang.console.auth import TokenConfigError
    from diancang.console.web import TRANSFER_EXTENSION, TRANSFER_PATH, create_app
    from diancang.storage.s3_client import StoreConfigError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # schema checks, every start
    try:
        app = create_app()
    except (TokenConfigError, StoreConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    base = f"http://{host}:{port}"
    click.echo(f"Serving OAI-PMH at {base}/oai")
    if app.extensions[TRANSFER_EXTENSION]:
        click.echo(f"Serving the transfer listing at {base}{TRANSFER_PATH} (role harvester)")
    with ChildProcesses() as children:  # a stop signal ends run_simple, closing the port
        if everything:
            children.start([script("diancang"), "scheduler"])
            children.start([script("diancang"), "worker", "--jobs", str(slots)], WORKER_GRACE)
            click.echo(f"Running the scheduler and a worker ({slots} jobs at once)")
        run_simple(host, port, app, threaded=True, use_reloader=False)
