"""The standard <meta> tags of Chinese government sites (ArticleTitle, PubDate, ContentSource…)."""

from __future__ import annotations

from lxml.html import HtmlElement

from diancang.catalog.extract.labels import squeeze

# meta name (lower case) → record field; SiteIDCode and ColumnName are kept as page facts.
META_FIELDS = {
    "articletitle": "title",
    "pubdate": "pub_date",
    "contentsource": "agency",
    "keywords": "keywords",
    "description": "description",
    "sitename": "site_name",
    "siteidcode": "site_id_code",
    "columnname": "column",
}


def read_meta(doc: HtmlElement) -> dict[str, tuple[str, str]]:
    """field → (value, rule) for every recognised non-empty <meta name=… content=…>."""
    found: dict[str, tuple[str, str]] = {}
    for meta in doc.iter("meta"):
        name = (meta.get("name") or "").strip()
        field = META_FIELDS.get(name.lower())
        value = squeeze(meta.get("content"))
        if field and value and field not in found:
            found[field] = (value, f"meta:{name}")
    return found
