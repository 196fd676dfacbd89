"""A generated multi-host site for benchmarks: many interlinked pages, latency per request.

    from sites.generated import GeneratedSite

    with GeneratedSite(hosts=4, pages=500, latency=0.05) as site:
        site.seed_urls()     # one root URL per host
        site.all_urls()      # every page and style sheet a complete crawl reaches

Hosts: each host is a loopback address of its own -- ``127.0.1.1``, ``127.0.1.2``, ... --
with its own free port, so a crawler that keys politeness on the host *name* (Scrapy's
download slots do) sees ``hosts`` distinct hosts. Pass ``addresses`` to choose others.

Pages: ``pages`` HTML pages per host: ``/`` (page 0) and ``/p/1.html`` ..
``/p/{pages-1}.html``. Page *i* links page *i+1* (so every page is reachable from ``/``)
and up to nine more pages of the same host, plus ``/static/site.css``. ``/robots.txt``
allows everything; it is not in :meth:`GeneratedSite.all_urls`.

Latency: every request waits ``latency`` seconds in its own connection thread, so
concurrent requests overlap instead of queueing.

Script-built pages: with ``scripted=True`` a page's HTML holds its heading and text but an
empty list; ``/static/links.js`` (one script per host) fetches the page's links from
``/api/links/{i}.json`` on load and builds the list. An HTTP-only crawl finds no link on a
page (only the style sheet and the script); a browser sees them all and fetches the JSON.
:meth:`GeneratedSite.links_urls` names the JSON endpoints, and :meth:`~GeneratedSite.all_urls`
then also holds the script and the endpoints, which a browser crawl reaches::

    with GeneratedSite(hosts=2, pages=100, latency=0.05, scripted=True) as site:
        site.page_urls()     # 200 pages, each a seed of a benchmark's seed list
        site.links_urls()    # the 200 JSON endpoints only a browser fetches
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)

LINKS_PER_PAGE = 10
CSS_PATH = "/static/site.css"
SCRIPT_PATH = "/static/links.js"
_HTML = "text/html; charset=utf-8"
_JSON = "application/json; charset=utf-8"
# Fills <ul id="links" data-src="JSON"> from the JSON's "links": [{"url", "title"}, ...].
_SCRIPT = b"""(function () {
  var list = document.getElementById("links");
  fetch(list.getAttribute("data-src"))
    .then(function (response) { return response.json(); })
    .then(function (data) {
      data.links.forEach(function (link) {
        var item = document.createElement("li");
        var anchor = document.createElement("a");
        anchor.href = link.url;
        anchor.textContent = link.title;
        item.appendChild(anchor);
        list.appendChild(item);
      });
    });
})();
"""
_CSS = b"body{font-family:sans-serif;margin:2em;color:#333}a{color:#b81818}li{margin:.2em 0}\n"
_ROBOTS = b"User-agent: *\nDisallow:\n"
_SENTENCES = (
    "坚持以人民为中心的发展思想，持续优化营商环境。",
    "深化政务公开，提升政务服务便利化水平。",
    "统筹推进城乡建设，改善人居环境。",
    "加强生态环境保护，推动绿色低碳发展。",
    "扎实做好民生保障，兜牢基本民生底线。",
)


def page_path(number: int) -> str:
    return "/" if number == 0 else f"/p/{number}.html"


def linked_pages(number: int, pages: int) -> list[int]:
    """The pages page ``number`` links: the next one, then up to nine spread over the host."""
    if pages < 2:
        return []
    targets = [(number + 1) % pages]
    step = 0
    while len(targets) < min(LINKS_PER_PAGE, pages - 1) and step < 4 * LINKS_PER_PAGE:
        step += 1
        candidate = (number * 7919 + step * 104729) % pages
        if candidate != number and candidate not in targets:
            targets.append(candidate)
    return targets


def link_text(number: int) -> str:
    """The text of a link to page ``number``: an article title, not a page number (第N页
    would make every page a page of one listing to the crawler, crawler/pagination.py,
    whose pages list no items: repeats that stop it wherever they happen to come first)."""
    return f"文章{number}"


def links_path(number: int) -> str:
    """The JSON endpoint that lists page ``number``'s links on a scripted site."""
    return f"/api/links/{number}.json"


