"""The site spider: says what to follow, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

from diancang.crawler.browser.detect import looks_script_built
from diancang.crawler.budget import SeedBudget
from diancang.crawler.items import RequestHandled
from diancang.crawler.links import (
    EMBED,
    LINK,
    Outlink,
    PageLinks,
    extract_from_css,
    extract_from_html,
    is_attachment,
)
from diancang.crawler.network_guard import RefusedAddress
from diancang.crawler.urls import TrapGuard, clean_url
from diancang.crawler.warc.sink import collection_key
from diancang.seeds.schema import Seed
from diancang.seeds.scope import in_scope, requisite_allowed
from parsel import Selector
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

# Browser detection reads the start of a page: a page built by script is a small shell, and
# parsing only this much bounds the tree a large page would cost.
BROWSER_DETECT_BYTES = 1024 * 1024


class SiteSpider(Spider):
    name = "site"

    def __init__(self, seeds: list[Seed], trap_guard: TrapGuard, browser_detect: bool, **kwargs):
        super().__init__(**kwargs)
        self.browser_detect = browser_detect
        self.seeds = {seed.id: seed for seed in seeds}
        self._seed_list = list(seeds)
        self.trap_guard = trap_guard
        self.budget = SeedBudget()
        self._followed: set[tuple[str, str]] = set()  # (collection, URL): once per collection
        self.refusals: list[str] = []
        self._by_host = {urlsplit(seed.url).netloc.lower(): seed for seed in seeds}

    def seed_for(self, request: Request) -> Seed:
        """The seed a request belongs to (robots.txt requests carry no seed: go by host)."""
        seed_id = request.meta.get("seed_id")
        if seed_id in self.seeds:
            return self.seeds[seed_id]
        host = urlsplit(request.url).netloc.lower()
        return self._by_host.get(host) or next(iter(self.seeds.values()))

    async def start(self) -> AsyncIterator[Request]:
        for seed in self.seeds.values():
            self.budget.start(seed)
            self.budget.take_page(seed)
            self._followed.add((collection_key(seed), seed.url))
            yield self._request(seed, seed.url, hops="", link_depth=0, via=None)

    def _request(self, seed: Seed, url: str, hops: str, link_depth: int, via: str | None):
        meta = {"seed_id": seed.id, "hops": hops, "link_depth": link_depth, "via": via}
        if seed.robots == "ignore":
            meta["dont_obey_robotstxt"] = True
        return Request(
            url,
            callback=self.parse,
            errback=self.failed,
            meta=meta,
            priority=1 if hops.endswith(EMBED) else 0,  # requisites first: pages complete early
        )

    def parse(self, response: Response) -> Iterator[Request | dict | RequestHandled]:
        request = response.request
        seed = self.seed_for(request)
        page = self._outlinks(response) if 200 <= response.status < 300 else PageLinks()
        if page.invalid:
            self.crawler.stats.inc_value("links/invalid", page.invalid)
        outlinks = page.links
        hops = request.meta.get("hops", "") + "R" * len(request.meta.get("redirect_urls", []))
        for link in outlinks:
            follow = self._follow(seed, link, hops, request.meta.get("link_depth", 0), response)
            if follow is not None:
                yield follow
        if self._needs_browser(seed, response):
            self.crawler.stats.inc_value("browser/detected")
            again = self._request(seed, response.url, hops, request.meta.get("link_depth", 0), None)
            again.meta["browser"] = True
            yield again.replace(dont_filter=True)
        if "warc_record_id" in request.meta:
            yield {
                "seed_id": seed.id,
                "uri": response.url,
                "record_id": request.meta["warc_record_id"],
                "hops": hops,
                "via": request.meta.get("via"),
                "outlinks": outlinks,
            }
        yield RequestHandled(request)

    def failed(self, failure: Failure) -> Iterator[RequestHandled]:
        request = failure.request
        if failure.check(RefusedAddress):
            self.refusals.append(failure.getErrorMessage())
        elif not failure.check(IgnoreRequest):
            self.crawler.stats.inc_value(f"errors/{failure.type.__name__}")
        self.logger.info("failed %s: %s", request.url, failure.getErrorMessage())
        yield RequestHandled(request)

    def already_captured(self, seed: Seed, urls: set[str]) -> None:
        """URLs a browser page of ``seed`` fetched itself: they need no request of their own."""
        key = collection_key(seed)
        self._followed.update((key, url) for url in filter(None, map(clean_url, urls)))

    def _needs_browser(self, seed: Seed, response: Response) -> bool:
        return (
            self.browser_detect
            and not seed.browser
            and "playwright" not in response.flags
            and isinstance(response, HtmlResponse)
            and 200 <= response.status < 300
            and looks_script_built(
                Selector(
                    body=response.body[:BROWSER_DETECT_BYTES],
                    encoding=response.encoding,
                    type="html",
                )
            )
        )

    def _outlinks(self, response: Response) -> PageLinks:
        if isinstance(response, HtmlResponse):
            return extract_from_html(response.body, response.encoding, response.url)
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if isinstance(response, TextResponse) and b"text/css" in content_type:
            return extract_from_css(response.text, response.url)
        return PageLinks()

    def _follow(
        self, seed: Seed, link: Outlink, hops: str, link_depth: int, response: Response
    ) -> Request | None:
        stats = self.crawler.stats
        url = clean_url(link.url)
        if url is None or (collection_key(seed), url) in self._followed:
            return None
        requisite = link.hop == EMBED or is_attachment(url)
        # requisite_allowed is in_scope widened to the hosts of the seed's jurisdiction
        allowed = (
            requisite_allowed(seed, url, self._seed_list) if requisite else in_scope(seed, url)
        )
        if not allowed:
            stats.inc_value("links/out_of_scope")
            return None
        depth = link_depth + (1 if link.hop == LINK else 0)
        if link.hop == LINK and not requisite and depth > seed.limits.depth:
            stats.inc_value("links/beyond_depth")
            return None
        trap = self.trap_guard.reason_to_refuse(url)
        if trap:
            stats.inc_value(f"links/trap/{trap}")
            return None
        if not self.budget.take_page(seed):
            stats.inc_value("limits/pages")
            return None
        self._followed.add((collection_key(seed), url))
        return self._request(seed, url, hops + link.hop, depth, response.url)
