"""The two metadata formats: ``oai_dc`` and Diancang's richer ``govinfo``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from catalog.dublin_core import coverage, dublin_core
from catalog.views import RecordView

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
        etree.SubElement(root, f"{{{DC_NS}}}{name}").text = value
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
    root.set(f"{{{XSI}}}schemaLocation", f"{GOVINFO_NS} {base_url}/schemas/govinfo.xsd")
    etree.SubElement(root, g + "kind").text = r.kind
    for element, attr in _GOVINFO_FIELDS:
        value = getattr(r, attr)
        if value is not None and str(value).strip():
            etree.SubElement(root, g + element).text = str(value)
    if r.jurisdiction_code:
        place = etree.SubElement(root, g + "jurisdiction", code=r.jurisdiction_code)
        if r.province_code:
            place.set("province", r.province_code)
        if r.city_code:
            place.set("city", r.city_code)
        place.text = (coverage(view) or "").split(" (")[0]
    if view.captures:
        captures = etree.SubElement(root, g + "captures")
        for c in view.captures:
            el = etree.SubElement(
                captures,
                g + "capture",
                url=c.url,
                time=c.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            for name, value in (
                ("status", c.status), ("mime", c.mime), ("payloadDigest", c.payload_digest),
            ):  # fmt: skip
                if value is not None:
                    el.set(name, str(value))
            el.set("warcFile", c.warc_file.name)
            el.set("offset", str(c.offset))
            el.set("length", str(c.length))
            el.set("replay", c.replay_url)
            if c.match_reason:
                el.set("match", c.match_reason)
                el.set("matchDetail", c.match_detail or "")
    if view.attachments:
        attachments = etree.SubElement(root, g + "attachments")
        for a in view.attachments:
            el = etree.SubElement(attachments, g + "attachment", url=a.url)
            if a.name:
                el.set("name", a.name)
            el.set("captured", "true" if a.captured else "false")
            if a.capture is not None:
                el.set("replay", a.capture.replay_url)
    if r.provenance:
        provenance = etree.SubElement(root, g + "provenance")
        for name, rule in sorted(r.provenance.items()):
            el = etree.SubElement(provenance, g + "field", name=name, rule=str(rule))
            printed = (r.raw_values or {}).get(name)
            if printed:
                el.set("printed", printed)
    return root


FORMATS = {
    "oai_dc": MetadataFormat(
        "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS, oai_dc
    ),
    "govinfo": MetadataFormat("govinfo", "{base}/schemas/govinfo.xsd", GOVINFO_NS, govinfo),
}
