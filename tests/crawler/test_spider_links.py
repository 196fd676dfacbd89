"""The site spider's requests for a page's links: none for a link already followed."""

from __future__ import annotations

from crawl_helpers import UNSTARTED_SITE, unstarted_crawler
from scrapy import Request
from scrapy.http import HtmlResponse

from diancang.crawler.context import crawl_context
from diancang.crawler.request_meta import SEED_ID
from diancang.crawler.spider import SiteSpider

SITE = UNSTARTED_SITE


def _spider(tmp_path) -> SiteSpider:
    return SiteSpider.from_crawler(unstarted_crawler(tmp_path))


def _page(links: list[str]) -> HtmlResponse:
    body = "".join(f'<a href="{link}">{link}</a>' for link in links)
    request = Request(SITE, meta={SEED_ID: "s1", "hops": "", "link_depth": 0})
    html = f"<html><body>{body}</body></html>".encode()
    return HtmlResponse(SITE, body=html, encoding="utf-8", request=request)


def test_no_request_is_built_for_a_link_already_followed(tmp_path):
    spider = _spider(tmp_path)
    context = crawl_context(spider.crawler)
    context.followed.add(context.seeds["s1"], SITE + "a.html")
    outputs = list(spider.parse(_page(["a.html", "b.html#top"])))
    requested = [output.url for output in outputs if isinstance(output, Request)]
    assert requested == [SITE + "b.html"]
