"""``diancang serve``: run the web app (OAI-PMH at /oai, the transfer listing for harvesters)."""

from __future__ import annotations

import logging

import click

from diancang.child_processes import ChildProcesses


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve OAI-PMH at /oai (public) and the transfer listing at /wasapi/v1/webdata.

    The transfer listing (WASAPI, as py-wasapi-client uses it) and its downloads need a
    token with the harvester role (DIANCANG_API_TOKENS="harvester:SHA256,curator:SHA256"),
    sent as "Authorization: Bearer TOKEN", "Token TOKEN" or HTTP Basic with the token as
    password; without one configured it is not served. DIANCANG_DATABASE_URL selects the
    catalogue, DIANCANG_WARC_STORE the store.
    Replayed archive content is served by pywb (`diancang replay`) on its own port.
    SIGTERM or Ctrl-C stops it.
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
    with ChildProcesses():  # a stop signal ends run_simple: the port is closed on the way out
        run_simple(host, port, app, threaded=True, use_reloader=False)
