"""Twisted's HTTP client hides the connection headers a server sent."""

from __future__ import annotations

from upstream_bugs import assert_shape_error, fresh_python, still_broken

from diancang.upstream import twisted_headers

# docs/upstream.md, "Twisted: connection headers hidden": the reproduction
_PARSE = """
import sys
from twisted.internet.testing import StringTransport
from twisted.web._newclient import HTTPClientParser, Request
from twisted.web.http_headers import Headers

if sys.argv[1] == "patched":
    from diancang.upstream import twisted_headers
    twisted_headers.install()
parser = HTTPClientParser(Request(b"GET", b"/", Headers(), None), lambda rest: None)
parser.makeConnection(StringTransport())
parser.dataReceived(
    b"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nConnection: keep-alive\\r\\n"
    b"Keep-Alive: timeout=5\\r\\nContent-Type: text/plain\\r\\n\\r\\n"
)
print(sorted(name.decode().lower() for name, _ in parser.response.headers.getAllRawHeaders()))
"""


def test_twisted_still_hides_content_length_and_connection():
    seen = fresh_python(_PARSE, "plain").strip()
    still_broken(
        seen == "['content-type']",
        "Twisted's HTTPClientParser hiding Content-Length and Connection",
        "twisted_headers",
    )


def test_the_patch_puts_the_connection_headers_back():
    seen = fresh_python(_PARSE, "patched").strip()
    assert seen == "['connection', 'content-length', 'content-type', 'keep-alive']"


def test_a_changed_all_headers_received_is_refused(monkeypatch):
    monkeypatch.setattr(twisted_headers, "_original", lambda self, extra: None)
    assert_shape_error(twisted_headers.check, "twisted", "twisted_headers")
