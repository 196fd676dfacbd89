"""Run a crawl of a seed list to the end and report on it."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawler.report import build_report, write_report
from crawler.scrapy_settings import scrapy_settings
from crawler.spider import SiteSpider
from crawler.urls import TrapGuard
from diancang.settings import Settings
from seeds.load import load_seed_list
from seeds.schema import SeedError
from storage import open_store
from storage.base import StoredWarc

log = logging.getLogger(__name__)


class CrawlError(Exception):
    """A crawl that cannot start; the message says why."""


@dataclass
class CrawlResult:
    report: dict
    report_path: Path
    warcs: list[StoredWarc]
    seed_errors: list[SeedError]


def job_name(seed_list: Path, seed_id: str | None) -> str:
    return seed_list.stem + (f"-{seed_id}" if seed_id else "")


def last_job(settings: Settings) -> dict:
    """The job file of the most recently started crawl, for ``crawl --resume``."""
    jobs = sorted(settings.jobs_dir.glob("*/job.json"), key=lambda p: p.stat().st_mtime)
    if not jobs:
        raise CrawlError(f"no crawl to resume in {settings.jobs_dir}")
    return json.loads(jobs[-1].read_text(encoding="utf-8"))


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
    settings: Settings, seed_list: Path, seed_id: str | None = None, resume: bool = False
) -> CrawlResult:
    loaded = load_seed_list(seed_list)
    seeds = loaded.seeds
    if seed_id is not None:
        seeds = [seed for seed in seeds if seed.id == seed_id]
        if not seeds:
            raise CrawlError(f"{seed_list}: no seed with id {seed_id!r}")
    if not seeds:
        raise CrawlError(f"{seed_list}: no valid seed to crawl")

    job = job_name(seed_list, seed_id)
    job_dir = settings.jobs_dir / job
    job_dir.mkdir(parents=True, exist_ok=True)
    job_file = {"seed_list": str(seed_list.resolve()), "seed_id": seed_id, "job": job}
    (job_dir / "job.json").write_text(json.dumps(job_file), encoding="utf-8")

    browser = _browser_wanted(settings, seeds)
    try:
        store = open_store(settings)
        recovered = store.recover()
    except ValueError as exc:  # a WARC store that is misconfigured or unreachable
        raise CrawlError(f"WARC store {settings.warc_store}: {exc}") from exc
    warcs: list[StoredWarc] = []
    process = CrawlerProcess(
        settings={
            **scrapy_settings(settings, seeds, store, job_dir, resume, warcs.append, browser),
            "LOG_FILE": str(job_dir / "crawl.log"),
        }
    )
    crawler = process.create_crawler(SiteSpider)
    trap_guard = TrapGuard(settings.crawl.query_variants_per_path, settings.crawl.max_url_length)
    detect = browser and settings.crawl.browser_detect
    process.crawl(crawler, seeds=seeds, trap_guard=trap_guard, browser_detect=detect)
    try:
        process.start()
    finally:
        store.close()  # hands the last closed files on (S3: waits for their upload)

    spider = crawler.spider
    report = build_report(
        crawler.stats.get_stats(),
        job=job,
        seed_list=str(seed_list),
        seeds=[seed.id for seed in seeds],
        resumed=resume,
        recovered_files=[str(path) for path in recovered],
        warc_files=[warc.name for warc in warcs],
        refused=spider.refusals if spider else [],
        seed_list_errors=[str(error) for error in loaded.errors],
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    report_path = settings.warc_dir / "reports" / f"{job}-{stamp}.json"
    write_report(report, report_path)
    stats = crawler.stats.get_stats()
    if report["finish_reason"] != "finished" or stats.get("log_count/CRITICAL"):
        raise CrawlError(
            f"crawl {job} did not finish ({report['finish_reason']}); its WARCs are kept, "
            f"see {job_dir / 'crawl.log'}; continue it with `diancang crawl --resume`"
        )
    return CrawlResult(report, report_path, warcs, loaded.errors)
