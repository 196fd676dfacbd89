"""The main site (www) of the demo portal: every page prepared once, plus the pages that
are computed per request (calendar trap, JSON list API).

:class:`PortalSite` knows the base and files URLs (links to attachments are absolute URLs
on the files host), builds path -> :class:`Page` tables for both hosts, resolves requests,
and lists the URLs a crawl must, must not, or may capture.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin

from diancang.demo_portal import calendar_trap, disclosure_api, images, photo_news
from diancang.demo_portal.documents import Catalogue, Document, load_catalogue
from diancang.demo_portal.files_host import files_pages
from diancang.demo_portal.layouts import LAYOUTS
from diancang.demo_portal.rendering import render, static_file
from diancang.demo_portal.serving import Page

HTML = "text/html; charset=UTF-8"
LISTING_PAGE_SIZE = 6
XXGK_COLUMN = "政府信息公开"
ZCWJ_COLUMN = "政策文件"
REDIRECT_SOURCE = "/old/notice.html"
REDIRECT_TARGET_ID = 1001
MISSING_PATH = "/xxgk/2023/11/t20231130_0999.html"  # linked from the home page, answers 404
PRIVATE_PATHS = ("/private/index.html", "/private/drafts/2024-02.html")
SERVICE_PATH = "/service.html"
JSESSIONID = "8F3A2C1D9B7E4F60A1B2C3D4E5F60718"
SID = "d41d8cd98f00b204"
SIBLING_SITE = "http://127.0.0.3:1/"  # another jurisdiction's site: out of scope, never fetch
GOV_CN = "https://www.gov.cn/"
ROBOTS_TXT = (
    b"# robots.txt for the Chongqing municipal government portal (demo)\n"
    b"User-agent: *\n"
    b"Disallow: /private/\n"
)

# (path, content type, gzip) of the static assets; bodies come from static/ or images.py.
_IMAGES = {
    "/images/logo.png": lambda: images.emblem_logo(240, 60),
    "/images/logo@2x.png": lambda: images.emblem_logo(480, 120),
    "/images/banner.png": lambda: images.gradient_banner(480, 100),
    "/images/banner@2x.png": lambda: images.gradient_banner(960, 200),
    "/images/bg.png": images.checker_background,
}
_TEXT_ASSETS = {
    "/css/style.css": ("style.css", "text/css; charset=utf-8"),
    "/js/site.js": ("site.js", "application/javascript; charset=utf-8"),
    disclosure_api.DYNAMIC_SCRIPT_PATH: ("dynamic.js", "application/javascript; charset=utf-8"),
}


def listing_page_name(number: int) -> str:
    """TRS-style listing page names: index.html, index_1.html, index_2.html, ..."""
    return "index.html" if number == 0 else f"index_{number}.html"


def strip_session_id(path: str) -> str:
    """``/service.html;jsessionid=...`` -> ``/service.html`` (path parameters dropped)."""
    return path.split(";", 1)[0]


class PortalSite:
    """The pages of both hosts for one pair of base and files URLs."""

    # Delivery of the listing pages: (gzip, chunked) by page number.
    LISTING_DELIVERY = {0: (True, False), 1: (False, False), 2: (True, True), 3: (False, True)}

    def __init__(self, base_url: str, files_url: str, catalogue: Catalogue | None = None) -> None:
        self.base_url = base_url
        self.files_url = files_url
        self.catalogue = catalogue or load_catalogue()
        self.site = self.catalogue.site
        self.documents = self.catalogue.documents
        self.reposts = self.catalogue.reposts
        self.main_pages: dict[str, Page] = {}
        self.photo_published = False  # the photo news page's photo (photo_news.py)
        self._photo = Page(photo_news.photo_png(), "image/png")
        self._build_main()
        self.files_pages = files_pages(self.catalogue.all_documents)

    # -- building -----------------------------------------------------------------------

    def _html(self, template: str, **context: object) -> bytes:
        return render(template, charset="utf-8", site=self.site, **context)

    def _build_main(self) -> None:
        pages = self.main_pages
        pages["/robots.txt"] = Page(ROBOTS_TXT, "text/plain; charset=utf-8")
        pages["/favicon.ico"] = Page(images.favicon_ico(), "image/x-icon")
        for path, build in _IMAGES.items():
            pages[path] = Page(build(), "image/png")
        for path, (name, content_type) in _TEXT_ASSETS.items():
            pages[path] = Page(static_file(name), content_type, gzip=True)
        pages["/"] = Page(self._home(), HTML, gzip=True)
        pages["/frame/notice.html"] = Page(render("frame_notice.html"), HTML)
        pages[SERVICE_PATH] = Page(self._html("service.html"), HTML)
        pages[disclosure_api.DYNAMIC_PAGE_PATH] = Page(self._html("dynamic.html"), HTML, gzip=True)
        for path in PRIVATE_PATHS:
            pages[path] = Page(self._html("private.html"), HTML)
        self._build_listing("xxgk", XXGK_COLUMN, self.documents)
        self._build_listing("zwgk/zcwj", ZCWJ_COLUMN, self.reposts)
        pages["/xxgk/"] = pages["/xxgk/index.html"]
        for doc in self.catalogue.all_documents:
            pages[doc.path] = self._detail_page(doc)
        pages[photo_news.DOCUMENT.path] = photo_news.photo_page(
            self.site, self.base_url, self.files_url
        )
        target = urljoin(self.base_url, self.document(REDIRECT_TARGET_ID).path)
        pages[REDIRECT_SOURCE] = Page(
            render("moved.html", location=target),
            HTML,
            status=301,
            headers=(("Location", target),),
        )
        self.not_found = Page(self._html("not_found.html"), HTML, status=404)

    def _home(self) -> bytes:
        return self._html(
            "home.html",
            latest=self.documents[:8],
            reposts=self.reposts,
            missing_path=MISSING_PATH,
            jsessionid=JSESSIONID,
            sid=SID,
            sibling_site=SIBLING_SITE,
        )

    def _build_listing(self, section: str, column: str, docs: Sequence[Document]) -> None:
        prefix = f"/{section}"
        pages = max(1, -(-len(docs) // LISTING_PAGE_SIZE))
        for number in range(pages):
            chunk = docs[number * LISTING_PAGE_SIZE : (number + 1) * LISTING_PAGE_SIZE]
            entries = [
                {
                    "rel": "." + doc.path[len(prefix) :],  # TRS style: ./2024/03/t..._1001.html
                    "title": doc.title,
                    "published": doc.published,
                }
                for doc in chunk
            ]
            body = self._html(
                "listing.html",
                column=column,
                docs=entries,
                page=number,
                pages=pages,
                page_name=listing_page_name,
            )
            gzip, chunked = self.LISTING_DELIVERY.get(number, (False, False))
            self.main_pages[f"{prefix}/{listing_page_name(number)}"] = Page(
                body, HTML, gzip=gzip, chunked=chunked
            )

    def _detail_page(self, doc: Document) -> Page:
        siblings = self.reposts if doc.republished_from else self.documents
        index = siblings.index(doc)
        body = render(
            LAYOUTS[doc.layout].template,
            encoding=doc.wire_encoding,
            charset=doc.charset,
            site=self.site,
            doc=doc,
            page_url=urljoin(self.base_url, doc.path),
            files_url=self.files_url,
            listing_column=ZCWJ_COLUMN if doc.republished_from else XXGK_COLUMN,
            prev_doc=siblings[index - 1] if index > 0 else None,
            next_doc=siblings[index + 1] if index + 1 < len(siblings) else None,
        )
        return Page(
            body=body,
            content_type=f"text/html; charset={doc.http_charset}",
            gzip=doc.gzip,
            chunked=doc.chunked,
            last_modified=doc.last_modified,
        )

    # -- serving ------------------------------------------------------------------------

    def resolve_main(self, path: str, query: str) -> Page | None:
        """The page for a request to the main host (query ignored except where it matters);
        None: the connection is closed with no response."""
        path = strip_session_id(path)
        if path == photo_news.PHOTO_PATH:
            return self._photo if self.photo_published else None
        if path == calendar_trap.CALENDAR_PATH:
            month = calendar_trap.parse_month(query)
            if month is None:
                return self.not_found
            return calendar_trap.calendar_page(*month, site=self.site)
        if path == disclosure_api.API_PATH:
            return disclosure_api.api_page(query, self.documents)
        return self.main_pages.get(path, self.not_found)

    def resolve_files(self, path: str) -> Page:
        return self.files_pages.get(strip_session_id(path), self.not_found)

    # -- what a crawl should see --------------------------------------------------------

    def document(self, doc_id: int) -> Document:
        for doc in self.catalogue.all_documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)

    def main_url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def files_url_for(self, path: str) -> str:
        return urljoin(self.files_url, path)

    def expected_paths(self) -> set[str]:
        """Main-host paths a polite in-scope crawl reaches by following links."""
        hidden = {"/xxgk/", *PRIVATE_PATHS, photo_news.DOCUMENT.path}
        paths = {path for path in self.main_pages if path not in hidden}
        paths.add(MISSING_PATH)
        paths.add(calendar_trap.trap_path())
        return paths

    def expected_urls(self) -> set[str]:
        urls = {self.main_url(path) for path in self.expected_paths()}
        urls.update(self.files_url_for(path) for path in self.files_pages)
        return urls

    def disallowed_urls(self) -> set[str]:
        return {self.main_url(path) for path in PRIVATE_PATHS}

    def session_urls(self) -> set[str]:
        return {
            self.main_url(f"{SERVICE_PATH};jsessionid={JSESSIONID}"),
            self.main_url(f"{SERVICE_PATH}?sid={SID}"),
        }
