"""Why a fetch failed, as the short token + message of a ``fetch-error`` metadata line."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet import error
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from diancang.crawler.network_guard import RefusedAddress
from diancang.crawler.stopped import LimitReached
from diancang.warc_names import (
    FETCH_CONNECT,
    FETCH_CONNECTION_LOST,
    FETCH_CONNECTION_REFUSED,
    FETCH_DNS,
    FETCH_REFUSED_ADDRESS,
    FETCH_ROBOTS,
    FETCH_TIMEOUT,
)

MAX_MESSAGE = 200  # characters of an exception's message kept

# (exception types, token), the first that matches an exception of the chain names the
# failure; Scrapy's own download errors are here for those it raises with no cause
_TOKENS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((RefusedAddress,), FETCH_REFUSED_ADDRESS),
    ((error.DNSLookupError, CannotResolveHostError), FETCH_DNS),
    (
        (error.TimeoutError, error.TCPTimedOutError, TimeoutError, DownloadTimeoutError),
        FETCH_TIMEOUT,
    ),
    ((error.ConnectionRefusedError, DownloadConnectionRefusedError), FETCH_CONNECTION_REFUSED),
    ((error.ConnectionLost, error.ConnectionDone, ResponseNeverReceived), FETCH_CONNECTION_LOST),
    ((error.ConnectError,), FETCH_CONNECT),
)


def fetch_error(failure: Failure) -> str | None:
    """``robots``, ``timeout …``, ``dns …``; None for a request dropped by a limit."""
    if failure.check(LimitReached):
        return None
    if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
        return FETCH_ROBOTS
    chain = list(_chain(failure.value))
    for types, token in _TOKENS:
        found = [exc for exc in chain if isinstance(exc, types)]
        if found:
            return f"{token} {_message(found[-1])}".strip()
    underlying = chain[-1]
    return f"{type(underlying).__name__} {_message(underlying)}".strip()


def underlying_error(failure: Failure) -> BaseException:
    """What the fetch failed with, under the errors that wrap it (see _chain)."""
    *_, underlying = _chain(failure.value)
    return underlying


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps, outermost first: Scrapy 2.19 raises its own download
    errors from Twisted's, and Twisted's response errors hold their reasons as failures."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        reasons = [r.value for r in getattr(exc, "reasons", ()) if isinstance(r, Failure)]
        if reasons:
            exc = reasons[0]
        elif exc.__cause__ is not None or exc.__suppress_context__:
            exc = exc.__cause__
        else:
            exc = exc.__context__


def _message(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:MAX_MESSAGE]
