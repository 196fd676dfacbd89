"""What a worker does with a crawl that ended: catalogue its WARCs and index them for replay.

The same as ``diancang catalog ingest --new`` restricted to the job's WARC files, through the
catalogue's Python API, with the job's library as owner of the records it finds unowned;
then the pywb indexes of every WARC not yet indexed (a stopped crawl does not index itself).
A finished or stopped job's pages then join the review queue and, with
``review.qa_after_crawl``, are scored in replay (``diancang qa run`` does the same).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from diancang.catalog.db import Catalog
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.warc_source import store_warcs
from diancang.jobs.models import CrawlJob
from diancang.replay.index import CollectionIndexes
from diancang.review.queue import enqueue_job
from diancang.settings import Settings
from diancang.storage import open_store

log = logging.getLogger(__name__)


@dataclass
class Catalogued:
    records: int = 0
    errors: list[str] = field(default_factory=list)


def latest_report(settings: Settings, job_name: str, since: float) -> Path | None:
    """The crawl report of ``job_name`` written at or after ``since`` (a time.time())."""
    found = [
        path
        for path in settings.reports_dir.glob(f"{job_name}-*.json")
        if path.stat().st_mtime >= since
    ]
    return max(found, default=None)  # names end in the report's time stamp


def report_warcs(report: dict) -> set[str]:
    """The WARC files a crawl report names: written, and left open before and closed now."""
    names = set(report.get("warc_files") or [])
    names |= {Path(path).name for path in report.get("recovered_files") or []}
    return names


def read_report(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def catalogue_warcs(
    settings: Settings,
    catalog: Catalog,
    names: set[str],
    collections: set[str],
    library_id: int,
) -> Catalogued:
    """Ingest the WARC files ``names`` of ``collections``, records owned by ``library_id``;
    then index every WARC of the store that has no replay index yet."""
    done = Catalogued()
    store = open_store(settings)
    try:
        options = IngestOptions(replay_base=settings.replay_url, library_id=library_id)
        for collection in sorted(collections):
            for warc in store_warcs(store, collection):
                if warc.name not in names:
                    continue
                result = ingest_warc(catalog, warc, options)
                done.records += result.records
                if result.error:
                    done.errors.append(result.error)
        CollectionIndexes(settings.index_dir).update(store)
    finally:
        store.close()
    return done


def review_job(settings: Settings, catalog: Catalog, job_id: int) -> str | None:
    """Queue a catalogued job's pages for review, then score them when
    ``review.qa_after_crawl``. Never raises: what went wrong is returned for the job's
    message, and the job keeps its state (its captures and records are not at fault)."""
    # imported here: the web console imports this module, and needs no Playwright nor Pillow
    from diancang.review.qa_runs import score_job

    try:
        with catalog.session() as db:
            pages = enqueue_job(db, db.get(CrawlJob, job_id))
        if pages and settings.review.qa_after_crawl:
            score_job(settings, catalog, job_id)
    except Exception as exc:  # noqa: BLE001 - QA is an addition to the job, not a part of it
        log.exception("job %s: review queue or QA failed", job_id)
        return (
            f"质检（QA）未完成：{exc}；采集和编目的结果不受影响，可用 diancang qa run {job_id} 重试"
        )
    return None
