"""The site spider's requests for a page's links: none for a link already followed; one to
capture a page again with the browser when it looks script-built."""

from __future__ import annotations

from crawl_helpers import UNSTARTED_SITE, unstarted_crawler
from scrapy import Request
from scrapy.http import HtmlResponse

from diancang.crawler import spider as spider_module
from diancang.crawler.context import crawl_context
from diancang.crawler.request_meta import SEED_ID
from diancang.crawler.spider import SiteSpider

SITE = UNSTARTED_SITE


def _spider(tmp_path) -> SiteSpider:
    return SiteSpider.from_crawler(unstarted_crawler(tmp_path))


def _page(links: list[str], body: str = "") -> HtmlResponse:
    body += "".join(f'<a href="{link}">{link}</a>' for link in links)
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


def test_only_a_page_with_a_script_element_is_parsed_again_for_browser_detection(
    tmp_path, monkeypatch
):
    spider = SiteSpider.from_crawler(unstarted_crawler(tmp_path, browser=True))
    detected = []
    monkeypatch.setattr(spider_module, "looks_script_built", lambda page: not detected.append(page))
    plain = list(spider.parse(_page([], "<ul></ul>")))
    scripted = list(spider.parse(_page([], '<script src="list.js"></script><ul></ul>')))
    browser = [[o for o in outputs if isinstance(o, Request) and o.meta.get("browser")]
               for outputs in (plain, scripted)]  # fmt: skip
    assert [len(requests) for requests in browser] == [0, 1]
    assert len(detected) == 1
