"""Dublin Core (oai_dc) of a catalogue record."""

from __future__ import annotations

import re

from diancang.catalog.models import KIND_WEBSITE
from diancang.catalog.views import RecordView
from diancang.catalog.xml_text import xml_text

DC_ELEMENTS = (
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
)  # fmt: skip
_KEYWORD_SPLIT = re.compile(r"[,，;；、\s]+")
DESCRIPTION_CHARS = 300


def coverage(view: RecordView) -> str | None:
    r = view.record
    if not r.jurisdiction_code:
        return None
    return (
        f"{r.jurisdiction_name} ({r.jurisdiction_code})"
        if r.jurisdiction_name
        else r.jurisdiction_code
    )


def dublin_core(view: RecordView) -> list[tuple[str, str]]:
    """(element, value) pairs in DC element order, as XML-safe text; empty values are left out."""
    r = view.record
    primary = view.primary
    pairs: list[tuple[str, str | None]] = [("title", r.title)]
    if r.kind == KIND_WEBSITE:
        pairs += [
            ("description", f"网站存档 (website capture), {r.size or 0} bytes"),
            ("date", r.pub_date),
            ("type", "InteractiveResource"),
            ("format", "application/warc"),
        ]
    else:
        pairs.append(("creator", r.agency))
        pairs.append(("subject", r.category))
        pairs += [("subject", k) for k in _KEYWORD_SPLIT.split(r.keywords or "") if k]
        description = r.description or (r.body or "")[:DESCRIPTION_CHARS]
        pairs += [
            ("description", description),
            ("date", r.pub_date),
            ("type", "Text"),
            ("type", r.doc_type),
            ("format", primary.mime if primary else None),
            ("identifier", r.index_no),
        ]
    if primary is not None:
        pairs.append(("identifier", primary.replay_url))
    pairs += [("source", r.source_url), ("language", "zh"), ("coverage", coverage(view))]
    for attachment in view.attachments:
        pairs.append(
            ("relation", attachment.capture.replay_url if attachment.capture else attachment.url)
        )
    order = {name: i for i, name in enumerate(DC_ELEMENTS)}
    kept = [(k, xml_text(v).strip()) for k, v in pairs if v]
    return sorted(((k, v) for k, v in kept if v), key=lambda kv: order[kv[0]])
