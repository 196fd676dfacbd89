"""The bytes the server sent for the responses whose bodies Chromium hands out decoded.

Chromium's ``Network.getResponseBody`` (Playwright's ``Response.body()``) returns the body
of a document, script or stylesheet as the text Chromium decoded, in UTF-8: a GBK page
came back as UTF-8 under its ``charset=GBK`` header and replayed as mojibake. The Fetch
domain, paused at the response stage, gives the body as the network delivered it (with
Content-Encoding undone, as ``body()`` does). Playwright has no API for that (its
``route.fetch()`` fetches again, from outside the browser and its guarded proxy), so the
page gets a DevTools session of its own beside Playwright's.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections import defaultdict, deque

from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

log = logging.getLogger(__name__)

# the resource types whose bodies Chromium decodes as text (images, fonts, XHR and the
# rest come out of Network.getResponseBody as received)
DECODED_TYPES = ("Document", "Stylesheet", "Script")


class RawBodies:
    """Keeps the received body of each document, script and stylesheet a page loads,
    until the page's response listener takes it."""

    def __init__(self) -> None:
        self._session: CDPSession | None = None
        self._bodies: defaultdict[tuple[str, str], deque[bytes]] = defaultdict(deque)
        self._pending: set[asyncio.Task] = set()

    async def attach(self, page: Page) -> None:
        """Start before navigation: a body missed here is recorded as Chromium decoded it."""
        self._session = session = await page.context.new_cdp_session(page)
        session.on("Fetch.requestPaused", self._paused)
        patterns = [
            {"urlPattern": "*", "resourceType": kind, "requestStage": "Response"}
            for kind in DECODED_TYPES
        ]
        await session.send("Fetch.enable", {"patterns": patterns})

    def take(self, method: str, url: str) -> bytes | None:
        """The received body of the next response of ``method`` ``url``, if one was kept."""
        kept = self._bodies.get((method, url))
        return kept.popleft() if kept else None

    def _paused(self, event: dict) -> None:
        task = asyncio.ensure_future(self._keep(event))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _keep(self, event: dict) -> None:
        session, request = self._session, event["request"]
        status = event.get("responseStatusCode")
        try:
            # redirects and failed loads have no body to read
            if (
                status is not None
                and not 300 <= status < 400
                and "responseErrorReason" not in event
            ):
                reply = await session.send(
                    "Fetch.getResponseBody", {"requestId": event["requestId"]}
                )
                body = reply["body"]
                raw = base64.b64decode(body) if reply["base64Encoded"] else body.encode("utf-8")
                url = request["url"] + request.get("urlFragment", "")
                self._bodies[(request["method"], url)].append(raw)
        except PlaywrightError as exc:  # the page went away, or the body is gone
            log.debug("no received body of %s: %s", request["url"], exc)
        finally:
            try:
                await session.send("Fetch.continueRequest", {"requestId": event["requestId"]})
            except PlaywrightError as exc:
                log.debug("could not continue %s: %s", request["url"], exc)
