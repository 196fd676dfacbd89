"""QA pages per minute per Chromium, and peak memory (run by hand, not collected by pytest):

    .venv/bin/python tests/benchmarks/qa_pages.py [--sites portal,generated] [--pages 100]
        [--at-once 4] [--keep DIR]

For each site it makes a browser capture first (``diancang crawl`` with ``browser`` true, so
every page has its capture-time screenshot and text), catalogues it as a finished job, then
times ``diancang.review.qa_runs.score_job`` on that job in this process: QA's own pywb
started, one headless Chromium with ``--at-once`` pages open (``DIANCANG_BROWSER_MAX_PAGES``),
each page replayed, screenshotted, compared and stored. Sampling is off: every page is
scored.

* portal: the demo portal (its every HTML page, as its crawl reaches them).
* generated: ``tests/sites/generated.py``, one host of ``--pages`` pages, each a seed of
  depth 0.

Measured: pages scored, wall time of ``score_job`` (pywb and Chromium start-up included),
pages per minute over that time and over the pages after the first (start-up left out),
the run's own figure (``QaRun.pages_per_minute``), the severity of the pages, and the peak
memory of this process with its children (pywb, Playwright's driver, Chromium), summed RSS
and PSS, sampled with psutil every 0.2 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: sites, helpers
from browser_proctree import MIB, TreeSampler  # noqa: E402
from crawl_helpers import crawl_env, run_crawl_cli, write_seed_list  # noqa: E402
from registered_seeds import library  # noqa: E402
from sites.generated import GeneratedSite  # noqa: E402
from sqlalchemy import select  # noqa: E402

from diancang.catalog.db import Catalog  # noqa: E402
from diancang.catalog.records_builder import utcnow  # noqa: E402
from diancang.console.demo_setup import demo_seed_fields  # noqa: E402
from diancang.demo_portal.server import DemoPortal  # noqa: E402
from diancang.jobs.after_crawl import catalogue_warcs  # noqa: E402
from diancang.jobs.models import FINISHED, CrawlJob  # noqa: E402
from diancang.review.models import QaScore  # noqa: E402
from diancang.review.qa_runs import score_job  # noqa: E402
from diancang.settings import load_settings  # noqa: E402


def _seed_rows(site_name: str, served) -> list[dict]:
    if site_name == "portal":
        row = {k: v for k, v in demo_seed_fields(served).items() if v}
        return [{**row, "browser": "true"}]
    return [
        {"url": url, "title": "生成站点", "jurisdiction": "500000", "collection": "govinfo",
         "depth": "0", "browser": "true"}
        for url in sorted(served.page_urls())
    ]  # fmt: skip


def measure(site_name: str, served, work: Path, at_once: int) -> dict:
    data_dir = work / site_name
    seeds = write_seed_list(work / f"{site_name}.csv", _seed_rows(site_name, served))
    started = time.monotonic()
    run_crawl_cli(data_dir, seeds)
    crawl_seconds = time.monotonic() - started
    env = {
        **crawl_env(data_dir),
        "DIANCANG_BROWSER_MAX_PAGES": str(at_once),
        "DIANCANG_REVIEW_QA_SAMPLE_ABOVE": "1000000",
    }
    settings = load_settings(env)
    catalog = Catalog(settings.database_url)
    names = {p.name for p in (data_dir / "warcs").glob("*/*.warc.gz")}
    collections = {p.parent.name for p in (data_dir / "warcs").glob("*/*.warc.gz")}
    with catalog.session() as db:
        lib = library(db)
    catalogue_warcs(settings, catalog, names, collections, lib)
    with catalog.session() as db:
        job = CrawlJob(library_id=lib, state=FINISHED, origin="manual", created_at=utcnow(),
                       warcs=sorted(names))  # fmt: skip
        db.add(job)
        db.flush()
        job_id = job.id
    sampler = TreeSampler(os.getpid()).start()
    started = time.monotonic()
    run = score_job(settings, catalog, job_id)
    seconds = time.monotonic() - started
    sampler.stop()
    with catalog.session() as db:
        scores = list(db.scalars(select(QaScore).where(QaScore.run_id == run.id)))
        first = min(score.computed_at for score in scores)
        last = max(score.computed_at for score in scores)
    catalog.dispose()
    steady = (last - first).total_seconds()
    return {
        "site": site_name,
        "pages": len(scores),
        "crawl_seconds": crawl_seconds,
        "seconds": seconds,
        "per_minute": len(scores) * 60 / seconds,
        "steady_per_minute": (len(scores) - 1) * 60 / steady if steady else 0.0,
        "run_per_minute": run.pages_per_minute,
        "severity": Counter(score.severity for score in scores),
        "screenshot": sorted(s.screenshot_match for s in scores if s.screenshot_match is not None),
        "peak_rss": sampler.peak("tree_rss") / MIB,
        "peak_pss": (sampler.peak("tree_pss") or 0) / MIB,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="portal,generated")
    parser.add_argument("--pages", type=int, default=100, help="pages of the generated site")
    parser.add_argument("--at-once", type=int, default=4, help="pages open in Chromium")
    parser.add_argument("--keep", type=Path, help="work here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="qa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# {platform.node()}: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {work}")
    results = []
    for site_name in args.sites.split(","):
        if site_name == "portal":
            with DemoPortal(port=0).start() as portal:
                results.append(measure("portal", portal, work, args.at_once))
        else:
            with GeneratedSite(hosts=1, pages=args.pages, latency=0.0) as site:
                results.append(measure("generated", site, work, args.at_once))
    print(f"# load average after: {os.getloadavg()[0]:.1f}")
    print("| site | pages | QA s | pages/min (whole run) | pages/min (after the first page) "
          "| peak RSS MB | peak PSS MB | severity | screenshot match min / median |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for r in results:
        shots = r["screenshot"]
        median = shots[len(shots) // 2] if shots else None
        low = f"{shots[0]:.3f} / {median:.3f}" if shots else "—"
        severity = ", ".join(f"{k} {v}" for k, v in sorted(r["severity"].items(), key=str))
        print(f"| {r['site']} | {r['pages']} | {r['seconds']:.1f} | {r['per_minute']:.1f} "
              f"| {r['steady_per_minute']:.1f} | {r['peak_rss']:.0f} | {r['peak_pss']:.0f} "
              f"| {severity} | {low} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
