"""A real `diancang worker` scores a finished job's pages in replay (QA on, as by default);
a QA that cannot run leaves the job finished, and its message says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from console.console_helpers import PASSWORD, Browser
from registered_seeds import add_seed, library
from served_app import Served
from sites.qa_pages import QaSite
from sqlalchemy import select

from diancang.accounts.tokens import issue_token
from diancang.accounts.users import add_user
from diancang.catalog.db import Catalog
from diancang.jobs.models import FINISHED, QUEUED, RUNNING, CrawlJob
from diancang.jobs.queue import queue_job
from diancang.review.models import QaRun, QaScore, ReviewItem
from diancang.review.states import GOOD
from diancang.settings import load_settings

pytestmark = pytest.mark.slow

DIANCANG = Path(sys.executable).with_name("diancang")
JOB_TIMEOUT = 300  # seconds for a crawl and its QA, on a loaded machine


def _queue_job(
    tmp_path: Path, site: QaSite, name: str, **extra: str
) -> tuple[dict[str, str], Catalog, int]:
    """A data directory ``name`` with one job of the site's good page queued: the
    environment of its processes, the catalogue and the job's id."""
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
    return env, catalog, job_id


@contextmanager
def _worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [str(DIANCANG), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)


def _run_job(tmp_path: Path, site: QaSite, name: str, **extra: str) -> tuple[Catalog, CrawlJob]:
    """One job of the site's good page run by a worker of its own; the catalogue and the job
    once its QA has ended too."""
    env, catalog, job_id = _queue_job(tmp_path, site, name, **extra)
    log = tmp_path / f"{name}-worker.log"
    with _worker(env, log) as worker:
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:
            with catalog.session() as db:
                job = db.get(CrawlJob, job_id)
                run = db.scalars(select(QaRun).where(QaRun.job_id == job_id)).first()
                # and a failed QA is in the job's message
                qa_ended = run is not None and run.finished_at is not None
                noted = qa_ended and (run.message is None or job.message)
            if job.state not in (QUEUED, RUNNING) and noted:
                return catalog, job
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"job {job_id}: {job.state}\n{log.read_text()}"
            time.sleep(0.3)


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


def test_a_job_is_finished_when_catalogued_and_shows_its_qa_going_on(tmp_path, site):
    env, catalog, job_id = _queue_job(tmp_path, site, "qa-after")
    with catalog.session() as db:
        curator = add_user(db, "qa-curator", "curator", PASSWORD, "重庆市图书馆")
        token = issue_token(db, curator)
    served = Served(env, tmp_path / "serve.log")
    try:
        with _worker(env, tmp_path / "qa-after-worker.log") as worker:

            def shown() -> dict:
                assert worker.poll() is None
                answer = requests.get(
                    f"{served.base}/api/jobs/{job_id}",
                    headers={"Authorization": f"Bearer {token}"}, timeout=30,
                )  # fmt: skip
                assert answer.status_code == 200
                return answer.json()

            deadline = time.monotonic() + JOB_TIMEOUT
            while (job := shown())["state"] in (QUEUED, RUNNING):
                assert time.monotonic() < deadline, job
                time.sleep(0.2)
            assert job["state"] == FINISHED and job["message"] is None
            # the crawl and its cataloguing are over; scoring its page in replay is not
            assert job["qa"] is None or not job["qa"]["finished"], job["qa"]
            while not (job := shown())["qa"] or not job["qa"]["finished"]:
                assert job["state"] == FINISHED
                assert time.monotonic() < deadline, job["qa"]
                time.sleep(0.2)
        qa = {"scored": 1, "total": 1, "population": 1, "finished": True, "message": None}
        assert job["qa"] == qa
        assert job["message"] is None
        browser = Browser(served.base)
        assert browser.login("qa-curator").status_code == 200
        page = browser.get(f"/jobs/{job_id}").text
        assert 'id="job-qa" data-scored="1" data-total="1" data-finished="true"' in page
        assert "质检（QA）：已完成，已评分 1/1 页" in page
    finally:
        served.stop()
        catalog.dispose()
