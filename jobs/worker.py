"""A worker: takes queued crawl jobs and runs each as a ``diancang crawl`` child process.

For each job it writes the seed list of the job's seeds into the job's folder
(``DATA_DIR/jobs/job-ID/job-ID.csv``, which makes that folder the crawl's own job directory:
frontier journal, log, ``progress.json``) and starts ``diancang crawl`` on it, ``--resume``
for a resumed job. Every ``worker_interval`` seconds it copies the crawl's ``progress.json``
into the job row with a heartbeat, and passes a stop request on as SIGTERM (the crawl
finishes the requests under way and closes its WARC files). When the crawl ends, a thread
catalogues the job's WARCs and indexes them for replay while the loop goes on, then the job
is finished, stopped or failed; a finished or stopped job's pages are then queued for review
and scored (QA), in a thread too, while the job already shows its outcome (the job's ``qa``
shows the scoring's progress). The web process never crawls: only workers do.

A patch job (``kind`` patch) crawls exactly its URLs into the collection of the page it
patches, then has that page scored again (jobs/patch.py).

The crawls run inside ``ChildProcesses``: a stop signal to the worker stops each crawl
gracefully (its job is then ``stopped``, to be resumed), and a worker killed with SIGKILL
takes its crawls along; the job it leaves running is failed by the next worker's look for
stale jobs.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from diancang.catalog.db import Catalog
from diancang.child_processes import ChildProcesses, script
from diancang.console.crawl_commands import EXIT_SPOOLED
from diancang.crawler.job import PROGRESS_FILE
from diancang.jobs import patch
from diancang.jobs.after_crawl import (
    Catalogued,
    catalogue_warcs,
    latest_report,
    read_report,
    report_warcs,
    review_job,
)
from diancang.jobs.models import FAILED, FINISHED, PATCH, RUNNING, STOPPED, CrawlJob
from diancang.jobs.queue import JobError, claim_job, fail_stale, utcnow, worker_name
from diancang.pywb_collections import collection_name
from diancang.registry.seed_files import write_seed_csv
from diancang.settings import Settings

log = logging.getLogger(__name__)

# A stopped crawl finishes the requests under way and closes its WARC files; on loopback
# that takes seconds, but a browser page may need its whole timeout.
CRAWL_GRACE = 60.0
CRAWL_OUTPUT = "worker-crawl.log"  # the crawl's stdout and stderr, in its job folder
ERROR_PREFIX = "Error: "  # how click prints the message of a crawl that failed


def job_folder(settings: Settings, job_id: int) -> Path:
    return settings.jobs_dir / f"job-{job_id}"


@dataclass
class Crawl:
    """One crawl child of this worker."""

    job_id: int
    process: subprocess.Popen
    folder: Path
    started: float  # time.time() at start: reports written since are this crawl's
    base: tuple[int, int, int]  # pages, bytes, errors of the runs before a resume
    collections: set[str]
    patch_item_id: int | None = None  # a patch job's review item, scored again after it
    stop_sent: bool = False
    ended: bool = False
    after: Future | None = field(default=None, repr=False)  # cataloguing, once it ended
    review: Future | None = field(default=None, repr=False)  # then the review queue and QA

    @property
    def name(self) -> str:
        return self.folder.name


class Worker:
    def __init__(self, settings: Settings, catalog: Catalog, children: ChildProcesses, slots: int):
        self.settings = settings
        self.catalog = catalog
        self.children = children
        self.slots = slots
        self.name = worker_name()
        self.crawls: list[Crawl] = []
        self.cataloguer = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="catalogue")

    def run(self) -> None:
        """Work until a stop signal (``Stopped``); then stop the crawls and record them."""
        log.info("worker %s: up to %d jobs at once", self.name, self.slots)
        try:
            while True:
                self.step()
                time.sleep(self.settings.console.worker_interval)
        finally:
            self.shutdown()

    def step(self) -> None:
        """One look: ended crawls, progress and stop requests, stale jobs, new jobs."""
        self._note_ended()
        for crawl in list(self.crawls):
            if crawl.review is not None:
                if crawl.review.done():
                    self._record_review(crawl, crawl.review.result())
            elif crawl.after is not None and crawl.after.done():
                self._record_end(crawl, crawl.after.result())
            elif crawl.ended and crawl.after is None:
                crawl.after = self.cataloguer.submit(self._catalogue, crawl)
            else:
                self._update(crawl)
        with self.catalog.session() as db:
            for job_id in fail_stale(db, self.settings.console.worker_stale_after):
                log.warning("job %s: its worker is gone; marked failed", job_id)
        while len(self.crawls) < self.slots and self._start_next():
            pass

    def _note_ended(self) -> None:
        ended = self.children.poll()
        for crawl in self.crawls:
            crawl.ended = crawl.ended or crawl.process in ended

    # -- starting ---------------------------------------------------------------------

    def _start_next(self) -> bool:
        with self.catalog.session() as db:
            job = claim_job(db, self.name)
            if job is None:
                return False
            folder = job_folder(self.settings, job.id)
            seed_list = folder / f"{folder.name}.csv"
            resume = job.resume and seed_list.is_file()
            seeds = [link.seed for link in job.seeds if link.seed is not None]
            if job.kind != PATCH and not seeds:
                _end(job, FAILED, "任务的种子站点均已删除")
                return True
            folder.mkdir(parents=True, exist_ok=True)
            args = [script("diancang"), "crawl", str(seed_list), *(["--resume"] * resume)]
            env = {**os.environ, "DIANCANG_DATA_DIR": str(self.settings.data_dir)}
            if job.kind == PATCH:  # its lists are written again on resume: the same lists
                try:
                    collections = {patch.write_patch_crawl(db, job, seed_list)}
                except JobError as error:
                    _end(job, FAILED, error.message)
                    return True
                args += ["--urls", str(patch.url_list(seed_list))]
                env.update(patch.CRAWL_ENV)
            else:
                if not resume:  # a resumed crawl keeps the seed list its frontier came from
                    write_seed_csv(seeds, seed_list)
                collections = {collection_name(s.collection, s.jurisdiction) for s in seeds}
            if not resume:
                job.pages = job.bytes = job.errors = job.queued_urls = 0
            (folder / PROGRESS_FILE).unlink(missing_ok=True)
            job.job_dir, job.message = str(folder), None
            base = (job.pages, job.bytes, job.errors)
            job_id, patch_item_id = job.id, job.patch_item_id if job.kind == PATCH else None
        with (folder / CRAWL_OUTPUT).open("ab") as output:
            process = self.children.start(
                args, CRAWL_GRACE, stdout=output, stderr=subprocess.STDOUT, env=env
            )
        crawl = Crawl(job_id, process, folder, time.time(), base, collections, patch_item_id)
        self.crawls.append(crawl)
        log.info("job %s: crawl started (pid %s)%s", job_id, process.pid, " resumed" * resume)
        return True

    # -- while it runs ----------------------------------------------------------------

    def _update(self, crawl: Crawl) -> None:
        """Progress and heartbeat into the job row; its stop request on to the crawl."""
        with self.catalog.session() as db:
            job = db.get(CrawlJob, crawl.job_id)
            _copy_progress(job, crawl)
            job.heartbeat_at = utcnow()
            stop = job.stop_requested
        if stop and not crawl.stop_sent and not crawl.ended:
            os.kill(crawl.process.pid, signal.SIGTERM)  # not reaped yet: still its pid
            crawl.stop_sent = True
            log.info("job %s: stop requested, crawl told to stop", crawl.job_id)

    # -- when it ended ----------------------------------------------------------------

    def _catalogue(self, crawl: Crawl) -> tuple[dict | None, Path | None, Catalogued]:
        """In a thread: the crawl's report, and its WARCs (all the job's) catalogued."""
        report_path = latest_report(self.settings, crawl.name, crawl.started)
        report = read_report(report_path)
        with self.catalog.session() as db:
            job = db.get(CrawlJob, crawl.job_id)
            names = set(job.warcs or []) | (report_warcs(report) if report else set())
            job.warcs = sorted(names)
            library_id = job.library_id
        done = catalogue_warcs(self.settings, self.catalog, names, crawl.collections, library_id)
        return report, report_path, done

    def _review(self, crawl: Crawl) -> str | None:
        """In a thread: the job's pages queued for review and scored (a patch job: its page
        scored again); what went wrong, for the job's message."""
        if crawl.patch_item_id is not None:
            return patch.rescore(self.settings, self.catalog, crawl.job_id, crawl.patch_item_id)
        return review_job(self.settings, self.catalog, crawl.job_id)

    def _record_end(self, crawl: Crawl, outcome: tuple[dict | None, Path | None, Catalogued]):
        report, report_path, catalogued = outcome
        returncode = crawl.process.returncode
        with self.catalog.session() as db:
            job = db.get(CrawlJob, crawl.job_id)
            _copy_progress(job, crawl)
            job.report_path = str(report_path) if report_path else job.report_path
            job.ingested_at = utcnow()
            state, message = self._outcome(job, crawl, returncode)
            if catalogued.errors:
                message = "；".join(filter(None, [message, "编目出错：" + catalogued.errors[0]]))
            if job.state == RUNNING and job.worker == self.name:
                _end(job, state, message)
        log.info("job %s: %s (crawl exit status %s)", crawl.job_id, state, returncode)
        if state in (FINISHED, STOPPED):
            crawl.review = self.cataloguer.submit(self._review, crawl)
        else:
            self.crawls.remove(crawl)

    def _record_review(self, crawl: Crawl, note: str | None) -> None:
        if note:
            with self.catalog.session() as db:
                job = db.get(CrawlJob, crawl.job_id)
                job.message = "；".join(filter(None, [job.message, note]))
        self.crawls.remove(crawl)

    def _outcome(self, job: CrawlJob, crawl: Crawl, returncode: int) -> tuple[str, str | None]:
        if returncode == 0:
            return FINISHED, None
        if returncode == EXIT_SPOOLED:
            return (
                FINISHED,
                "采集完成，部分 WARC 文件仍在本地暂存区等待上传（diancang storage sync）",
            )
        if crawl.stop_sent:
            return STOPPED, "已按要求停止；已采集的内容已保存，可继续采集"
        return FAILED, _failure(crawl.folder / CRAWL_OUTPUT, returncode)

    # -- the worker stops -------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop every crawl gracefully and record its job stopped (resumable)."""
        for crawl in self.crawls:
            if not crawl.ended and not crawl.stop_sent:
                os.kill(crawl.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + CRAWL_GRACE
        while time.monotonic() < deadline and not all(crawl.ended for crawl in self.crawls):
            time.sleep(0.2)
            self._note_ended()
        self.cataloguer.shutdown(wait=False, cancel_futures=True)
        with self.catalog.session() as db:
            for crawl in self.crawls:
                job = db.get(CrawlJob, crawl.job_id)
                report = read_report(latest_report(self.settings, crawl.name, crawl.started))
                job.warcs = sorted(
                    set(job.warcs or []) | (report_warcs(report) if report else set())
                )
                _copy_progress(job, crawl)
                if job.state == RUNNING and job.worker == self.name:
                    _end(job, STOPPED, "工作进程停止，采集已停止；已采集的内容保留，可继续采集")


def _copy_progress(job: CrawlJob, crawl: Crawl) -> None:
    """The crawl's figures (``progress.json``), added to those of the runs before it."""
    try:
        figures = json.loads((crawl.folder / PROGRESS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    pages, size, errors = crawl.base
    job.pages = pages + int(figures.get("pages", 0))
    job.bytes = size + int(figures.get("bytes", 0))
    job.errors = errors + int(figures.get("errors", 0))
    job.queued_urls = int(figures.get("queued", 0))
    elapsed = float(figures.get("elapsed_seconds") or 0)
    job.pages_per_minute = round(figures.get("pages", 0) * 60 / elapsed, 1) if elapsed else 0.0


def _end(job: CrawlJob, state: str, message: str | None) -> None:
    job.state, job.message, job.finished_at = state, message, utcnow()
    job.queued_urls = 0 if state == FINISHED else job.queued_urls


def _failure(output: Path, returncode: int) -> str:
    """Why the crawl failed: click's error line, else how it ended."""
    try:
        lines = output.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    errors = [line for line in lines if line.startswith(ERROR_PREFIX)]
    if errors:
        return "采集失败：" + errors[-1].removeprefix(ERROR_PREFIX)[:2000]
    if returncode < 0:
        return f"采集进程被信号 {signal.Signals(-returncode).name} 终止"
    return f"采集失败（退出状态 {returncode}），详见 {output}"
