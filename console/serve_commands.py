"""``diancang serve``: run the web app (OAI-PMH at /oai, the transfer listing for harvesters)
in gunicorn (``diancang.console.web_server``); with ``--all`` also the scheduler and a
worker; each a child process stopped with it."""

from __future__ import annotations

import socket
import time

import click

from diancang.child_processes import POLL_INTERVAL, ChildProcesses, script

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
    The app runs in gunicorn's processes ([console] web_workers, DIANCANG_CONSOLE_WEB_WORKERS).
    SIGTERM or Ctrl-C stops it (and with --all the worker's crawls, then the others); when
    one of its processes ends by itself, it stops the others and exits with status 1.
    """
    from diancang.console import web_server
    from diancang.console.auth import HARVESTER, TRANSFER_PATH, ApiTokens, TokenConfigError
    from diancang.settings import load_settings

    web_server.configure_logging()
    try:  # the rest is checked by gunicorn's master, which also migrates the catalogue
        tokens = ApiTokens.configured()
    except TokenConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    workers = load_settings().console.web_processes
    base = f"http://{host}:{port}"
    click.echo(f"Serving OAI-PMH at {base}/oai ({workers} web server processes)")
    if tokens.has_role(HARVESTER):
        click.echo(f"Serving the transfer listing at {base}{TRANSFER_PATH} (role harvester)")
    with ChildProcesses() as children:
        web = children.start(web_server.command(host, port, workers), web_server.GRACE)
        names = {web.pid: "web server (gunicorn)"}
        if everything:  # once the catalogue is migrated: the web server is listening
            _wait_until_listening(children, host, port)
            names[children.start([script("diancang"), "scheduler"]).pid] = "scheduler"
            worker = children.start(
                [script("diancang"), "worker", "--jobs", str(slots)], WORKER_GRACE
            )
            names[worker.pid] = "worker"
            click.echo(f"Running the scheduler and a worker ({slots} jobs at once)")
        ended = children.wait()
        raise click.ClickException(  # leaving the block stops the others
            f"the {names[ended.pid]} (process {ended.pid}) ended with status "
            f"{ended.returncode}; stopping the rest"
        )


def _wait_until_listening(children: ChildProcesses, host: str, port: int) -> None:
    while not _listening(host, port):
        if ended := children.poll():
            raise click.ClickException(
                f"the web server (gunicorn) ended with status {ended[0].returncode}"
            )
        time.sleep(POLL_INTERVAL)


def _listening(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True
