"""The crawl's shared state, built once per crawler from plain Scrapy settings.

Scrapy copies its settings, so only plain values travel there (paths, numbers, strings,
JSON-able structures). The live objects the components share -- seeds, WARC store,
address policy, budgets, the links already followed, listings, refusals -- are built from those
values here, once per crawler, and reached through the crawler: ``crawl_context(crawler)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from scrapy import Request

from diancang.crawler.browser.proxy import GuardedProxy
from diancang.crawler.browser.scope import BrowserScope
from diancang.crawler.budget import SeedBudget
from diancang.crawler.job import CrawlError
from diancang.crawler.listings import Listings
from diancang.crawler.network_guard import AddressPolicy
from diancang.crawler.request_meta import SEED_ID
from diancang.crawler.shared_state import SharedSeedBudget, SharedTrapGuard, shared_state
from diancang.crawler.stopped import StopExamples
from diancang.crawler.urls import TrapGuard, clean_url
from diancang.crawler.warc.sink import collection_key
from diancang.seeds.load import load_seed_list
from diancang.seeds.schema import Seed
from diancang.settings import Settings
from diancang.storage import open_store
from diancang.storage.base import StoredWarc, WarcStore

# Scrapy settings holding the plain values the context is built from
SETTINGS_VALUES = "DIANCANG_SETTINGS_VALUES"  # Settings.to_values()
SEED_LIST = "DIANCANG_SEED_LIST"  # path of the seed list
SEED_IDS = "DIANCANG_SEED_IDS"  # the ids of its seeds being crawled, in order
START_URLS = "DIANCANG_START_URLS"  # URLs crawled in place of the seed's (crawler/start_urls.py)


def load_seeds(seed_list: str, seed_ids: Iterable[str]) -> dict[str, Seed]:
    """The seeds of ``seed_list`` with these ids, in that order."""
    loaded = {seed.id: seed for seed in load_seed_list(seed_list).seeds}
    missing = [seed_id for seed_id in seed_ids if seed_id not in loaded]
    if missing:
        raise CrawlError(f"{seed_list}: no valid seed with id {', '.join(missing)}")
    return {seed_id: loaded[seed_id] for seed_id in seed_ids}


@dataclass
class FollowedLinks:
    """URLs already requested or captured, once per collection (not once per crawl)."""

    _seen: set[tuple[str, str]] = field(default_factory=set)

    def __contains__(self, item: tuple[Seed, str]) -> bool:
        seed, url = item
        return (collection_key(seed), url) in self._seen

    def add(self, seed: Seed, url: str) -> None:
        self._seen.add((collection_key(seed), url))

    def add_captured(self, seed: Seed, urls: Iterable[str]) -> None:
        """URLs a browser page of ``seed`` fetched itself: they need no request of their own."""
        for url in filter(None, map(clean_url, urls)):
            self.add(seed, url)


class CrawlContext:
    def __init__(
        self,
        settings: Settings,
        seeds: dict[str, Seed],
        store: WarcStore,
        start_urls: Iterable[str] = (),
    ):
        self.settings = settings
        self.seeds = seeds
        self.start_urls = list(start_urls)  # given: the one seed starts from these
        self.store = store
        self.policy = AddressPolicy(settings.allow_networks)
        crawl = settings.crawl
        self.trap_guard = TrapGuard(crawl.query_variants_per_path, crawl.max_url_length)
        self.budget = SeedBudget()
        self.followed = FollowedLinks()
        self.listings = Listings(crawl.listing_pages)
        self.stop_examples = StopExamples()  # URLs that limits and traps left, a few each
        self.refusals: list[str] = []  # why targets were refused, for the report
        self.warcs: list[StoredWarc] = []  # the WARC files closed and stored

    @classmethod
    def from_settings(cls, scrapy_settings) -> CrawlContext:
        settings = Settings.from_values(scrapy_settings[SETTINGS_VALUES])
        seeds = load_seeds(scrapy_settings[SEED_LIST], scrapy_settings[SEED_IDS])
        start_urls = scrapy_settings.getlist(START_URLS)
        return cls(settings, seeds, open_store(settings), start_urls)

    def seed_of(self, request: Request) -> Seed:
        """The seed ``request`` is made for; every request carries one (see SEED_ID)."""
        seed_id = request.meta.get(SEED_ID)
        if seed_id not in self.seeds:
            raise KeyError(f"{request.url}: request of no seed of this crawl ({seed_id!r})")
        return self.seeds[seed_id]

    @cached_property
    def browser_scope(self) -> BrowserScope:
        return BrowserScope(list(self.seeds.values()), self.policy)

    @cached_property
    def browser_proxy(self) -> GuardedProxy:
        return GuardedProxy(self.policy, timeout=self.settings.crawl.timeout)


def crawl_context(crawler) -> CrawlContext:
    """The crawler's context, built from its settings on first use."""
    context = getattr(crawler, "_diancang_context", None)
    if context is None:
        context = crawler._diancang_context = CrawlContext.from_settings(crawler.settings)
        shared = shared_state(crawler)
        if shared is not None:  # budgets and trap counts are the whole crawl's
            crawl = context.settings.crawl
            context.budget = SharedSeedBudget(shared)
            context.trap_guard = SharedTrapGuard(
                shared, crawl.query_variants_per_path, crawl.max_url_length
            )
    return context
