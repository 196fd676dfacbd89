"""The attachment host (files_url): PDF, DOCX and XLSX files of the detail pages."""

from __future__ import annotations

from collections.abc import Iterable

from diancang.demo_portal.attachments import build_docx, build_pdf, build_xlsx
from diancang.demo_portal.documents import Attachment, Document
from diancang.demo_portal.serving import Page

FILES_ROBOTS = b"User-agent: *\nDisallow:\n"


def attachment_bytes(attachment: Attachment, doc: Document) -> bytes:
    created = doc.published
    if attachment.kind == "pdf":
        return build_pdf(attachment.title, attachment.paragraphs, created)
    if attachment.kind == "docx":
        return build_docx(attachment.title, attachment.paragraphs, doc.publisher, created)
    if attachment.kind == "xlsx":
        return build_xlsx(attachment.title, attachment.rows, doc.publisher, created)
    raise ValueError(f"document {doc.id}: unknown attachment kind {attachment.kind!r}")


def files_pages(documents: Iterable[Document]) -> dict[str, Page]:
    """Path -> page for every attachment (shared attachments of re-publications once)."""
    pages: dict[str, Page] = {"/robots.txt": Page(FILES_ROBOTS, "text/plain; charset=utf-8")}
    for doc in documents:
        for attachment in doc.attachments:
            if attachment.path in pages:
                continue
            pages[attachment.path] = Page(
                body=attachment_bytes(attachment, doc),
                content_type=attachment.content_type,
                last_modified=doc.last_modified,
            )
    return pages
