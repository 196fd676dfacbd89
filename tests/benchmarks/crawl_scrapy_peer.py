"""Bare Scrapy peer of the crawl benchmark (run by ``crawl_vs_wget.py`` as a subprocess):

    python tests/benchmarks/crawl_scrapy_peer.py RESULT.json SEED_URL [SEED_URL ...]

A minimal spider with the politeness Diancang uses (2 requests per host, robots.txt obeyed,
the downloader-aware priority queue) and nothing else: no WARC writing, no journal, no
dedup index. It follows every same-host ``<a href>`` and ``<link href>`` (so it fetches the
style sheets wget fetches as page requisites) and writes the URLs it fetched and the
crawl's elapsed seconds to RESULT.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import HtmlResponse, Response

SETTINGS: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    "ROBOTSTXT_OBEY": True,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None},
}


class FollowAllSpider(Spider):
    name = "follow_all"

    def __init__(self, seed_urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed_urls = seed_urls
        self.fetched: list[str] = []

    async def start(self) -> AsyncIterator[Request]:
        for url in self.seed_urls:
            yield Request(url)

    def parse(self, response: Response) -> Iterator[Request]:
        self.fetched.append(response.url)
        if not isinstance(response, HtmlResponse):
            return
        host = urlsplit(response.url).netloc
        for href in response.xpath("//a/@href | //link/@href").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == host:
                yield Request(url)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    settings = dict(SETTINGS)
    if argv[0] == "--polite":  # Diancang's downloader, which holds the per-host limit
        settings["DOWNLOADER"] = "diancang.crawler.downloader.PoliteDownloader"
        argv = argv[1:]
    result_path, seed_urls = Path(argv[0]), argv[1:]
    process = CrawlerProcess(settings=settings)
    crawler = process.create_crawler(FollowAllSpider)
    process.crawl(crawler, seed_urls=seed_urls)
    process.start()
    stats = crawler.stats.get_stats()
    spider = crawler.spider
    result = {
        "fetched": spider.fetched if isinstance(spider, FollowAllSpider) else [],
        "elapsed_seconds": stats.get("elapsed_time_seconds"),
        "responses": stats.get("downloader/response_count", 0),
        "finish_reason": stats.get("finish_reason"),
    }
    result_path.write_text(json.dumps(result), encoding="utf-8")
    return 0 if result["finish_reason"] == "finished" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
