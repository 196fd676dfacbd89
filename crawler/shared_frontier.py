"""A frontier in Redis shared by the workers of one crawl, with leases and cluster politeness.

Selected by ``DIANCANG_FRONTIER_URL``; the atomic steps are the Lua scripts of
crawler/frontier_lua.py. A worker claims a request from a host that is ready (a free slot of
the host's ``concurrency_per_host``, its ``delay`` passed since the end of its previous
fetch; so with a delay a host has one fetch at a time, whichever worker sends it, and
robots.txt counts as a fetch) and holds a lease on it that it renews while alive; a dead
worker's leases expire and go back to the front of their hosts' queues. A request is done
only when everything it led to is queued (the ``request_done`` signal), as with the SQLite
journal, and never once the crawl is stopped for a failed write; the crawl is done when
nothing is pending, which every worker sees.

A worker says what happened and asks for work in as few round trips as it can (one STEP
script, crawler/frontier_lua.py): the ends of fetches and the requests done in one turn of
the reactor are sent together, after it, with the claim of the next requests when the
engine asks for one; a claim takes up to ``CLAIM_BATCH`` requests (no more than the
downloader has free slots for), kept here, leased and renewed, until the engine takes them.
Holding back a fetch's end only delays its host's next request; holding back a done only
delays the crawl's end, and a worker killed meanwhile loses nothing (its leases expire).

The model is Browsertrix-crawler's Redis crawl state (src/util/state.ts: a queue, a pending
set of leased URLs with an expiry, a seen set); here the queue is one list per host so that
politeness holds for the whole cluster.
"""

from __future__ import annotations

import logging
from collections import deque

import valkey
from scrapy import Request, Spider
from scrapy import signals as scrapy_signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import LoopingCall

from diancang.crawler.context import crawl_context
from diancang.crawler.request_json import request_from_json, request_to_json
from diancang.crawler.request_meta import FRONTIER_ID
from diancang.crawler.shared_state import SharedState, shared_state
from diancang.crawler.signals import request_done
from diancang.crawler.stop import crawl_stopped
from diancang.crawler.warc.sink import collection_key
from diancang.upstream.scrapy_engine import wake_engine

log = logging.getLogger(__name__)

# seconds between looks at the shared queue while this worker has nothing to claim
POLL_INTERVAL = 0.1
# most requests one claim takes (the frontier's politeness still bounds each host)
CLAIM_BATCH = 8


