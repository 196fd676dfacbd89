"""Detail-page layouts of the disclosure table (信息公开 metadata), modelled on real sites.

Each layout is a Jinja2 template in ``templates/`` and a list of the fields it shows, so
tests of an extractor can ask :func:`shown_fields` what a page visibly says.

* ``govcn`` -- www.gov.cn style: ``table.bd1`` of label/value cells, labels padded with
  spaces or full-width spaces and ending in a full-width colon (``索 引 号：``,
  ``标　　题：``, ``发文机关：``), the title in a ``colspan=3`` cell, 主题词 in a second
  ``table.bd1``, the body in ``td#UCAP-CONTENT``.
* ``jiangsu`` -- ``table.xxgk_table`` of ``th``/``td`` pairs.
* ``zhejiang`` -- ``table.xxgk`` of label/value cells, the document number in
  ``tr.xxgk-info-wh``.
* ``city`` -- 邯郸-style ``<p><strong>索引号</strong>：value</p>`` blocks; 成文日期 is left
  inside an HTML comment (not shown, so not in :func:`shown_fields`); 文号 reads ``无``.
* ``dl`` -- a ``dl.xxgk-info`` of ``dt``/``dd`` pairs.
* ``attr`` -- THE DEVIATING LAYOUT, used by one page only:
  ``/xxgk/2020/03/t20200316_1023.html`` (document 1023). Fields are
  ``<div class="attr"><em>label</em><i>value</i></div>`` with non-standard labels and no
  colon (索取号, 信息分类, 发文单位, 生成日期, 文号, 公开日期). A generic extractor keyed on
  the standard labels in tables, ``dl`` lists or ``label：value`` text misses them; a
  per-site override handles it, e.g. CSS ``div.doc-attrs div.attr`` and, for each, the
  label ``em::text`` and value ``i::text``, or XPath
  ``//div[@class="attr"][em="索取号"]/i/text()`` for the index number.
"""

from __future__ import annotations

from dataclasses import dataclass

from diancang.demo_portal.documents import Document

FIELDS = (
    "title",
    "index_no",
    "category",
    "publisher",
    "written",
    "doc_no",
    "published",
    "keywords",
    "validity",
)


@dataclass(frozen=True)
class Layout:
    name: str
    template: str
    fields: tuple[str, ...]  # fields shown in the disclosure block (when the value is not empty)


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout(
            "govcn",
            "detail_govcn.html",
            (
                "index_no",
                "category",
                "publisher",
                "written",
                "title",
                "doc_no",
                "published",
                "keywords",
            ),
        ),
        Layout(
            "jiangsu",
            "detail_jiangsu.html",
            (
                "index_no",
                "category",
                "publisher",
                "written",
                "doc_no",
                "published",
                "title",
                "validity",
            ),
        ),
        Layout(
            "zhejiang",
            "detail_zhejiang.html",
            ("index_no", "category", "publisher", "written", "doc_no", "published", "validity"),
        ),
        Layout(
            "city",
            "detail_city.html",
            ("index_no", "category", "publisher", "doc_no", "published"),
        ),
        Layout(
            "dl",
            "detail_dl.html",
            (
                "index_no",
                "category",
                "publisher",
                "written",
                "doc_no",
                "published",
                "keywords",
                "validity",
            ),
        ),
        Layout(
            "attr",
            "detail_attr.html",
            ("index_no", "category", "publisher", "written", "doc_no", "published"),
        ),
    )
}


def field_value(doc: Document, field: str) -> str:
    """The text a page shows for ``field`` (dates in the document's display style)."""
    if field == "written":
        return doc.written_shown
    if field == "published":
        return doc.published_shown
    if field == "keywords":
        return " ".join(doc.keywords)
    return str(getattr(doc, field))


def shown_fields(doc: Document) -> dict[str, str]:
    """The disclosure fields visibly shown on ``doc``'s page, as displayed (not normalised).

    Fields the layout lacks, leaves empty or hides in a comment are absent."""
    shown = {}
    for field in LAYOUTS[doc.layout].fields:
        value = field_value(doc, field)
        if value:
            shown[field] = value
    return shown
