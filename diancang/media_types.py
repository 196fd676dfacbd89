"""Which responses are pages and which links are attachments, for the crawler and the catalogue."""

from __future__ import annotations

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Links to these are documents a page attaches (附件), not pages: the crawler fetches them
# without a browser and as requisites; the catalogue lists them as a record's attachments.
ATTACHMENT_SUFFIXES = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".ofd",
    ".txt", ".rtf", ".csv", ".zip", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif",
)  # fmt: skip
