"""A small loopback site for QA tests: pages with images, a page whose script calls
another origin (the "live web"), and plain numbered pages.

    with QaSite(pages=4) as site:
        site.url("/good.html"), site.url("/photo.html"), site.url("/leak.html")
        site.page_urls()      # /p/0.html .. /p/{pages-1}.html
        site.live_requests    # paths the other origin was asked for

``/photo.html`` shows a large image (``PHOTO_PATH``) that fills most of the window, so a
replay without it looks different; ``/good.html`` a small one. ``/leak.html`` loads
``/static/leak.js``, which calls the other origin (``LEAK_PATH``) twice: by ``import()``,
which pywb's client-side rewriting cannot see (a live leak in replay), and as an SVG image,
which it rewrites (a miss: the capture's browser scope kept it out of the archive).
"""

from __future__ import annotations

import io
import threading

from PIL import Image

from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)

PHOTO_PATH = "/img/photo.png"
LOGO_PATH = "/img/logo.png"
LEAK_PATH = "/beacon"
_HTML = "text/html; charset=utf-8"
_TEXT = (
    "重庆市人民政府办公厅关于进一步优化营商环境的通知。各区县人民政府，市政府各部门："
    "为深入贯彻落实党中央、国务院决策部署，持续优化营商环境，现就有关事项通知如下。"
)


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def _page(title: str, body: str) -> Page:
    html = (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif;margin:20px}img{display:block}</style></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
    return Page(html.encode("utf-8"), _HTML)


class QaSite(ServedSite):
    def __init__(self, pages: int = 4) -> None:
        self.live_requests: list[str] = []
        live_lock = threading.Lock()
        live_requests = self.live_requests

        class Live(PageHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                with live_lock:
                    live_requests.append(self.path)
                self.send_page(Page(b"", "text/plain", status=204))

            do_POST = do_GET  # noqa: N815

        self.live = BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), Live), "qa-live")
        live_url = self.live.url.rstrip("/") + LEAK_PATH
        leak_js = (
            f"var u = {live_url!r};\n"
            "try { import(u + '?import'); } catch (e) {}\n"
            "try { var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');"
            " var im = document.createElementNS('http://www.w3.org/2000/svg', 'image');"
            " im.setAttributeNS('http://www.w3.org/1999/xlink', 'href', u + '?svg');"
            " svg.appendChild(im); document.body.appendChild(svg); } catch (e) {}\n"
        ).encode()
        self.pages = {
            "/robots.txt": Page(b"User-agent: *\nDisallow:\n", "text/plain"),
            "/good.html": _page(
                "政务公开通知",
                f"<p>{_TEXT}</p><img src='{LOGO_PATH}' width='120' height='60' alt='logo'>"
                f"<p>{_TEXT}</p>",
            ),
            "/photo.html": _page(
                "图片新闻",
                f"<img src='{PHOTO_PATH}' width='1200' height='600' alt='photo'><p>{_TEXT}</p>",
            ),
            "/leak.html": _page(
                "外链脚本", f"<p>{_TEXT}</p><script src='/static/leak.js'></script>"
            ),
            "/static/leak.js": Page(leak_js, "text/javascript"),
            LOGO_PATH: Page(_png(120, 60, (20, 90, 200)), "image/png"),
            PHOTO_PATH: Page(_png(1200, 600, (200, 30, 30)), "image/png"),
        }
        for number in range(pages):
            self.pages[f"/p/{number}.html"] = _page(f"第 {number} 页", f"<p>{number} {_TEXT}</p>")
        site_pages = self.pages

        class Site(PageHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                page = site_pages.get(self.path.split("?", 1)[0])
                self.send_page(page or Page(b"not found", "text/plain", status=404))

        self.site = BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), Site), "qa-site")
        self.servers = [self.site, self.live]
        self.page_count = pages

    def url(self, path: str) -> str:
        return self.site.url.rstrip("/") + path

    def page_urls(self) -> list[str]:
        return [self.url(f"/p/{number}.html") for number in range(self.page_count)]
