"""Gunicorn's settings for ``diancang serve`` (``diancang.console.web_server``); the
address and the number of workers come on its command line."""

from diancang.console.web_server import GRACEFUL_TIMEOUT, THREADS

preload_app = True
threads = THREADS
graceful_timeout = GRACEFUL_TIMEOUT
control_socket_disable = True  # gunicorn ≥ 25 would share ~/.gunicorn/gunicorn.ctl otherwise


def post_fork(server, worker) -> None:
    server.app.wsgi().build()
