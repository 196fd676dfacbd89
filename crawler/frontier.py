"""A scheduler whose frontier survives SIGKILL: every queued request is journaled in SQLite.

Scrapy's JOBDIR keeps its queue state only on a clean shutdown; a killed process loses the
queue and the requests being downloaded. Here each request is written to the journal when
it is scheduled and removed only when the spider reports it done, so ``--resume`` re-queues
exactly what was not finished.

A URL is seen once per collection, not once per crawl: a portal that is a seed of both a
web-archive collection and a government-information collection is captured for each.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.utils.request import request_from_dict

from diancang.crawler.context import crawl_context
from diancang.crawler.signals import request_done
from diancang.crawler.state_db import open_state_db
from diancang.crawler.stop import stop_crawl
from diancang.crawler.warc.sink import collection_key
from diancang.upstream.scrapy_scheduler import push_to_memory_queue

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests
    (id INTEGER PRIMARY KEY, state INTEGER NOT NULL, request BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS seen (fingerprint TEXT PRIMARY KEY);
"""
PENDING, DONE = 0, 1
# Set by downloader middlewares for one attempt (browser pages, timers); not journaled.
TRANSIENT_META = ("_", "playwright", "download_")


class FrontierJournal:
    def __init__(self, path: Path, fresh: bool):
        if fresh:
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
        self._db = open_state_db(path, _SCHEMA)

    def fingerprints(self) -> Iterator[str]:
        for (fingerprint,) in self._db.execute("SELECT fingerprint FROM seen"):
            yield fingerprint

    def pending(self, spider: Spider) -> Iterator[Request]:
        rows = self._db.execute("SELECT request FROM requests WHERE state = ?", (PENDING,))
        for (blob,) in rows.fetchall():
            yield request_from_dict(pickle.loads(blob), spider=spider)

    def queue(self, request: Request, fingerprint: str, spider: Spider) -> None:
        """Journal a request as pending; a retry or redirect keeps its journal id."""
        self._db.execute("BEGIN")
        self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (fingerprint,))
        journal_id = request.meta.get("frontier_id")
        if journal_id is None:
            cursor = self._db.execute(
                "INSERT INTO requests (state, request) VALUES (?, x'')", (PENDING,)
            )
            journal_id = request.meta["frontier_id"] = cursor.lastrowid
        data = request.to_dict(spider=spider)
        data["meta"] = {k: v for k, v in data["meta"].items() if not k.startswith(TRANSIENT_META)}
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute(
            "UPDATE requests SET state = ?, request = ? WHERE id = ?", (PENDING, blob, journal_id)
        )
        self._db.execute("COMMIT")

    def done(self, journal_id: int) -> None:
        self._db.execute("UPDATE requests SET state = ? WHERE id = ?", (DONE, journal_id))

    def count_pending(self) -> int:
        return self._db.execute(
            "SELECT count(*) FROM requests WHERE state = ?", (PENDING,)
        ).fetchone()[0]

    def close(self) -> None:
        self._db.close()


class JournalScheduler(Scheduler):
    """Scrapy's scheduler with in-memory priority queues and a SQLite journal behind them."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        path = Path(crawler.settings["DIANCANG_JOB_DIR"]) / "frontier.sqlite"
        scheduler.resume = crawler.settings.getbool("DIANCANG_RESUME")
        scheduler.journal = FrontierJournal(path, fresh=not scheduler.resume)
        crawler.signals.connect(scheduler._request_done, signal=request_done)
        return scheduler

    def open(self, spider: Spider):
        result = super().open(spider)
        # Duplicate filtering is the journal's, so the seen set survives a kill as well.
        self._seen: set[str] = set()
        self._journal_failed = False
        if self.resume:
            self._seen.update(self.journal.fingerprints())
            resumed = 0
            for request in self.journal.pending(spider):
                push_to_memory_queue(self, request)
                resumed += 1
            self.stats.set_value("frontier/resumed", resumed)
        return result

    def _fingerprint(self, request: Request) -> str:
        url_key = self.crawler.request_fingerprinter.fingerprint(request).hex()
        return f"{collection_key(crawl_context(self.crawler).seed_of(request))} {url_key}"

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = self._fingerprint(request)
        if not request.dont_filter and fingerprint in self._seen:
            self.stats.inc_value("dupefilter/filtered")
            if "frontier_id" in request.meta:  # a redirect to a URL already captured
                self.journal.done(request.meta["frontier_id"])
            return False
        try:
            self.journal.queue(request, fingerprint, self.spider)
        except (sqlite3.Error, OSError) as exc:
            # From now on nothing is marked done, so --resume refetches the pages whose
            # links could not be journaled and finds those links again.
            self._journal_failed = True
            stop_crawl(self.crawler, f"frontier journal write failed: {exc}")
            return False
        self._seen.add(fingerprint)
        push_to_memory_queue(self, request)
        self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def _request_done(self, request: Request) -> None:
        if "frontier_id" in request.meta and not self._journal_failed:
            self.journal.done(request.meta["frontier_id"])

    def close(self, reason: str):
        self.stats.set_value("frontier/pending_at_close", self.journal.count_pending())
        self.journal.close()
        return super().close(reason)
