"""``diancang serve``: run the web app (OAI-PMH provider at /oai)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the OAI-PMH provider at /oai (DIANCANG_DATABASE_URL selects the catalogue)."""
    from werkzeug.serving import run_simple

    from console.web import create_app

    app = create_app()
    click.echo(f"Serving OAI-PMH at http://{host}:{port}/oai")
    run_simple(host, port, app, threaded=True, use_reloader=False)
