"""Real `diancang worker` processes against real crawls of the demo portal on loopback: a job
runs queued → running (its figures rising) → finished, its WARCs catalogued for its library
and indexed for replay; a stopped job keeps closed, valid WARCs and resumes to the end; a
crawl that fails or is killed fails its job with the reason; two workers never take one job.

One portal, one catalogue and two workers are shared by the module (the tests run in order;
each queues jobs of a seed of its own library, so they never wait for each other)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from registered_seeds import add_seed, library
from sqlalchemy import func, select

from diancang.catalog.db import Catalog
from diancang.catalog.models import Record
from diancang.demo_portal.server import DemoPortal
from diancang.jobs.models import FAILED, FINISHED, QUEUED, RUNNING, STOPPED, CrawlJob
from diancang.jobs.queue import queue_job, request_stop, resume_job
from diancang.review.models import QaRun, ReviewItem
from diancang.settings import load_settings

pytestmark = pytest.mark.slow

DIANCANG = Path(sys.executable).with_name("diancang")
WARCIO = Path(sys.executable).with_name("warcio")
JOB_TIMEOUT = 300  # seconds for a crawl of the portal, on a loaded machine
PASSWORD = "长城-great-wall-2026"


@dataclass
class Farm:
    """The portal, the catalogue and the workers of this module."""

    portal: DemoPortal
    data_dir: Path
    env: dict[str, str]
    catalog: Catalog
    workers: list[subprocess.Popen]
    logs: list[Path]
    libraries: Iterator[int]  # numbers of the libraries made by ``seed``
    finished: list[tuple[int, int]]  # (library id, job id) of the jobs that finished

    def seed(self, url: str | None = None, **fields: str) -> tuple[int, int]:
        """A library of its own and one seed of it (the portal); (library id, seed id)."""
        with self.catalog.session() as db:
            lib = library(db, f"测试图书馆{next(self.libraries)}")
            files_host = self.portal.files_url.split("//", 1)[1].rstrip("/")
            seed = add_seed(
                db, lib, url or self.portal.base_url, f"seed-{lib}",
                requisite_hosts=files_host, **fields,
            )  # fmt: skip
            return lib, seed.id

    def queue(self, library_id: int, seed_id: int) -> int:
        with self.catalog.session() as db:
            return queue_job(db, library_id, [seed_id]).id

    def job(self, job_id: int) -> CrawlJob:
        with self.catalog.session() as db:
            return db.get(CrawlJob, job_id)

    def wait(self, job_id: int, done: Callable[[CrawlJob], bool], what: str) -> CrawlJob:
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:
            job = self.job(job_id)
            if done(job):
                return job
            for worker, log in zip(self.workers, self.logs, strict=True):
                assert worker.poll() is None, f"a worker exited\n{log.read_text()}"
            assert time.monotonic() < deadline, f"job {job_id}: no {what}: {job.state}"
            time.sleep(0.2)

    def warc_paths(self, job: CrawlJob) -> list[Path]:
        found = {path.name: path for path in (self.data_dir / "warcs").glob("*/*.warc.gz")}
        return [found[name] for name in job.warcs]


@pytest.fixture(scope="module")
def farm(tmp_path_factory) -> Iterator[Farm]:
    work = tmp_path_factory.mktemp("jobs-worker")
    data_dir = work / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env.update(
        DIANCANG_DATA_DIR=str(data_dir),
        DIANCANG_ALLOW_NETWORKS="127.0.0.0/8",  # the portal is on loopback
        DIANCANG_BROWSER_DETECT="0",
        # about 15 s a crawl of the portal: progress is written every 5 s
        DIANCANG_DELAY="0.25",
        DIANCANG_CONSOLE_WORKER_INTERVAL="0.5",
        # QA of every portal page would only cost time here (test_worker_qa.py: QA runs)
        DIANCANG_REVIEW_QA_AFTER_CRAWL="false",
    )
    catalog = Catalog(load_settings(env).database_url)
    with DemoPortal(port=0, latency=0.05).start() as portal:
        workers, logs = [], []
        for i, slots in enumerate(("2", "1")):
            log = work / f"worker-{i}.log"
            with log.open("wb") as out:
                workers.append(
                    subprocess.Popen(
                        [str(DIANCANG), "worker", "--jobs", slots],
                        env=env,
                        cwd=work,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )  # fmt: skip
                )
            logs.append(log)
        try:
            yield Farm(portal, data_dir, env, catalog, workers, logs, iter(range(1, 100)), [])
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    worker.kill()
            catalog.dispose()


def _progressed(job: CrawlJob) -> bool:
    """Running with pages done, or ended."""
    return job.state != QUEUED and (job.state != RUNNING or job.pages > 0)


def _warcio_check(paths: list[Path]) -> None:
    assert paths
    check = subprocess.run([str(WARCIO), "check", *map(str, paths)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_job_runs_to_the_end_and_is_catalogued_and_indexed_for_its_library(farm):
    lib, seed = farm.seed()
    job_id = farm.queue(lib, seed)
    running = farm.wait(job_id, _progressed, "progress")
    assert running.state == RUNNING, running.message
    assert running.heartbeat_at is not None and running.worker
    job = farm.wait(job_id, lambda j: j.state not in (QUEUED, RUNNING), "end")
    assert job.state == FINISHED, job.message
    assert job.pages > running.pages and job.bytes > running.bytes
    assert job.errors == 0 and job.finished_at and job.ingested_at
    assert job.report_path and Path(job.report_path).is_file()
    paths = farm.warc_paths(job)
    _warcio_check(paths)
    with farm.catalog.session() as db:
        owned = db.scalar(select(func.count(Record.id)).where(Record.library_id == lib))
        unowned = db.scalar(select(func.count(Record.id)).where(Record.library_id.is_(None)))
        queued = db.scalar(select(func.count(ReviewItem.id)).where(ReviewItem.job_id == job_id))
        scored = db.scalar(select(func.count(QaRun.id)).where(QaRun.job_id == job_id))
    assert owned > 0 and unowned == 0
    assert queued > 0 and scored == 0  # its pages wait for review; QA is off in this module
    index = load_settings(farm.env).index_dir / "govinfo-500000" / "index.cdxj"
    assert farm.portal.base_url.split("//", 1)[1].rstrip("/") in index.read_text()
    farm.finished.append((lib, job_id))


def test_a_stopped_job_keeps_closed_warcs_and_resumes_to_the_end(farm):
    lib, seed = farm.seed()
    job_id = farm.queue(lib, seed)
    running = farm.wait(job_id, _progressed, "progress")
    assert running.state == RUNNING, running.message
    with farm.catalog.session() as db:
        request_stop(db, db.get(CrawlJob, job_id))
    stopped = farm.wait(job_id, lambda j: j.state != RUNNING, "stop")
    assert stopped.state == STOPPED, stopped.message
    assert "停止" in stopped.message
    assert not list((farm.data_dir / "warcs").glob("*/*.open"))
    _warcio_check(farm.warc_paths(stopped))

    with farm.catalog.session() as db:
        resume_job(db, db.get(CrawlJob, job_id))
    finished = farm.wait(job_id, lambda j: j.state not in (QUEUED, RUNNING), "end")
    assert finished.state == FINISHED, finished.message
    assert set(stopped.warcs) < set(finished.warcs)  # the first part's WARCs stay listed
    assert finished.pages > stopped.pages
    report = json.loads(Path(finished.report_path).read_text(encoding="utf-8"))
    assert report["resumed"] and report["frontier_resumed"] > 0 and report["frontier_pending"] == 0
    _warcio_check(farm.warc_paths(finished))


def test_a_crawl_that_cannot_start_fails_its_job_with_the_crawls_reason(farm):
    lib, seed = farm.seed(url="ftp://gov.example/")  # no crawlable seed in the list
    job = farm.wait(farm.queue(lib, seed), lambda j: j.state in (FINISHED, FAILED), "end")
    assert job.state == FAILED
    assert job.message.startswith("采集失败：") and "no valid seed to crawl" in job.message


def test_a_killed_crawl_fails_its_job(farm):
    lib, seed = farm.seed()
    job_id = farm.queue(lib, seed)
    farm.wait(job_id, lambda j: j.state == RUNNING, "start")
    job_dir = f"job-{job_id}"
    deadline = time.monotonic() + 60
    crawls = []
    while not crawls and time.monotonic() < deadline:
        for worker in farm.workers:
            for child in psutil.Process(worker.pid).children():
                if any(job_dir in part for part in child.cmdline()):
                    crawls.append(child)
        time.sleep(0.1)
    (crawl,) = crawls
    crawl.kill()
    job = farm.wait(job_id, lambda j: j.state != RUNNING, "end")
    assert job.state == FAILED and "SIGKILL" in job.message, job.message


def test_two_workers_never_took_the_same_job(farm):
    """Across this module's jobs (each run of each job started by exactly one worker)."""
    started: dict[int, list[int]] = {}
    for i, log in enumerate(farm.logs):
        for job_id in re.findall(r"job (\d+): crawl started", log.read_text()):
            started.setdefault(int(job_id), []).append(i)
    with farm.catalog.session() as db:
        jobs = list(db.scalars(select(CrawlJob)))
    assert jobs and set(started) == {job.id for job in jobs}
    runs = {job.id: 2 if job.resume else 1 for job in jobs}
    assert {job_id: len(who) for job_id, who in started.items()} == runs
    assert len({i for who in started.values() for i in who}) == 2, "one worker did nothing"


