"""The console's ``/workers`` page (采集节点): the crawls on the shared frontier, each with its
workers (live leases, requests done in the last minute), its queue per host and what is
pending, read from Redis (crawl/frontier_status.py). Admins and librarians, read-only."""

from __future__ import annotations

import valkey
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from diancang.accounts.models import ADMIN, LIBRARIAN
from diancang.crawler.frontier_status import HOSTS_SHOWN, crawl_statuses
from diancang.crawler.frontier_store import connect
from diancang.settings import Settings

READERS = (ADMIN, LIBRARIAN)
REFRESH_SECONDS = 10
REDIS_TIMEOUT = 5  # seconds: the page says Redis does not answer rather than hang


def workers_blueprint(settings: Settings) -> Blueprint:
    blueprint = Blueprint("workers", __name__, template_folder="templates")
    clients: list[valkey.Valkey] = []  # one client (and its pool) for the app, made on first use

    @blueprint.app_context_processor
    def nav():
        return {"sees_workers": current_user.is_authenticated and current_user.role in READERS}

    @blueprint.get("/workers")
    @login_required
    def workers_page():
        if current_user.role not in READERS:
            abort(403)
        if not settings.frontier_url:
            return render_template("workers.html", crawls=None, error=None)
        try:
            if not clients:
                clients.append(connect(settings.frontier_url, timeout=REDIS_TIMEOUT))
            crawls = crawl_statuses(clients[0], settings.crawl.lease_ttl)
        except (ValueError, valkey.ValkeyError) as exc:
            return render_template("workers.html", crawls=None, error=str(exc)), 503
        return render_template(
            "workers.html",
            crawls=crawls,
            error=None,
            hosts_shown=HOSTS_SHOWN,
            refresh=REFRESH_SECONDS,
        )

    return blueprint
