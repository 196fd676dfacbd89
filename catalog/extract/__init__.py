"""Extract a government-information record from an archived page.

Sources in order, the first that gives a field wins: per-site overrides from the seed list,
the standard ``<meta>`` tags, the label/value disclosure table, fields left in HTML comments,
then the visible page. One exception: ``ContentSource`` (where the text came from, often the
portal itself) gives the agency only when the table prints no 发布机构/发文机关.
Every field keeps the rule that produced it (``provenance``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from diancang.catalog.extract.charset import detect_charset, page_text
from diancang.catalog.extract.dates import normalise_date
from diancang.catalog.extract.labels import (
    DATE_FIELDS,
    DISCLOSURE_FIELDS,
    RECORD_FIELDS,
    clean_value,
    squeeze,
)
from diancang.catalog.extract.labels_scan import scan_comments, scan_label_values
from diancang.catalog.extract.meta import read_meta
from diancang.catalog.extract.overrides import apply_overrides
from diancang.catalog.extract.visible import (
    attachment_links,
    block_text,
    body_element,
    page_title,
    visible_title,
)

__all__ = ["Extraction", "extract_page", "parse_html"]


@dataclass
class Extraction:
    """What one archived page says about itself."""

    charset: str
    page_title: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    body: str = ""
    attachments: list[tuple[str, str]] = field(default_factory=list)
    site_id_code: str | None = None
    site_name: str | None = None
    column: str | None = None
    label_fields: set[str] = field(default_factory=set)
    skipped_links: Counter[str] = field(default_factory=Counter)  # reason → links left out

    @property
    def is_disclosure(self) -> bool:
        """A disclosure page prints an index number or at least two disclosure labels."""
        found = self.label_fields | {f for f, rule in self.provenance.items() if "override" in rule}
        return "index_no" in found or len(found & set(DISCLOSURE_FIELDS)) >= 2

    def offer(self, name: str, value: str | None, rule: str) -> None:
        """Keep ``value`` for ``name`` unless an earlier source already gave one."""
        if name in self.values:
            return
        cleaned = clean_value(name, value)
        if value is not None and squeeze(value) and name not in self.raw:
            self.raw[name] = squeeze(value).lstrip("：:").strip()
        if cleaned is None:
            return
        if name in DATE_FIELDS:
            iso = normalise_date(cleaned)
            if iso is None:
                return
            cleaned = iso
        self.values[name] = cleaned
        self.provenance[name] = rule


def parse_html(text: str) -> HtmlElement:
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def extract_page(
    body: bytes,
    url: str,
    content_type: str | None = None,
    overrides: dict[str, str] | None = None,
    *,
    whole_page: bool = True,
) -> Extraction:
    """Read an HTML response body (as archived, already de-chunked and decompressed).

    With ``whole_page=False`` a page that is not a disclosure page is read no further than
    its links: its heading and body text would only serve a record (ingest catalogues such a
    page by its ``<title>``, charset and site meta tags, and counts its skipped links)."""
    charset, charset_rule = detect_charset(body, content_type)
    doc = parse_html(page_text(body, charset))
    result = Extraction(charset=charset, page_title=page_title(doc))
    result.provenance["charset"] = f"{charset_rule}:{charset}"

    override_body = None
    if overrides:
        for name, (value, rule) in apply_overrides(doc, overrides).items():
            if name == "body":
                override_body = (value, rule)
            else:
                result.offer(name, value, rule)

    meta = read_meta(doc)
    for name, (value, rule) in meta.items():
        if name in RECORD_FIELDS and rule != "meta:ContentSource":
            result.offer(name, value, rule)
    result.site_id_code = meta.get("site_id_code", (None,))[0]
    result.site_name = meta.get("site_name", (None,))[0]
    result.column = meta.get("column", (None,))[0]

    body_el = doc.find("body")
    for pair in scan_label_values(body_el if body_el is not None else doc):
        result.label_fields.add(pair.field)
        result.offer(pair.field, pair.value, pair.rule)
    # ContentSource names where the text came from (often the portal, 中国政府网); the
    # table's 发布机构/发文机关 is the issuing agency, so the meta tag only fills a gap.
    if "agency" in meta:
        result.offer("agency", *meta["agency"])
    for pair in scan_comments(doc):
        result.offer(pair.field, pair.value, pair.rule)
    if not whole_page and not result.is_disclosure:
        attachment_links(doc, url, result.skipped_links)
        return result

    title = visible_title(doc)
    if title:
        result.offer("title", *title)
    if override_body:
        result.body, result.provenance["body"] = override_body
    else:
        found = body_element(doc)
        if found is not None:
            result.body = block_text(found[0])
            result.provenance["body"] = found[1]
    result.attachments = attachment_links(doc, url, result.skipped_links)
    return result
