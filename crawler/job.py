"""A crawl job's own directory (frontier journal, log, job file), locked while it runs.

Crawls share a data directory (the console runs several jobs at once); each job's state is
its own. A job is named for its seed list (and seed); a seed list of the same name elsewhere
gets a name of its own, so two lists never share a frontier journal. The lock is an
exclusive ``flock`` held for the crawl's lifetime, so the kernel drops it when the process
dies: a second crawl of a running job, or ``--resume`` of it, is refused instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from diancang.settings import Settings
from diancang.storage.files import write_atomic

JOB_FILE = "job.json"
LOCK_FILE = "running.lock"
# the crawl's figures while it runs, for the console's worker (crawler/progress.py)
PROGRESS_FILE = "progress.json"


class CrawlError(Exception):
    """A crawl that cannot start; the message says why."""


def job_name(stem: str, seed_id: str | None) -> str:
    return stem + (f"-{seed_id}" if seed_id else "")


def _identity(seed_list: Path, seed_id: str | None) -> dict:
    return {"seed_list": str(seed_list.resolve()), "seed_id": seed_id}


def _owner(job_dir: Path) -> dict | None:
    try:
        job = json.loads((job_dir / JOB_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return {"seed_list": job.get("seed_list"), "seed_id": job.get("seed_id")}


def job_dir_for(settings: Settings, seed_list: Path, seed_id: str | None) -> Path:
    """The job directory of this seed list and seed: ``jobs/STEM[-SEED]`` unless another
    seed list already has that name, then ``jobs/STEM-HASH[-SEED]``."""
    identity = _identity(seed_list, seed_id)
    plain = settings.jobs_dir / job_name(seed_list.stem, seed_id)
    if _owner(plain) in (None, identity):
        return plain
    digest = hashlib.sha256(identity["seed_list"].encode()).hexdigest()[:8]
    return settings.jobs_dir / job_name(f"{seed_list.stem}-{digest}", seed_id)


def last_job(settings: Settings) -> dict:
    """The job file of the most recently started crawl, for ``crawl --resume``."""
    jobs = sorted(settings.jobs_dir.glob(f"*/{JOB_FILE}"), key=lambda p: p.stat().st_mtime)
    if not jobs:
        raise CrawlError(f"no crawl to resume in {settings.jobs_dir}")
    return json.loads(jobs[-1].read_text(encoding="utf-8"))


@contextmanager
def running_job(job_dir: Path, seed_list: Path, seed_id: str | None) -> Iterator[None]:
    """Hold the job's lock while the crawl runs; CrawlError if another process holds it."""
    job_dir.mkdir(parents=True, exist_ok=True)
    with open(job_dir / LOCK_FILE, "a+", encoding="ascii") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            pid = lock.read().strip() or "unknown"
            raise CrawlError(
                f"crawl {job_dir.name} is already running (pid {pid}, {job_dir}); wait for "
                "it to end or stop it before crawling or resuming it again (to resume another "
                "job, name its seed list: `diancang crawl SEED_LIST --resume`)"
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        job = {**_identity(seed_list, seed_id), "job": job_dir.name}
        write_atomic(job_dir / JOB_FILE, json.dumps(job).encode("utf-8"))
        yield
