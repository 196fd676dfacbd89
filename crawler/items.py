"""What the spider hands to the item pipelines besides requests."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy import Request


@dataclass(frozen=True)
class RequestHandled:
    """The spider's last output for a request: everything it led to is already scheduled.

    Scrapy 2.19 drains a callback's outputs into a queue that workers process later, so the
    end of the callback comes before its requests reach the scheduler. This marker goes
    through the same queue behind them; the frontier forgets the request only when it
    arrives, so a kill at any moment loses no URL.
    """

    request: Request
