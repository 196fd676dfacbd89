"""Attachment files built in code, byte-identical on every run: PDF, DOCX and XLSX.

* PDF: written by hand (objects, cross-reference table with exact offsets, trailer); the
  Chinese text uses the Adobe standard font ``STSong-Light`` with ``UniGB-UCS2-H``, which
  every PDF reader provides without embedding.
* DOCX and XLSX: Office Open XML packages written with :mod:`zipfile` and a fixed
  ``date_time`` for every member, so the zip bytes never change.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"pdf": PDF_TYPE, "docx": DOCX_TYPE, "xlsx": XLSX_TYPE}

Cell = str | int | float


def _pdf_text(text: str) -> bytes:
    """A PDF hex string for ``text`` in UCS-2 big-endian (the UniGB-UCS2-H encoding)."""
    return b"<" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _pdf_date(moment: datetime) -> bytes:
    return b"(D:" + moment.strftime("%Y%m%d%H%M%S").encode("ascii") + b"+08'00')"


def build_pdf(title: str, paragraphs: Sequence[str], created: datetime) -> bytes:
    """A one-page A4 PDF with ``title`` and ``paragraphs`` (Chinese text, no line wrapping
    beyond 30 characters a line)."""
    lines: list[tuple[int, str]] = [(18, title)]
    for paragraph in paragraphs:
        for start in range(0, len(paragraph), 30):
            lines.append((12, paragraph[start : start + 30]))
    stream = [b"BT"]
    y = 780
    for size, text in lines:
        stream.append(b"/F1 %d Tf 1 0 0 1 60 %d Tm %s Tj" % (size, y, _pdf_text(text)))
        y -= size + 10
    stream.append(b"ET")
    content = b"\n".join(stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
        b"<< /Title <FEFF"
        + title.encode("utf-16-be").hex().upper().encode("ascii")
        + b"> /Producer (Diancang demo portal) /CreationDate "
        + _pdf_date(created)
        + b" >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref_at = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref_at)
    )
    return out.getvalue()


def _zip(members: Sequence[tuple[str, str]], moment: datetime) -> bytes:
    date_time = (moment.year, moment.month, moment.day, moment.hour, moment.minute, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


def _core_properties(title: str, creator: str, created: datetime) -> str:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _content_types(main_part: str, main_type: str, extra: str = "") -> str:
    return (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{main_part}" ContentType="{main_type}"/>'
        + extra
        + '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )


def _package_rels(main_target: str) -> str:
    return (
        _XML + f'<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="{main_target}"/>'
        f'<Relationship Id="rId2" Type="{_CORE_REL}" Target="docProps/core.xml"/>'
        "</Relationships>"
    )


def build_docx(title: str, paragraphs: Sequence[str], creator: str, created: datetime) -> bytes:
    """A Word document: the title as a centred bold paragraph, then the paragraphs."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = [
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="36"/>'
        f"</w:rPr><w:t>{escape(title)}</w:t></w:r></w:p>"
    ]
    for paragraph in paragraphs:
        body.append(f'<w:p><w:r><w:t xml:space="preserve">{escape(paragraph)}</w:t></w:r></w:p>')
    document = (
        _XML + f'<w:document xmlns:w="{ns}"><w:body>' + "".join(body) + "<w:sectPr>"
        '<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )
    main_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _zip(
        [
            ("[Content_Types].xml", _content_types("/word/document.xml", main_type)),
            ("_rels/.rels", _package_rels("word/document.xml")),
            ("docProps/core.xml", _core_properties(title, creator, created)),
            ("word/document.xml", document),
        ],
        created,
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(reference: str, value: Cell) -> str:
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def build_xlsx(
    title: str, rows: Sequence[Sequence[Cell]], creator: str, created: datetime
) -> bytes:
    """A workbook with one sheet holding ``rows`` (strings inline, numbers as numbers)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column_letter(c)}{r}", v) for c, v in enumerate(row))
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        _XML + f'<worksheet xmlns="{ns}"><sheetData>' + "".join(sheet_rows) + "</sheetData>"
        "</worksheet>"
    )
    workbook = (
        _XML + f'<workbook xmlns="{ns}" xmlns:r="{_DOC_REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        _XML + f'<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    )
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    main_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    extra = f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}"/>'
    return _zip(
        [
            ("[Content_Types].xml", _content_types("/xl/workbook.xml", main_type, extra)),
            ("_rels/.rels", _package_rels("xl/workbook.xml")),
            ("docProps/core.xml", _core_properties(title, creator, created)),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/worksheets/sheet1.xml", sheet),
        ],
        created,
    )
