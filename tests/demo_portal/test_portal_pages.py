"""Detail pages: metadata, layouts, encodings, delivery (gzip, chunked), duplicates."""

from __future__ import annotations

import gzip
import http.client
import re
from urllib.parse import urlsplit

import pytest
from lxml import html
from portal_client import Response, fetch

from diancang.demo_portal.documents import Document
from diancang.demo_portal.server import DemoPortal


def _doc(demo_portal: DemoPortal, doc_id: int) -> Document:
    return next(doc for doc in demo_portal.documents() if doc.id == doc_id)


def _text(response: Response) -> str:
    return response.body.decode(response.charset)


def test_listing_has_four_pages_of_six_documents(demo_portal: DemoPortal) -> None:
    links = []
    for name in ("index.html", "index_1.html", "index_2.html", "index_3.html"):
        tree = html.fromstring(_text(fetch(demo_portal.url(f"/xxgk/{name}"))))
        items = tree.cssselect("div.viewList li")
        assert len(items) == 6
        dates = [li.cssselect("span.date")[0].text for li in items]
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) for date in dates)
        links += [li.cssselect("a")[0].get("href") for li in items]
    assert links[0] == "./2024/03/t20240305_1001.html"
    assert len(set(links)) == 24


def test_every_detail_page_carries_meta_tags_and_its_shown_fields(demo_portal: DemoPortal) -> None:
    for doc in demo_portal.documents():
        response = fetch(demo_portal.document_url(doc))
        text = _text(response)
        tree = html.fromstring(text)
        meta = {m.get("name"): m.get("content") for m in tree.iter("meta") if m.get("name")}
        assert meta["ArticleTitle"] == doc.title
        assert meta["PubDate"] == doc.pub_date
        assert meta["SiteIDCode"] == "5000000001"
        assert meta["SiteName"] == "重庆市人民政府"
        assert meta["ColumnName"] == doc.column
        assert meta["ContentSource"] == doc.content_source
        assert meta["Description"] == doc.description
        assert tree.findtext(".//title").startswith(doc.title + "_")
        visible = " ".join(tree.itertext())  # comments are not text
        for field, value in demo_portal.shown_fields(doc).items():
            assert value in visible, (doc.id, field)


def test_layouts_have_the_markup_of_their_models(demo_portal: DemoPortal) -> None:
    def tree_of(doc_id: int) -> html.HtmlElement:
        return html.fromstring(_text(fetch(demo_portal.document_url(_doc(demo_portal, doc_id)))))

    govcn = tree_of(1001)
    labels = [b.text for b in govcn.cssselect("table.bd1 td b")]
    assert {"索 引 号：", "标　　题：", "发文机关：", "主 题 词："} <= set(labels)
    title_cell = govcn.xpath('//td[b="标　　题："]/following-sibling::td[1]')[0]
    assert title_cell.get("colspan") == "3"
    assert len(govcn.cssselect("table.bd1")) == 2
    assert govcn.cssselect("td#UCAP-CONTENT p")

    jiangsu = tree_of(1007)
    headers = [th.text for th in jiangsu.cssselect("table.xxgk_table th")]
    assert headers[:2] == ["索引号：", "主题分类："]

    zhejiang = tree_of(1004)
    assert zhejiang.cssselect("table.xxgk tr.xxgk-info-wh td")[1].text == "渝府办发〔2024〕6号"

    city_doc = _doc(demo_portal, 1005)
    city_text = _text(fetch(demo_portal.document_url(city_doc)))
    assert f"<!-- <p><strong>成文日期</strong>：{city_doc.written_shown}</p> -->" in city_text
    assert "<p><strong>文号</strong>：无</p>" in city_text

    dl = tree_of(1006)
    assert [dt.text for dt in dl.cssselect("dl.xxgk-info dt")][0] == "索引号："

    deviating = tree_of(1023)
    attrs = {d.findtext("em"): d.findtext("i") for d in deviating.cssselect("div.attr")}
    assert attrs["索取号"] == "01527918X-2020-153077"
    assert not deviating.cssselect("table") and "索引号" not in deviating.text_content()


def test_gbk_pages_are_gbk_bytes(demo_portal: DemoPortal) -> None:
    gbk_docs = [doc for doc in demo_portal.documents() if doc.charset == "gbk"]
    assert len(gbk_docs) >= 3
    for doc in gbk_docs:
        response = fetch(demo_portal.document_url(doc))
        assert response.header("Content-Type") == "text/html; charset=GBK"
        assert b'<meta charset="gbk">' in response.body
        with pytest.raises(UnicodeDecodeError):
            response.body.decode("utf-8")
        assert f"<title>{doc.title}_" in response.body.decode("gbk")


