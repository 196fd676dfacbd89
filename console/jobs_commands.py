"""``diancang scheduler`` (queues due crawl jobs) and ``diancang worker`` (runs them)."""

from __future__ import annotations

import logging

import click

from diancang.child_processes import ChildProcesses


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # schema checks, every start


@click.command()
def scheduler() -> None:
    """Queue a crawl job for each seed whose schedule is due, every scheduler_interval s.

    A schedule missed while the scheduler was down runs once; a seed whose job is queued or
    running gets no second one. SIGTERM or Ctrl-C stops it.
    """
    from diancang.catalog.db import open_catalog
    from diancang.jobs.scheduler import run_scheduler
    from diancang.settings import load_settings

    _logging()
    settings = load_settings()
    catalog = open_catalog(settings.database_url)
    with ChildProcesses():  # a stop signal ends the loop; the process dies of it
        run_scheduler(catalog, settings.console.scheduler_interval)


@click.command()
@click.option("--jobs", "slots", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Crawl jobs run at once.")  # fmt: skip
@click.option("--job", "shared", metavar="NAME",
              help="Join the crawl NAME on the shared frontier (DIANCANG_FRONTIER_URL) "
                   "instead, until it is done.")  # fmt: skip
def worker(slots: int, shared: str | None) -> None:
    """Run queued crawl jobs, up to --jobs at once, each as a `diancang crawl` process.

    When a crawl ends its WARC files are catalogued (records owned by the job's library) and
    indexed for replay. SIGTERM or Ctrl-C stops the crawls (WARC files closed; the jobs are
    stopped and can be resumed) and then the worker.

    With --job NAME it works on the shared crawl NAME started by `diancang crawl SEEDLIST
    --job NAME` on any machine, and exits when that crawl is done.
    """
    from diancang.settings import load_settings

    settings = load_settings()
    if shared is not None:
        _join(settings, shared)
        return
    from diancang.catalog.db import open_catalog
    from diancang.jobs.worker import Worker

    _logging()
    catalog = open_catalog(settings.database_url)
    with ChildProcesses() as children:
        Worker(settings, catalog, children, slots).run()


def _join(settings, name: str) -> None:
    from diancang.console.crawl_commands import report_crawl
    from diancang.crawler.job import CrawlError
    from diancang.crawler.shared_crawl import join_crawl

    try:
        result = join_crawl(settings, name)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from exc
    report_crawl(settings, result)