def test_the_page_of_a_finished_job_shows_its_figures_report_warcs_and_replay(farm):
    """In headless Chromium, with screenshots of the jobs list and the job's page."""
    from page_shots import chromium, fill_login, screenshot_path
    from served_app import Served

    from diancang.accounts.models import Library
    from diancang.accounts.users import add_user

    assert farm.finished, "needs the finished job of the first test"
    lib, job_id = farm.finished[0]
    with farm.catalog.session() as db:
        add_user(db, "cq-librarian", "librarian", PASSWORD, db.get(Library, lib).name)
    job = farm.job(job_id)
    served = Served(farm.env, farm.data_dir.parent / "serve.log")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.goto(served.base + "/login")
            fill_login(page, "cq-librarian", PASSWORD)
            page.wait_for_url(served.base + "/libraries")
            page.goto(f"{served.base}/jobs")
            assert page.locator(f'tr[data-job-id="{job_id}"]').is_visible()
            page.screenshot(path=str(screenshot_path("jobs")), full_page=True)
            page.goto(f"{served.base}/jobs/{job_id}")
            assert page.locator("#job-state").get_attribute("data-state") == FINISHED
            pages = page.locator("#job-progress [data-pages]").get_attribute("data-pages")
            assert int(pages) == job.pages > 0
            assert page.locator("#job-warcs li").count() == len(job.warcs)
            assert page.locator("#job-report").is_visible()
            replay = page.locator("#job-replay a").first.get_attribute("href")
            assert replay.startswith("http://127.0.0.1:8080/govinfo-500000/")
            assert page.locator("#job-rerun").is_visible()
            assert page.locator("#job-stop").count() == 0
            page.screenshot(path=str(screenshot_path("job")), full_page=True)
    finally:
        served.stop()
    assert screenshot_path("job").stat().st_size > 10_000
