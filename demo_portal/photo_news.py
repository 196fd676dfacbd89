"""A 图片新闻 detail page whose photo the first crawl cannot capture and a patch crawl can.

The page is not linked from the site, so a crawl of the portal (and every figure measured on
it) is unchanged: crawl it as a seed of its own (:meth:`DemoPortal.photo_page_url`). Its
photo lives on an image server that is down until :meth:`DemoPortal.publish_photo`: until
then a request for the photo has its connection closed with no response, so there is nothing
to record and replay misses the photo, in an HTTP and a browser capture alike (a 404 would be
recorded, and pywb would replay that nearer capture instead of a later patch). Once
published the photo is a PNG like any other, and a patch crawl of its URL makes the page
replay whole.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urljoin

from diancang.demo_portal import images
from diancang.demo_portal.documents import Document
from diancang.demo_portal.rendering import render
from diancang.demo_portal.serving import Page

PHOTO_PATH = "/images/photos/2024/03/t20240318_3001_01.png"
PHOTO_SIZE = (640, 360)  # most of the article's width: its absence shows in a screenshot
COLUMN = "图片新闻"

DOCUMENT = Document(
    id=3001,
    section="xxgk/tpxw",
    title="重庆市开展2024年长江防汛应急演练",
    index_no="11500000009275780L/2024-00077",
    category="城乡建设、环境保护\\防灾减灾",
    publisher="重庆市应急管理局",
    written=date(2024, 3, 18),
    published=datetime(2024, 3, 18, 15, 0),
    doc_no="无",
    keywords=("防汛", "应急演练"),
    validity="",
    column=COLUMN,
    content_source="重庆市应急管理局",
    layout="govcn",
    charset="utf-8",
    gzip=False,
    chunked=False,
    written_style="cn",
    published_style="iso",
    body=(
        "3月18日，重庆市在长江南岸区段开展2024年防汛应急演练，检验汛期险情处置和群众转移安置能力。",
        "演练模拟强降雨引发江水上涨、沿江低洼地带受淹等险情，各参演单位按预案完成预警发布、抢险救援和物资调运。",
    ),
    signature=("重庆市应急管理局", "2024年3月18日"),
    attachments=(),
)


def photo_png() -> bytes:
    """The drill photo: a sky over a river, with a band of embankment between them."""
    width, height = PHOTO_SIZE
    sky, bank, river = (120, 170, 220), (110, 120, 90), (40, 90, 140)

    def row(y: int) -> bytes:
        if y < height * 2 // 5:
            return bytes(sky) * width
        if y < height // 2:
            return bytes(bank) * width
        return bytes(river) * width

    return images.png(width, height, row)


def photo_page(site: dict[str, str], base_url: str, files_url: str) -> Page:
    doc = DOCUMENT
    body = render(
        "detail_photo.html",
        site=site,
        doc=doc,
        page_url=urljoin(base_url, doc.path),
        files_url=files_url,
        listing_column=COLUMN,
        prev_doc=None,
        next_doc=None,
        photo_path=PHOTO_PATH,
        photo_size=PHOTO_SIZE,
        charset=doc.charset,
    )
    return Page(body, f"text/html; charset={doc.http_charset}", last_modified=doc.last_modified)
