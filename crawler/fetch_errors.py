"""Why a fetch failed, as the short token + message of a ``fetch-error`` metadata line."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
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

# (exception types, token), the first that matches names the failure
_TOKENS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((RefusedAddress,), FETCH_REFUSED_ADDRESS),
    ((error.DNSLookupError,), FETCH_DNS),
    ((error.TimeoutError, error.TCPTimedOutError, TimeoutError), FETCH_TIMEOUT),
    ((error.ConnectionRefusedError,), FETCH_CONNECTION_REFUSED),
    ((error.ConnectionLost, error.ConnectionDone, ResponseNeverReceived), FETCH_CONNECTION_LOST),
    ((error.ConnectError,), FETCH_CONNECT),
)


def fetch_error(failure: Failure) -> str | None:
    """``robots``, ``timeout …``, ``dns …``; None for a request dropped by a limit."""
    if failure.check(LimitReached):
        return None
    message = " ".join(failure.getErrorMessage().split())[:MAX_MESSAGE]
    if failure.check(IgnoreRequest) and "robots.txt" in message:
        return FETCH_ROBOTS
    for types, token in _TOKENS:
        if failure.check(*types):
            return f"{token} {message}".strip()
    return f"{failure.type.__name__} {message}".strip()
