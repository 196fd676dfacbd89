"""The two metadata formats: ``oai_dc`` and Diancang's richer ``govinfo``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from diancang.catalog.dublin_core import coverage, dublin_core
from diancang.catalog.views import RecordView
from diancang.catalog.xml_text import set_attribute, sub_element, xml_text

XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
GOVINFO_NS = "urn:x-diancang:govinfo:1.0"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    render: Callable[[RecordView, str], etree._Element]


def oai_dc(view: RecordView, _base_url: str) -> etree._Element:
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI})
    root.set(
        f"{{{XSI}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    )
    for name, value in dublin_core(view):
        sub_element(root, f"{{{DC_NS}}}{name}", value)
    return root


_GOVINFO_FIELDS = (
    ("title", "title"), ("indexNumber", "index_no"), ("category", "category"),
    ("agency", "agency"), ("dateWritten", "written_date"), ("documentNumber", "doc_number"),
    ("datePublished", "pub_date"), ("keywords", "keywords"), ("validity", "validity"),
    ("documentType", "doc_type"), ("description", "description"), ("body", "body"),
    ("sourceUrl", "source_url"), ("siteName", "site_name"), ("size", "size"),
    ("collection", "collection"),
)  # fmt: skip


def govinfo(view: RecordView, base_url: str) -> etree._Element:
    r = view.record
    g = f"{{{GOVINFO_NS}}}"
    root = etree.Element(g + "record", nsmap={"g": GOVINFO_NS, "xsi": XSI})
    set_attribute(root, f"{{{XSI}}}schemaLocation", f"{GOVINFO_NS} {base_url}/schemas/govinfo.xsd")
    sub_element(root, g + "kind", r.kind)
    for element, attr in _GOVINFO_FIELDS:
        value = getattr(r, attr)
        if value is not None and xml_text(str(value)).strip():
            sub_element(root, g + element, value)
    if r.jurisdiction_code:
        place = sub_element(root, g + "jurisdiction", code=r.jurisdiction_code)
        if r.province_code:
            set_attribute(place, "province", r.province_code)
        if r.city_code:
            set_attribute(place, "city", r.city_code)
        place.text = xml_text((coverage(view) or "").split(" (")[0])
    if view.captures:
        captures = sub_element(root, g + "captures")
        for c in view.captures:
            time = c.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            el = sub_element(captures, g + "capture", url=c.url, time=time)
            for name, value in (
                ("status", c.status), ("mime", c.mime), ("payloadDigest", c.payload_digest),
            ):  # fmt: skip
                if value is not None:
                    set_attribute(el, name, value)
            for name, value in (
                ("warcFile", c.warc_file.name), ("offset", c.offset), ("length", c.length),
                ("replay", c.replay_url),
            ):  # fmt: skip
                set_attribute(el, name, value)
            if c.match_reason:
                set_attribute(el, "match", c.match_reason)
                set_attribute(el, "matchDetail", c.match_detail or "")
    if view.attachments:
        attachments = sub_element(root, g + "attachments")
        for a in view.attachments:
            el = sub_element(attachments, g + "attachment", url=a.url)
            if a.name:
                set_attribute(el, "name", a.name)
            set_attribute(el, "captured", "true" if a.captured else "false")
            if a.capture is not None:
                set_attribute(el, "replay", a.capture.replay_url)
    if r.provenance:
        provenance = sub_element(root, g + "provenance")
        for name, rule in sorted(r.provenance.items()):
            el = sub_element(provenance, g + "field", name=name, rule=rule)
            printed = (r.raw_values or {}).get(name)
            if printed:
                set_attribute(el, "printed", printed)
    return root


FORMATS = {
    "oai_dc": MetadataFormat(
        "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS, oai_dc
    ),
    "govinfo": MetadataFormat("govinfo", "{base}/schemas/govinfo.xsd", GOVINFO_NS, govinfo),
}
