"""``diancang qa run JOB``: replay a job's pages and score them against their capture."""

from __future__ import annotations

import click


@click.group()
def qa() -> None:
    """Automatic QA (质检): captured pages replayed in pywb and headless Chromium."""


@qa.command("run")
@click.argument("job_id", metavar="JOB", type=int)
def run(job_id: int) -> None:
    """Compute (or recompute) the QA scores of crawl job JOB (its id).

    Every HTML page of the job is replayed, or a random sample when the job has more than
    review.qa_sample_above pages. Earlier scores are kept; the review queue shows the new one.
    """
    from diancang.catalog.db import open_catalog
    from diancang.review.qa_runs import QaError, describe, score_job, severity_counts
    from diancang.settings import load_settings

    settings = load_settings()
    catalog = open_catalog(settings.database_url)
    try:
        result = score_job(settings, catalog, job_id)
        counts = severity_counts(catalog, result.id)
    except QaError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        catalog.dispose()
    click.echo(describe(result))
    for name, count in counts:
        click.echo(f"  {name}  {count} 页")
