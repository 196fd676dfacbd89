"""Small HTTP and link helpers for the demo-portal tests (stdlib only, real sockets)."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def charset(self) -> str:
        match = re.search(r"charset=([\w-]+)", self.header("Content-Type") or "")
        label = match.group(1).lower() if match else "utf-8"
        return "gb18030" if label in ("gb2312", "gbk") else label


def fetch(
    url: str, headers: dict[str, str] | None = None, timeout: float = 5.0, method: str = "GET"
) -> Response:
    """One request, redirects not followed, body as sent (gzip not decoded)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


class _LinkParser(HTMLParser):
    ATTRIBUTES = {
        "a": ("href",),
        "link": ("href",),
        "img": ("src", "srcset"),
        "source": ("src", "srcset"),
        "script": ("src",),
        "iframe": ("src",),
    }

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None or name not in self.ATTRIBUTES.get(tag, ()):
                continue
            if name == "srcset":
                self.links.extend(part.split()[0] for part in value.split(",") if part.strip())
            else:
                self.links.append(value)


def extract_links(url: str, response: Response) -> set[str]:
    """Absolute URLs linked from an HTML page or a style sheet (no fragments, no scripts)."""
    content_type = response.header("Content-Type") or ""
    text = response.body.decode(response.charset, errors="replace")
    if "text/css" in content_type:
        raw = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
    elif "text/html" in content_type:
        parser = _LinkParser()
        parser.feed(text)
        raw = parser.links
    else:
        return set()
    links = set()
    for link in raw:
        if link.startswith(("javascript:", "mailto:", "#")):
            continue
        links.add(urldefrag(urljoin(url, link)).url)
    return links
