"""The site spider's requests for a page's links: none for a link already followed."""

from __future__ import annotations

from crawl_helpers import crawl_env, portal_seed, write_seed_list
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from diancang.crawler.context import crawl_context
from diancang.crawler.request_meta import SEED_ID
from diancang.crawler.scrapy_settings import scrapy_settings
from diancang.crawler.spider import SiteSpider
from diancang.settings import load_settings

SITE = "http://127.0.0.1:9/"


def _spider(tmp_path) -> SiteSpider:
    seeds = write_seed_list(tmp_path / "seeds.csv", [{"id": "s1", **portal_seed(SITE)}])
    settings = scrapy_settings(
        load_settings(crawl_env(tmp_path)), seeds, ["s1"], tmp_path, False, False
    )
    return SiteSpider.from_crawler(get_crawler(SiteSpider, settings))


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