def test_page_declaring_gb2312_needs_gb18030(demo_portal: DemoPortal) -> None:
    doc = _doc(demo_portal, 1011)
    response = fetch(demo_portal.document_url(doc))
    assert response.header("Content-Type") == "text/html; charset=gb2312"
    assert b'<meta charset="gb2312">' in response.body
    with pytest.raises(UnicodeDecodeError):
        response.body.decode("gb2312")
    text = response.body.decode("gb18030")
    assert "王喆" in text and "张镕" in text


def test_gzip_only_when_asked_and_identical_bytes(demo_portal: DemoPortal) -> None:
    gzip_urls = [demo_portal.document_url(doc) for doc in demo_portal.documents() if doc.gzip]
    gzip_urls += [
        demo_portal.base_url,
        demo_portal.url("/xxgk/index.html"),
        demo_portal.url("/css/style.css"),
    ]
    for url in gzip_urls:
        plain = fetch(url)
        assert plain.header("Content-Encoding") is None
        first = fetch(url, headers={"Accept-Encoding": "gzip, deflate"})
        second = fetch(url, headers={"Accept-Encoding": "gzip, deflate"})
        assert first.header("Content-Encoding") == "gzip"
        assert first.header("Vary") == "Accept-Encoding"
        assert first.body == second.body
        assert gzip.decompress(first.body) == plain.body
    not_gzip = next(doc for doc in demo_portal.documents() if not doc.gzip)
    response = fetch(demo_portal.document_url(not_gzip), headers={"Accept-Encoding": "gzip"})
    assert response.header("Content-Encoding") is None


def test_chunked_pages_have_no_content_length(demo_portal: DemoPortal) -> None:
    chunked = [demo_portal.document_url(doc) for doc in demo_portal.documents() if doc.chunked]
    chunked.append(demo_portal.url("/xxgk/index_3.html"))
    assert len(chunked) >= 3
    for url in chunked:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.request("GET", parts.path)
        response = connection.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.getheader("Content-Length") is None
        assert b"</html>" in response.read()
        connection.close()


def test_republications_share_the_index_number(demo_portal: DemoPortal) -> None:
    pairs = demo_portal.duplicate_pairs()
    assert len(pairs) == 3
    for original_url, copy_url in pairs:
        assert original_url != copy_url
        original, copy = fetch(original_url), fetch(copy_url)
        index = re.compile(r"\d{5,}[\w/-]*-\d{4,}|\d{21}")
        assert index.findall(_text(original))[0] == index.findall(_text(copy))[0]
        assert html.fromstring(_text(copy)).xpath('//meta[@name="ColumnName"]/@content') == [
            "政策文件"
        ]


def test_bodies_are_identical_across_fetches(demo_portal: DemoPortal) -> None:
    urls = sorted(demo_portal.expected_urls())
    first = {url: fetch(url).body for url in urls}
    assert first == {url: fetch(url).body for url in urls}


def test_restart_on_the_same_ports_serves_the_same_bytes() -> None:
    # Pages hold absolute links to the files host, so bytes depend on the ports only.
    with DemoPortal() as first:
        ports = urlsplit(first.base_url).port, urlsplit(first.files_url).port
        before = {url: fetch(url).body for url in first.expected_urls()}
    with DemoPortal(port=ports[0], files_port=ports[1]) as second:
        after = {url: fetch(url).body for url in second.expected_urls()}
    assert before == after


def test_session_id_urls_serve_one_page(demo_portal: DemoPortal) -> None:
    canonical = fetch(demo_portal.url("/service.html")).body
    for url in demo_portal.session_urls():
        assert fetch(url).body == canonical


def test_robots_txt_disallows_private(demo_portal: DemoPortal) -> None:
    response = fetch(demo_portal.url("/robots.txt"))
    assert response.header("Content-Type").startswith("text/plain")
    lines = response.body.decode("ascii").splitlines()
    assert "User-agent: *" in lines and "Disallow: /private/" in lines
    assert all(urlsplit(url).path.startswith("/private/") for url in demo_portal.disallowed_urls())
    assert all(fetch(url).status == 200 for url in demo_portal.disallowed_urls())
