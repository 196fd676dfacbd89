"""The web app's server: gunicorn, pre-forking, run by ``diancang serve`` as a child process.

Werkzeug's server is one process: under fifty librarians its one core for Python code was
the bottleneck. Gunicorn forks ``[console] web_workers`` processes (default: two a core and
one more), each serving ``THREADS`` requests at once (gthread workers, which keep
connections alive, so a slow client holds a thread, not a process).

Gunicorn's master preloads ``wsgi_app()``: the imports (seconds of them) are done once and
shared by every worker, the configuration is checked and the catalogue schema brought up
to date once (``diancang serve`` starts its scheduler and worker when the port is open, so
they never race it to migrate). The Flask app with its
database engine is built in each worker after the fork (``post_fork`` in
``diancang.console.gunicorn_config``): no engine, pooled connection or SQLite handle
crosses a fork, and workers do not migrate. SQLite runs in WAL mode
(``diancang.catalog.db``): the readers of every worker go on while one of them writes.
"""

from __future__ import annotations

import logging

from diancang.child_processes import script

THREADS = 4
GRACEFUL_TIMEOUT = 5  # seconds gunicorn gives requests in progress once asked to stop
GRACE = GRACEFUL_TIMEOUT + 5.0  # then ChildProcesses kills its process group
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"

log = logging.getLogger(__name__)


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # schema checks, every start


def command(host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line serving the app on ``host:port`` with ``workers`` processes."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        script("gunicorn"),
        "--config=python:diancang.console.gunicorn_config",
        f"--bind={address}",
        f"-w{workers}",  # (no "worker" word: tests find `diancang worker` by its command line)
        f"{__name__}:wsgi_app()",
    ]


class ProcessApp:
    """The WSGI callable gunicorn's master preloads: each worker builds its own Flask app."""

    def __init__(self) -> None:
        self.app = None

    def build(self) -> None:
        """In a worker, after the fork: the app over a catalogue engine of its own."""
        from diancang.catalog.db import Catalog
        from diancang.console.web import create_app
        from diancang.settings import load_settings

        settings = load_settings()
        self.app = create_app(Catalog(settings.database_url, migrate=False), settings=settings)

    def __call__(self, environ, start_response):
        if self.app is None:
            raise RuntimeError("ProcessApp.build() runs in each worker (gunicorn_config)")
        return self.app(environ, start_response)


def wsgi_app() -> ProcessApp:
    """Run once, in gunicorn's master: the imports, the configuration checked, the catalogue
    migrated."""
    from diancang.console.api import CATALOG_EXTENSION
    from diancang.console.auth import TokenConfigError
    from diancang.console.web import create_app
    from diancang.storage.s3_client import StoreConfigError

    configure_logging()
    try:
        checked = create_app()
    except (TokenConfigError, StoreConfigError) as exc:
        log.error("%s", exc)
        raise SystemExit(1) from None
    checked.extensions[CATALOG_EXTENSION].dispose()
    return ProcessApp()
