"""A scheduler whose frontier survives SIGKILL: every queued request is journaled in SQLite.

Scrapy's JOBDIR keeps its queue state only on a clean shutdown; a killed process loses the
queue and the requests being downloaded. Here each request is written to the journal when
it is scheduled and removed only when the spider reports it done, so ``--resume`` re-queues
exactly what was not finished.

The writes of one turn of the reactor are committed together, after it, in one transaction
(one commit per turn rather than one per request; the per-commit WAL write was most of the
journal's CPU). A kill loses at most that turn's writes, all or nothing and in order: a
request's done mark is written after the requests it led to, so a lost turn leaves the
request pending, and ``--resume`` fetches it again and finds the same links. No response
arrives in the turn its request was queued in, so a capture's request is journaled first.

A URL is seen once per collection, not once per crawl: a portal that is a seed of both a
web-archive collection and a government-information collection is captured for each.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.utils.request import request_from_dict
from twisted.internet import reactor

from diancang.crawler.context import crawl_context
from diancang.crawler.request_json import callback_name
from diancang.crawler.signals import request_done
from diancang.crawler.state_db import open_state_db
from diancang.crawler.stop import crawl_stopped, stop_crawl
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

    def _write(self, sql: str, parameters: tuple) -> sqlite3.Cursor:
        """Run a write in the open transaction (begun if none is): kept until commit()."""
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
        return self._db.execute(sql, parameters)

    def commit(self) -> None:
        """Make the writes since the last commit durable, together; rolled back if it fails."""
        if not self._db.in_transaction:
            return
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._db.rollback()
            raise

    def queue(self, request: Request, fingerprint: str, spider: Spider) -> None:
        """Journal a request as pending; a retry or redirect keeps its journal id.

        If it fails, the uncommitted writes are rolled back with it: never half an entry.
        """
        try:
            self._write("INSERT OR IGNORE INTO seen VALUES (?)", (fingerprint,))
            journal_id = request.meta.get("frontier_id")
            if journal_id is None:
                cursor = self._write(
                    "INSERT INTO requests (state, request) VALUES (?, x'')", (PENDING,)
                )
                journal_id = request.meta["frontier_id"] = cursor.lastrowid
            data = request.to_dict(spider=_callbacks_of(request, spider))
            meta = data["meta"]
            data["meta"] = {k: v for k, v in meta.items() if not k.startswith(TRANSIENT_META)}
            blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            self._write(
                "UPDATE requests SET state = ?, request = ? WHERE id = ?",
                (PENDING, blob, journal_id),
            )
        except Exception:
            if self._db.in_transaction:
                self._db.rollback()
            raise

    def done(self, journal_id: int) -> None:
        self._write("UPDATE requests SET state = ? WHERE id = ?", (DONE, journal_id))

    def count_pending(self) -> int:
        return self._db.execute(
            "SELECT count(*) FROM requests WHERE state = ?", (PENDING,)
        ).fetchone()[0]

    def close(self) -> None:
        self.commit()
        self._db.close()


def _callbacks_of(request: Request, spider: Spider) -> SimpleNamespace:
    """The request's callbacks under their names, for ``Request.to_dict(spider=...)``, which
    would otherwise find each name by ``inspect.getmembers`` of the whole spider (most of the
    cost of journaling a request). Like Scrapy, refuses a callback that is no spider method."""
    methods = [method for method in (request.callback, request.errback) if method is not None]
    return SimpleNamespace(**{callback_name(method, spider): method for method in methods})


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
        self._commit_call = None
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
            self._request_done(request)  # a redirect to a URL already seen ends its request
            return False
        try:
            self.journal.queue(request, fingerprint, self.spider)
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)
            return False
        self._commit_soon()
        self._seen.add(fingerprint)
        push_to_memory_queue(self, request)
        self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def _request_done(self, request: Request) -> None:
        # a few requests written after the stop are fetched again, and become revisits
        if crawl_stopped(self.stats):
            return
        if "frontier_id" in request.meta:
            self.journal.done(request.meta["frontier_id"])
            self._commit_soon()

    def _commit_soon(self) -> None:
        """Commit this turn's journal writes after it, together."""
        if self._commit_call is None:
            self._commit_call = reactor.callLater(0, self._commit)

    def _commit(self) -> None:
        self._commit_call = None
        try:
            self.journal.commit()
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        # from now on nothing is marked done, so --resume refetches the pages whose links
        # could not be journaled and finds those links again
        stop_crawl(self.crawler, f"frontier journal write failed: {exc}")

    def close(self, reason: str):
        if self._commit_call is not None:
            self._commit_call.cancel()
            self._commit()
        self.stats.set_value("frontier/pending_at_close", self.journal.count_pending())
        self.journal.close()
        return super().close(reason)
