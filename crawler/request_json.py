"""A Scrapy request as JSON for the shared frontier, never pickle: whoever can write to Redis
must not be able to run code in the workers. Only the fields a Diancang request uses travel:
URL, method, headers, body, the meta keys of ``FRONTIER_META``, priority, dont_filter and the
names of the spider's callback and errback (looked up on the spider, never imported).
"""

from __future__ import annotations

import json

from scrapy import Request, Spider

from diancang.crawler.request_meta import FRONTIER_META


def request_to_json(request: Request, spider: Spider) -> str:
    data = {
        "url": request.url,
        "method": request.method,
        "headers": {
            k.decode("latin-1"): [v.decode("latin-1") for v in values]
            for k, values in request.headers.items()
        },
        "body": request.body.decode("latin-1"),
        "meta": {k: request.meta[k] for k in FRONTIER_META if k in request.meta},
        "priority": request.priority,
        "dont_filter": request.dont_filter,
        "callback": callback_name(request.callback, spider),
        "errback": callback_name(request.errback, spider),
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def callback_name(method, spider: Spider) -> str | None:
    """The name of a request's callback, which must be a method of ``spider``."""
    if method is None:
        return None
    if getattr(method, "__self__", None) is not spider:
        raise ValueError(f"{method!r}: a frontier callback must be a spider method")
    return method.__name__


def request_from_json(text: str, spider: Spider) -> Request:
    """The request ``text`` describes; ValueError naming what is wrong when it is malformed."""
    try:
        data = json.loads(text)
        callback, errback = (_method(spider, data[key]) for key in ("callback", "errback"))
        return Request(
            data["url"],
            method=data["method"],
            headers=data["headers"],
            body=data["body"].encode("latin-1"),
            meta=data["meta"],
            priority=data["priority"],
            dont_filter=data["dont_filter"],
            callback=callback,
            errback=errback,
        )
    except (KeyError, TypeError, AttributeError, UnicodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed shared-frontier entry {text[:200]!r}: {exc!r}") from None


def _method(spider: Spider, name: str | None):
    if name is None:
        return None
    if name.startswith("_") or not callable(getattr(spider, name, None)):
        raise AttributeError(f"spider has no callback {name!r}")
    return getattr(spider, name)
