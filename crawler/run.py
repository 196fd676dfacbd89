"""Run a crawl of a seed list to the end and report on it."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from diancang.crawler import shared_crawl
from diancang.crawler.context import crawl_context
from diancang.crawler.job import CrawlError, job_dir_for, job_name, running_job
from diancang.crawler.report import build_report, write_report
from diancang.crawler.scrapy_settings import scrapy_settings
from diancang.crawler.shared_state import owns_warc, shared_state, worker_id
from diancang.crawler.spider import SiteSpider
from diancang.crawler.warc import revisit_index
from diancang.crawler.warc.sink import CLOSE_FAILURES
from diancang.seeds.load import load_seed_list
from diancang.seeds.schema import Seed, SeedError, SeedList
from diancang.settings import Settings
from diancang.storage.base import StoredWarc

log = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    report: dict
    report_path: Path
    warcs: list[StoredWarc]
    seed_errors: list[SeedError]

    @property
    def spooled(self) -> bool:
        """Finished, but some of its WARC files are still only in the local spool."""
        return bool(self.report["spool_waiting"])


def _browser_wanted(settings: Settings, seeds: list) -> bool:
    """Whether Chromium takes part: browser seeds need it, detection uses it when present."""
    chromium = Path(settings.crawl.chromium)
    needed = [seed.id for seed in seeds if seed.browser]
    if needed and not os.access(chromium, os.X_OK):
        raise CrawlError(
            f"seeds {', '.join(needed)} need a browser, but {chromium} is not an executable "
            "Chromium; install Debian's chromium or set DIANCANG_CHROMIUM"
        )
    if not needed and settings.crawl.browser_detect and not os.access(chromium, os.X_OK):
        log.warning("%s not found: script-built pages are captured over HTTP only", chromium)
        return False
    return bool(needed) or settings.crawl.browser_detect


def run_crawl(
    settings: Settings,
    seed_list: Path,
    seed_id: str | None = None,
    resume: bool = False,
    job: str | None = None,
    start_urls: list[str] | None = None,
) -> CrawlResult:
    """Crawl ``seed_list`` (or its seed ``seed_id``). With a shared frontier the crawl is the
    job ``job`` (default: named for the seed list) in Redis: the first process seeds it,
    every other one started with the same job joins it (crawler/shared_crawl.py).
    ``start_urls`` are crawled for the one seed in place of its URL
    (crawler/start_urls.py)."""
    loaded = load_seed_list(seed_list)
    seeds = loaded.seeds
    if seed_id is not None:
        seeds = [seed for seed in seeds if seed.id == seed_id]
        if not seeds:
            raise CrawlError(f"{seed_list}: no seed with id {seed_id!r}")
    if not seeds:
        raise CrawlError(f"{seed_list}: no valid seed to crawl")
    if start_urls and len(seeds) > 1:
        raise CrawlError(f"{seed_list}: given URLs are crawled for one seed: name it with --seed")

    try:  # before anything is written: a crawl must not store what it cannot dedup
        revisit_index.check(settings.dedup_url)
    except revisit_index.DedupUnavailable as exc:
        raise CrawlError(str(exc)) from exc

    if settings.frontier_url:
        name = job or job_name(seed_list.stem, seed_id)
        job_dir = shared_crawl.worker_dir(settings, name)
        with running_job(job_dir, seed_list, seed_id):
            shared_crawl.announce(settings, name, seed_list, seed_id, resume)
            return _crawl(
                settings, loaded, seed_list, seed_id, seeds, job_dir, resume, start_urls, name
            )
    job_dir = job_dir_for(settings, seed_list, seed_id)
    with running_job(job_dir, seed_list, seed_id):
        return _crawl(settings, loaded, seed_list, seed_id, seeds, job_dir, resume, start_urls)


def _crawl(
    settings: Settings,
    loaded: SeedList,
    seed_list: Path,
    seed_id: str | None,
    seeds: list[Seed],
    job_dir: Path,
    resume: bool,
    start_urls: list[str] | None,
    shared_job: str | None = None,
) -> CrawlResult:
    job = shared_job or job_dir.name
    browser = _browser_wanted(settings, seeds)
    seed_ids = [seed.id for seed in seeds]
    process = CrawlerProcess(
        settings={
            **scrapy_settings(
                settings, seed_list, seed_ids, job_dir, resume, browser, shared_job, start_urls
            ),
            "LOG_FILE": str(job_dir / "crawl.log"),
        }
    )
    # Scrapy leaves the root logger at NOTSET and filters by LOG_LEVEL in its handler, so
    # the debug lines of every page ("Crawled", each dropped checkpoint item) were built as
    # records only to be dropped there; its loggers now drop them first.
    logging.getLogger("scrapy").setLevel(process.settings["LOG_LEVEL"])
    crawler = process.create_crawler(SiteSpider)
    try:
        context = crawl_context(crawler)  # opens the WARC store
        store = context.store
        recovered = store.recover(owned=owns_warc(settings) if shared_job else None)
    except ValueError as exc:  # a WARC store that is misconfigured or unreachable
        raise CrawlError(f"WARC store {settings.warc_store}: {exc}") from exc
    process.crawl(crawler)
    try:
        process.start()
    finally:
        store.close()  # hands the last closed files on (S3: waits for their upload)

    warcs = context.warcs
    stats = crawler.stats.get_stats()
    if shared_job:  # the report counts the whole crawl so far, whichever worker writes it
        stats = {**stats, **shared_state(crawler).crawl_counts(stats)}
    names = {warc.name for warc in warcs} | {path.name for path in recovered}
    backlog = store.backlog().of(names)
    report = build_report(
        stats,
        context.stop_examples.examples,
        context.listings.report(),
        job=job,
        seed_list=str(seed_list),
        seeds=[seed.id for seed in seeds],
        resumed=resume,
        **({"worker": worker_id(settings)} if shared_job else {}),
        recovered_files=[str(path) for path in recovered],
        warc_files=[warc.name for warc in warcs],
        refused=context.refusals,
        seed_list_errors=[str(error) for error in loaded.errors],
        warc_failures=stats.get(CLOSE_FAILURES, []),
        spool_waiting=sorted(backlog.waiting),
        spool_reason=backlog.reason,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    worker = f"-{worker_id(settings)}" if shared_job else ""
    report_path = settings.reports_dir / f"{job}-{stamp}{worker}.json"
    write_report(report, report_path)
    if report["warc_failures"]:
        raise CrawlError(
            f"crawl {job}: {len(report['warc_failures'])} WARC files could not be closed or "
            f"stored: {'; '.join(report['warc_failures'])}; see {report_path}"
        )
    if report["finish_reason"] != "finished" or stats.get("log_count/CRITICAL"):
        raise CrawlError(
            f"crawl {job} did not finish ({report['finish_reason']}); its WARCs are kept, "
            f"see {job_dir / 'crawl.log'}; continue it with `diancang crawl --resume "
            f"{seed_list}{f' --seed {seed_id}' if seed_id else ''}`"
        )
    return CrawlResult(report, report_path, warcs, loaded.errors)
