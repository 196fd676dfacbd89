"""The JSON behind the script-built list ``/xxgk/dynamic.html``.

``/xxgk/api/list.json?page=N`` returns ``PAGE_SIZE`` items (title, url, date) of the
disclosure documents, newest first, for ``N`` = 1 .. ``API_PAGES``; ``has_more`` is false on
the last page, and later pages are empty.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import parse_qs

from diancang.demo_portal.documents import Document
from diancang.demo_portal.serving import Page

API_PATH = "/xxgk/api/list.json"
DYNAMIC_PAGE_PATH = "/xxgk/dynamic.html"
DYNAMIC_SCRIPT_PATH = "/js/dynamic.js"
PAGE_SIZE = 8
API_PAGES = 3
_JSON = "application/json; charset=utf-8"


def api_path(page: int) -> str:
    return f"{API_PATH}?page={page}"


def _json_page(payload: dict, status: int = 200) -> Page:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Page(body=body, content_type=_JSON, status=status, gzip=True)


def item_count(documents: Sequence[Document]) -> int:
    """Items shown once every page is loaded."""
    return min(len(documents), PAGE_SIZE * API_PAGES)


def initial_count(documents: Sequence[Document]) -> int:
    """Items shown on opening the page, before any click or scroll."""
    return min(len(documents), PAGE_SIZE)


def api_page(query: str, documents: Sequence[Document]) -> Page:
    """The JSON answer for a query string such as ``page=2``."""
    raw = parse_qs(query).get("page", ["1"])[0]
    if not raw.isdigit() or int(raw) < 1:
        return _json_page({"error": "invalid page", "page": raw}, status=400)
    number = int(raw)
    shown = documents[: item_count(documents)]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    chunk = shown[(number - 1) * PAGE_SIZE : number * PAGE_SIZE] if number <= pages else []
    items = [
        {"title": doc.title, "url": doc.path, "date": doc.published.strftime("%Y-%m-%d")}
        for doc in chunk
    ]
    payload = {
        "page": number,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "total": len(shown),
        "has_more": number < pages,
        "items": items,
    }
    return _json_page(payload)
