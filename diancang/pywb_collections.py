"""pywb collection names and replay links, shared by crawler, storage, catalogue and replay.

A seed's captures live in the pywb collection ``COLLECTION-JURISDICTION`` (``govinfo-500000``);
the crawler writes them there, storage lists them by it, the catalogue links into it and
replay serves it.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

JURISDICTION_CODE = re.compile(r"\d{6}")  # a GB/T 2260 code, the tail of a collection name
# characters left as they are in the URL part of a replay link
_REPLAY_SAFE = ":/?&=%#;@+,~!$*()[]"


def collection_name(collection: str, jurisdiction: str | None) -> str:
    """``govinfo`` and ``500000`` -> ``govinfo-500000``; without a code, the collection alone."""
    return f"{collection}-{jurisdiction}" if jurisdiction else collection


def split_collection(name: str) -> tuple[str, str]:
    """``govinfo-500000`` -> (``govinfo``, ``500000``); no code -> (name, "")."""
    head, _, tail = name.rpartition("-")
    if head and JURISDICTION_CODE.fullmatch(tail):
        return head, tail
    return name, ""


def replay_url(
    base: str, collection: str, jurisdiction: str | None, when: datetime, url: str
) -> str:
    """pywb link: ``{base}{collection}-{jurisdiction}/{timestamp}/{url}``."""
    name = collection_name(collection, jurisdiction)
    return f"{base}{name}/{when:%Y%m%d%H%M%S}/{quote(url, safe=_REPLAY_SAFE)}"
