"""Crawls on the shared frontier: starting one, joining one from any machine.

``diancang crawl SEEDLIST --job NAME`` with ``DIANCANG_FRONTIER_URL`` set puts the crawl NAME
into Redis (its seed list with it) and works on it; the same command run again while NAME is
not finished joins the crawl instead of seeding it again. :func:`join_crawl` joins it knowing
only its name: the seed list comes from Redis. A crawl that finished (nothing pending) is
started afresh by the next ``crawl`` of its name, and kept as it is by ``--resume``.
"""

from __future__ import annotations

import json
from pathlib import Path

from diancang.crawler.frontier_store import CRAWLS_KEY, connect, crawl_prefix
from diancang.crawler.job import CrawlError
from diancang.crawler.shared_state import worker_id
from diancang.settings import Settings

SEED_LIST_KEY = "seed-list"  # {"name", "text", "seed_id"} of the crawl's seed list


def worker_dir(settings: Settings, job: str) -> Path:
    """This worker's own directory of the shared crawl ``job`` (log, lock, seed list)."""
    return settings.jobs_dir / job / worker_id(settings)


def announce(
    settings: Settings, job: str, seed_list: Path, seed_id: str | None, resume: bool
) -> None:
    """Put the crawl ``job`` into Redis, unless it is there and not finished (then join it)."""
    redis, prefix = connect(settings.frontier_url), crawl_prefix(job)
    known = redis.get(prefix + SEED_LIST_KEY)
    finished = redis.exists(prefix + "seeded") and int(redis.get(prefix + "pending") or 0) == 0
    if known is not None and finished and not resume:
        keys = list(redis.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            redis.delete(*keys[start : start + 1000])
        known = None
    about = {
        "name": seed_list.name,
        "text": seed_list.read_text(encoding="utf-8"),
        "seed_id": seed_id,
    }
    if known is None:
        redis.set(prefix + SEED_LIST_KEY, json.dumps(about, ensure_ascii=False), nx=True)
        redis.sadd(CRAWLS_KEY, job)
    elif json.loads(known)["text"] != about["text"]:
        raise CrawlError(
            f"crawl {job} is running on the shared frontier with another seed list; "
            "wait for it to finish or name this crawl differently with --job"
        )


def join_crawl(settings: Settings, job: str):
    """Work on the shared crawl ``job`` until it is done; its CrawlResult."""
    from diancang.crawler.run import run_crawl

    if not settings.frontier_url:
        raise CrawlError("joining a crawl needs the shared frontier: set DIANCANG_FRONTIER_URL")
    known = connect(settings.frontier_url).get(crawl_prefix(job) + SEED_LIST_KEY)
    if known is None:
        raise CrawlError(f"no crawl {job!r} on the shared frontier to join")
    about = json.loads(known)
    path = worker_dir(settings, job) / about["name"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(about["text"], encoding="utf-8")
    return run_crawl(settings, path, about["seed_id"], resume=True, job=job)