class SharedScheduler(BaseScheduler):
    """Scrapy's scheduler interface on the shared frontier; this worker keeps only its leases."""

    def __init__(self, crawler, state: SharedState):
        self.crawler = crawler
        self.stats = crawler.stats
        self.frontier = state.frontier
        self.counts = state.counts  # the crawl report's counts, sent as the crawl goes
        self.seeding = state.seeding  # crawler/shared_crawl.py: whether seeds may still come
        self._leases: set[int] = set()  # claimed and not done: in flight or in _claimed
        self._claimed: deque[str] = deque()  # claimed, not yet taken by the engine
        self._ended: list[int] = []  # fetches ended, not yet sent
        self._done: list[int] = []  # requests done, not yet sent
        self._send_call = None
        self._idle = False
        self._loops: list[LoopingCall] = []
        crawler.signals.connect(self._request_done, signal=request_done)
        crawler.signals.connect(self._fetched, signal=scrapy_signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, shared_state(crawler))

    def open(self, spider: Spider):
        self.spider = spider
        renew = LoopingCall(self._renew)
        renew.start(self.frontier.ttl_ms / 3000, now=False)
        poll = LoopingCall(self._poll)
        poll.start(POLL_INTERVAL, now=False)
        self._loops = [renew, poll]

    def close(self, reason: str):
        for loop in self._loops:
            if loop.running:
                loop.stop()
        self._send()
        # leases still held (a crawl stopped early) expire and go to another worker
        self.stats.set_value("frontier/pending_at_close", self.frontier.pending())

    def _fingerprint(self, request: Request) -> str:
        url_key = self.crawler.request_fingerprinter.fingerprint(request).hex()
        return f"{collection_key(crawl_context(self.crawler).seed_of(request))} {url_key}"

    def has_pending_requests(self) -> bool:
        return bool(self._leases) or self.seeding() or self.frontier.pending() > 0

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = self._fingerprint(request)
        host = urlparse_cached(request).netloc
        entry = request_to_json(request, self.spider)
        front = request.priority > 0
        entry_id = request.meta.get(FRONTIER_ID)
        if entry_id in self._leases:  # a redirect or retry of a request this worker holds
            if crawl_stopped(self.stats):  # not replaced, which may end it: see _request_done
                return False
            self._leases.discard(entry_id)
            if entry_id in self._ended:  # REPLACE frees the host's slot; the id is queued again
                self._ended.remove(entry_id)
            counts = self.counts.since_sent(self.stats.get_stats())
            queued = self.frontier.replace(
                entry_id, fingerprint, host, entry, front, request.dont_filter, counts
            )
            self.counts.sent(counts)
            if queued != 1:
                self.stats.inc_value("dupefilter/filtered")
                return False
        elif not self.frontier.add(
            fingerprint,
            host,
            entry,
            front,
            request.dont_filter,
            robots=not request.meta.get("dont_obey_robotstxt"),
        ):
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        if not self._claimed:
            self._step(claim=self._wanted())
        if not self._claimed:
            self._idle = True
            return None
        self._idle = False
        entry_id, _host, text = self._claimed.popleft().split(" ", 2)
        request = request_from_json(text, self.spider)
        request.meta[FRONTIER_ID] = int(entry_id)
        self.stats.inc_value("scheduler/dequeued/redis")
        self.stats.inc_value("scheduler/dequeued")
        return request

    def _wanted(self) -> int:
        """How many requests to claim: the downloader's free slots, 1 to CLAIM_BATCH."""
        engine = self.crawler.engine
        if engine is None:
            return 1
        free = engine.downloader.total_concurrency - len(engine.downloader.active)
        return max(1, min(CLAIM_BATCH, free))

    def __len__(self) -> int:
        return self.frontier.pending()

    def _fetched(self, request: Request, spider=None) -> None:
        entry_id = request.meta.get(FRONTIER_ID)
        if entry_id in self._leases:
            self._ended.append(entry_id)
            self._send_soon()

    def _request_done(self, request: Request) -> None:
        # once the crawl is stopped, the leases of the requests whose capture failed with the
        # write stay held, then expire back to the front of their hosts' queues
        if crawl_stopped(self.stats):
            return
        entry_id = request.meta.get(FRONTIER_ID)
        if entry_id in self._leases:
            self._leases.discard(entry_id)
            self._done.append(entry_id)
            self._send_soon()

    def _send_soon(self) -> None:
        """Send the ends and dones of this turn of the reactor after it, together."""
        if self._send_call is None:
            self._send_call = reactor.callLater(0, self._send)

    def _send(self) -> None:
        self._send_call = None
        if self._ended or self._done:
            self._step(claim=0)

    def _step(self, claim: int) -> None:
        ended, done = self._ended, self._done
        self._ended, self._done = [], []
        counts = self.counts.since_sent(self.stats.get_stats()) if done else None
        found = self.frontier.step(ended, done, claim, counts)
        if counts:
            self.counts.sent(counts)
        if found.lost:
            self.stats.inc_value("frontier/lease_lost", found.lost)
        for entry in found.entries:
            self._leases.add(int(entry.split(" ", 1)[0]))
        self._claimed.extend(found.entries)

    def _renew(self) -> None:
        try:
            self.frontier.renew(sorted(self._leases))
            self.counts.send(self.stats.get_stats())
        except valkey.ValkeyError as exc:  # next time, or the leases expire: nothing lost
            log.warning("could not renew leases: %s", exc)

    def _poll(self) -> None:
        if self._idle and self.crawler.engine is not None:
            wake_engine(self.crawler.engine)
