"""Twisted's HTTP client keeps the connection-control headers a server sent.

``HTTPClientParser`` moves Content-Length, Transfer-Encoding, Connection and Keep-Alive out of
the response headers Scrapy sees (into ``connHeaders``). A WARC response record holds the
headers as received, so :func:`install` puts them back after Twisted has used them to frame
the body. Bug report: docs/upstream.md, "Twisted: connection headers hidden".
"""

from __future__ import annotations

import inspect

from twisted.web._newclient import HTTPClientParser

from diancang.upstream.shape import expect, parameters

_original = HTTPClientParser.allHeadersReceived


def check() -> None:
    expect(
        parameters(_original) == ["self"],
        "twisted",
        "twisted_headers",
        "twisted.web._newclient.HTTPClientParser.allHeadersReceived(self) is gone",
    )
    expect(
        "self.connHeaders" in inspect.getsource(HTTPClientParser),
        "twisted",
        "twisted_headers",
        "HTTPClientParser no longer keeps connection headers in connHeaders",
    )


def _all_headers_received(self) -> None:
    _original(self)
    response = getattr(self, "response", None)
    if response is None:  # a 1xx interim response was discarded
        return
    for name, values in self.connHeaders.getAllRawHeaders():
        for value in values:
            response.headers.addRawHeader(name, value)


def install() -> None:
    """Response headers include the connection headers, for every Twisted HTTP/1 fetch."""
    HTTPClientParser.allHeadersReceived = _all_headers_received


check()
