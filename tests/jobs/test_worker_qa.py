"""A real `diancang worker` scores a finished job's pages in replay (QA on, as by default);
a QA that cannot run leaves the job finished, and its message says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from registered_seeds import add_seed, library
from sites.qa_pages import QaSite
from sqlalchemy import select

from diancang.catalog.db import Catalog
from diancang.jobs.models import FINISHED, QUEUED, RUNNING, CrawlJob
from diancang.jobs.queue import queue_job
from diancang.review.models import QaRun, QaScore, ReviewItem
from diancang.review.states import GOOD
from diancang.settings import load_settings

pytestmark = pytest.mark.slow

DIANCANG = Path(sys.executable).with_name("diancang")
JOB_TIMEOUT = 300  # seconds for a crawl and its QA, on a loaded machine


def _run_job(tmp_path: Path, site: QaSite, name: str, **extra: str) -> tuple[Catalog, CrawlJob]:
    """One job of the site's good page run by a worker of its own; the catalogue and the job."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env.update(
        DIANCANG_DATA_DIR=str(tmp_path / name),
        DIANCANG_ALLOW_NETWORKS="127.0.0.0/8",
        DIANCANG_BROWSER_DETECT="0",
        DIANCANG_CONSOLE_WORKER_INTERVAL="0.5",
        **extra,
    )
    catalog = Catalog(load_settings(env).database_url)
    with catalog.session() as db:
        lib = library(db)
        seed = add_seed(db, lib, site.url("/good.html"), "qa-seed", depth="0")
        job_id = queue_job(db, lib, [seed.id]).id
    log = tmp_path / f"{name}-worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [str(DIANCANG), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:
            with catalog.session() as db:
                job = db.get(CrawlJob, job_id)
            if job.state not in (QUEUED, RUNNING):
                return catalog, job
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"job {job_id}: {job.state}\n{log.read_text()}"
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)


@pytest.fixture(scope="module")
def site():
    with QaSite(pages=0) as served:
        yield served


def test_a_finished_job_is_queued_for_review_and_scored(tmp_path, site):
    catalog, job = _run_job(tmp_path, site, "on")
    try:
        assert job.state == FINISHED and job.message is None, job.message
        with catalog.session() as db:
            run = db.scalars(select(QaRun).where(QaRun.job_id == job.id)).one()
            item = db.scalars(select(ReviewItem).where(ReviewItem.job_id == job.id)).one()
            score = db.get(QaScore, item.score_id)
        assert run.population == run.sample_size == 1 and run.message is None
        assert score.run_id == run.id and score.text_match >= 0.9
        assert score.screenshot_match is None  # an HTTP-only crawl
        assert item.severity == GOOD and item.score == score.text_match
    finally:
        catalog.dispose()


def test_a_qa_that_cannot_run_leaves_the_job_finished_and_says_so(tmp_path, site):
    catalog, job = _run_job(tmp_path, site, "broken", DIANCANG_CHROMIUM="/nonexistent/chromium")
    try:
        assert job.state == FINISHED
        assert job.message.startswith("质检（QA）未完成：") and "diancang qa run" in job.message
        with catalog.session() as db:
            item = db.scalars(select(ReviewItem).where(ReviewItem.job_id == job.id)).one()
            run = db.scalars(select(QaRun).where(QaRun.job_id == job.id)).one()
        assert item.score_id is None  # queued for review, not scored
        assert run.message.startswith("QA 未完成") and run.finished_at
    finally:
        catalog.dispose()