def render_page(host_index: int, number: int, pages: int, scripted: bool = False) -> bytes:
    """Page ``number``; with ``scripted`` its list is empty and filled by ``SCRIPT_PATH``."""
    if scripted:
        head_script = f'<script src="{SCRIPT_PATH}" defer></script>'
        links = f'<ul id="links" data-src="{links_path(number)}"></ul>'
    else:
        head_script = ""
        items = "\n".join(
            f'<li><a href="{page_path(target)}">{link_text(target)}</a></li>'
            for target in linked_pages(number, pages)
        )
        links = f"<ul>\n{items}\n</ul>"
    text = "".join(_SENTENCES[(number + k) % len(_SENTENCES)] for k in range(12))
    html = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>站点{host_index + 1} 第{number}页</title>"
        f'<link rel="stylesheet" href="{CSS_PATH}">{head_script}</head><body>\n'
        f"<h1>站点{host_index + 1} 第{number}页</h1>\n<p>{text}</p>\n{links}\n"
        "</body></html>\n"
    )
    return html.encode("utf-8")


def render_links(host_index: int, number: int, pages: int) -> bytes:
    """The JSON of page ``number``'s links: ``{"site", "page", "links": [{"url", "title"}]}``
    (the site's number keeps each host's answers distinct, as their pages are)."""
    links = [
        {"url": page_path(target), "title": link_text(target)}
        for target in linked_pages(number, pages)
    ]
    payload = {"site": host_index + 1, "page": number, "links": links}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _handler_class(site_pages: dict[str, Page], latency: float) -> type[PageHandler]:
    missing = Page(b"not found\n", "text/plain; charset=utf-8", status=404)

    class GeneratedHandler(PageHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            self.wait_latency(latency)
            self.send_page(site_pages.get(self.path.partition("?")[0], missing))

        def do_HEAD(self) -> None:  # noqa: N802
            self.wait_latency(latency)
            self.send_page(site_pages.get(self.path.partition("?")[0], missing), head_only=True)

    return GeneratedHandler


class GeneratedSite(ServedSite):
    """``hosts`` hosts of ``pages`` interlinked pages each, served with ``latency``;
    with ``scripted``, each page's links are built by a script from a JSON endpoint."""

    def __init__(
        self,
        hosts: int = 4,
        pages: int = 500,
        latency: float = 0.05,
        addresses: Sequence[str] | None = None,
        scripted: bool = False,
    ) -> None:
        if hosts < 1 or pages < 1:
            raise ValueError("GeneratedSite needs at least one host and one page")
        self.pages = pages
        self.latency = latency
        self.scripted = scripted
        self.addresses = list(addresses or [f"127.0.1.{index + 1}" for index in range(hosts)])
        if len(self.addresses) != hosts:
            raise ValueError(f"{hosts} hosts but {len(self.addresses)} addresses")
        self.servers: list[BackgroundServer] = []
        for index, address in enumerate(self.addresses):
            table: dict[str, Page] = {
                page_path(number): Page(render_page(index, number, pages, scripted), _HTML)
                for number in range(pages)
            }
            table[CSS_PATH] = Page(_CSS, "text/css; charset=utf-8")
            if scripted:
                table[SCRIPT_PATH] = Page(_SCRIPT, "text/javascript; charset=utf-8")
                for number in range(pages):
                    table[links_path(number)] = Page(render_links(index, number, pages), _JSON)
            table["/robots.txt"] = Page(_ROBOTS, "text/plain; charset=utf-8")
            server = LoopbackHTTPServer((address, 0), _handler_class(table, latency))
            self.servers.append(BackgroundServer(server, f"generated-{address}"))

    def host_urls(self) -> list[str]:
        return [runner.url for runner in self.servers]

    def seed_urls(self) -> list[str]:
        """The root page of every host."""
        return self.host_urls()

    def page_urls(self) -> set[str]:
        """Every HTML page: ``hosts * pages`` URLs."""
        return {
            base.rstrip("/") + page_path(number)
            for base in self.host_urls()
            for number in range(self.pages)
        }

    def links_urls(self) -> set[str]:
        """The JSON endpoint of every page of a scripted site (none otherwise)."""
        if not self.scripted:
            return set()
        return {
            base.rstrip("/") + links_path(number)
            for base in self.host_urls()
            for number in range(self.pages)
        }

    def all_urls(self) -> set[str]:
        """Every URL a complete crawl reaches by links: the pages and each host's CSS;
        on a scripted site also each host's script and the JSON endpoints (by a browser)."""
        styles = {base.rstrip("/") + CSS_PATH for base in self.host_urls()}
        if self.scripted:
            styles |= {base.rstrip("/") + SCRIPT_PATH for base in self.host_urls()}
        return self.page_urls() | styles | self.links_urls()

    def robots_urls(self) -> list[str]:
        return [base + "robots.txt" for base in self.host_urls()]
