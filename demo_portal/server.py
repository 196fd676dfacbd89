"""The demo portal: a realistic 重庆市人民政府 site (www) and its files host on loopback.

    from diancang.demo_portal.server import DemoPortal

    with DemoPortal() as portal:          # or portal = DemoPortal().start(); ...; portal.stop()
        portal.base_url                   # http://127.0.0.1:PORT/   main site
        portal.files_url                  # http://127.0.0.2:PORT2/  attachments
        portal.expected_urls()            # what a polite in-scope crawl must capture
        portal.disallowed_urls()          # linked, but disallowed by robots.txt
        portal.photo_page_url(), portal.photo_url(), portal.publish_photo()
                                          # a photo only a patch crawl captures

Every body is fixed at start-up (or computed from the URL alone), so two fetches of a URL
return identical bytes. See the package README docstring in ``demo_portal/__init__.py``
for the list of pages.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from diancang.demo_portal import calendar_trap, disclosure_api, photo_news
from diancang.demo_portal.documents import Document
from diancang.demo_portal.layouts import shown_fields
from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)
from diancang.demo_portal.site import (
    GOV_CN,
    MISSING_PATH,
    REDIRECT_SOURCE,
    REDIRECT_TARGET_ID,
    SIBLING_SITE,
    PortalSite,
)

Resolver = Callable[[str, str], Page | None]  # None: close the connection, no response


def _handler_class(resolve: Resolver, latency: float) -> type[PageHandler]:
    class PortalHandler(PageHandler):
        def _respond(self, head_only: bool) -> None:
            target = self.path
            if "://" in target:  # absolute-form request target
                parts = urlsplit(target)
                target = parts.path + ("?" + parts.query if parts.query else "")
            path, _, query = target.partition("?")
            self.wait_latency(latency)
            page = resolve(path or "/", query)
            if page is None:  # a server that is down: nothing to record
                self.close_connection = True
                return
            self.send_page(page, head_only=head_only)

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            self._respond(head_only=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(head_only=True)

    return PortalHandler


class DemoPortal(ServedSite):
    """The bundled demo portal: main site and files host, each in background threads."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        files_host: str = "127.0.0.2",
        latency: float = 0.0,
        files_port: int = 0,
    ) -> None:
        self.latency = latency
        self._site: PortalSite | None = None
        # Bind first (port 0 picks a free port): pages hold absolute links to the files host.
        self._main = LoopbackHTTPServer((host, port), PageHandler)
        self._files = LoopbackHTTPServer((files_host, files_port), PageHandler)
        self._main_runner = BackgroundServer(self._main, "demo-portal-www")
        self._files_runner = BackgroundServer(self._files, "demo-portal-files")
        self._started = False

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> DemoPortal:
        """Build every page and serve both hosts in background threads."""
        if self._started:
            return self
        site = PortalSite(self.base_url, self.files_url)
        self._site = site
        self._main.RequestHandlerClass = _handler_class(site.resolve_main, self.latency)
        self._files.RequestHandlerClass = _handler_class(
            lambda path, query: site.resolve_files(path), self.latency
        )
        self._main_runner.start()
        self._files_runner.start()
        self._started = True
        return self

    def stop(self) -> None:
        """Stop serving and close every connection (idempotent)."""
        self._main_runner.stop()
        self._files_runner.stop()
        self._started = False

    # -- addresses ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/`` of the main site."""
        return self._main_runner.url

    @property
    def files_url(self) -> str:
        """``http://FILES_HOST:PORT2/`` of the attachment host."""
        return self._files_runner.url

    @property
    def site(self) -> PortalSite:
        if self._site is None:
            self._site = PortalSite(self.base_url, self.files_url)
        return self._site

    def url(self, path: str) -> str:
        """Absolute URL of a path on the main site."""
        return urljoin(self.base_url, path)

    # -- what a crawl must (not) capture ------------------------------------------------

    def expected_urls(self) -> set[str]:
        """Every URL a polite in-scope crawl of ``base_url`` must capture: HTML pages, CSS,
        images (``srcset`` and CSS ``url()`` included), scripts, the iframe page, favicon,
        attachments on the files host, the redirect source and its target, the 404 URL,
        ``/robots.txt`` of both hosts and the first calendar page. Excludes robots-disallowed
        URLs, calendar pages beyond the first, the session-id variants of ``/service.html``
        (:meth:`session_urls`), the JSON behind the dynamic list (:meth:`dynamic_api_urls`)
        and out-of-scope links (:meth:`out_of_scope_urls`)."""
        return self.site.expected_urls()

    def disallowed_urls(self) -> set[str]:
        """URLs linked from the site but disallowed by robots.txt (``/private/``)."""
        return self.site.disallowed_urls()

    def session_urls(self) -> set[str]:
        """Links to ``/service.html`` carrying session ids; they serve the same bytes."""
        return self.site.session_urls()

    def out_of_scope_urls(self) -> set[str]:
        """Links to other hosts that a crawl must never fetch."""
        return {SIBLING_SITE, GOV_CN}

    def trap_url(self) -> str:
        """The first page of the calendar trap (the only one in :meth:`expected_urls`)."""
        return self.url(calendar_trap.trap_path())

    def redirect_urls(self) -> tuple[str, str]:
        """(source, target) of the permanent redirect."""
        return self.url(REDIRECT_SOURCE), self.url(self.site.document(REDIRECT_TARGET_ID).path)

    def not_found_url(self) -> str:
        return self.url(MISSING_PATH)

    # -- the photo that only a patch crawl captures (photo_news.py) ---------------------

    def photo_page_url(self) -> str:
        """A 图片新闻 detail page no page links to: crawl it as a seed of its own."""
        return self.url(photo_news.DOCUMENT.path)

    def photo_url(self) -> str:
        """Its photo: the connection closes with no response until :meth:`publish_photo`."""
        return self.url(photo_news.PHOTO_PATH)

    def publish_photo(self, published: bool = True) -> None:
        self.site.photo_published = published

    # -- the script-built list ----------------------------------------------------------

    def dynamic_page_url(self) -> str:
        return self.url(disclosure_api.DYNAMIC_PAGE_PATH)

    def dynamic_api_urls(self) -> list[str]:
        """The JSON pages the dynamic list fetches, in order (a browser capture gets them)."""
        pages = range(1, disclosure_api.API_PAGES + 1)
        return [self.url(disclosure_api.api_path(number)) for number in pages]

    def dynamic_item_count(self) -> int:
        """Items shown on ``/xxgk/dynamic.html`` once every page is loaded."""
        return disclosure_api.item_count(self.site.documents)

    def dynamic_initial_count(self) -> int:
        """Items shown on ``/xxgk/dynamic.html`` before any click or scroll."""
        return disclosure_api.initial_count(self.site.documents)

    # -- the documents ------------------------------------------------------------------

    def documents(self) -> list[Document]:
        """Every detail page's document, newest first, re-publications last."""
        return list(self.site.catalogue.all_documents)

    def document_url(self, doc: Document) -> str:
        return self.url(doc.path)

    def shown_fields(self, doc: Document) -> dict[str, str]:
        """The disclosure fields ``doc``'s page visibly shows, as displayed."""
        return shown_fields(doc)

    def duplicate_pairs(self) -> list[tuple[str, str]]:
        """(original URL, re-publication URL) pairs sharing one 索引号."""
        return [
            (self.url(self.site.document(doc.republished_from).path), self.url(doc.path))
            for doc in self.site.reposts
            if doc.republished_from is not None
        ]
