"""`diancang crawl`: capture the sites of a seed list into WARC files, then index them.

Exit status: 0 finished and every WARC stored; 1 the crawl could not start or did not finish,
or a WARC could not be closed; ``EXIT_SPOOLED`` finished, but WARC files still wait in the
local spool for an S3 store that could not take them (``diancang storage sync`` uploads them).
"""

from __future__ import annotations

from pathlib import Path

import click

from diancang.crawler.job import CrawlError, last_job
from diancang.crawler.report import summary
from diancang.crawler.run import run_crawl
from diancang.crawler.start_urls import read_start_urls
from diancang.replay.index import CollectionIndexes
from diancang.settings import load_settings
from diancang.storage import open_store

EXIT_SPOOLED = 3


@click.command()
@click.argument("seed_list", required=False, type=click.Path(path_type=Path))
@click.option("--seed", "seed_id", help="Crawl only the seed with this id.")
@click.option(
    "--urls",
    "urls_file",
    type=click.Path(path_type=Path),
    help="Crawl only the URLs of this file (one a line) for the seed, in place of its URL: "
    "a patch crawl. The seed's scope and depth still say what else is followed.",
)
@click.option("--resume", is_flag=True, help="Resume the crawl from its job directory.")
@click.option(
    "--job",
    "job",
    help="Name of the crawl on the shared frontier (DIANCANG_FRONTIER_URL); a crawl of that "
    "name still running is joined. Default: the seed list's name.",
)
def crawl(
    seed_list: Path | None,
    seed_id: str | None,
    urls_file: Path | None,
    resume: bool,
    job: str | None,
) -> None:
    """Crawl SEED_LIST (CSV or YAML) into WARC files.

    Exits 3 when the crawl finished but WARC files still wait in the local spool (S3
    endpoint down): `diancang storage sync` uploads them.
    """
    settings = load_settings()
    try:
        if seed_list is None:
            if not resume:
                raise CrawlError("give a seed list, or --resume to continue the last crawl")
            last = last_job(settings)
            seed_list, seed_id = Path(last["seed_list"]), seed_id or last["seed_id"]
        if not seed_list.is_file():
            raise CrawlError(f"{seed_list}: no such seed list")
        start_urls = read_start_urls(urls_file) if urls_file is not None else None
        result = run_crawl(settings, seed_list, seed_id, resume, job, start_urls)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from exc
    report_crawl(settings, result)


def report_crawl(settings, result) -> None:
    """Index the crawl's WARC files for replay and print its summary; exit 3 when WARC files
    still wait in the spool."""
    for error in result.seed_errors:
        click.echo(f"skipped: {error}", err=True)
    indexed = CollectionIndexes(settings.index_dir).update(open_store(settings))
    click.echo(summary(result.report))
    click.echo(f"  indexed       {len(indexed)} WARC files for replay")
    click.echo(f"  report        {result.report_path}")
    if result.spooled:
        raise SystemExit(EXIT_SPOOLED)
