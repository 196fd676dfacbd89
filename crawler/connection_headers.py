"""Keep the connection-control headers a server sent, for the WARC response record.

Twisted's HTTP client moves Content-Length, Transfer-Encoding, Connection and Keep-Alive
out of the response headers Scrapy sees. A WARC response record should hold the headers as
received, so they are put back here, after Twisted has used them to frame the body.
"""

from __future__ import annotations

from twisted.web._newclient import HTTPClientParser

_original = HTTPClientParser.allHeadersReceived


def _all_headers_received(self) -> None:
    _original(self)
    response = getattr(self, "response", None)
    if response is None:  # a 1xx interim response was discarded
        return
    for name, values in self.connHeaders.getAllRawHeaders():
        for value in values:
            response.headers.addRawHeader(name, value)


def install() -> None:
    HTTPClientParser.allHeadersReceived = _all_headers_received
