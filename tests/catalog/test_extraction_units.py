"""Single functions of the extraction: dates, charsets, labels in any markup, overrides."""

from __future__ import annotations

from collections import Counter

import lxml.html
import pytest

from diancang.catalog.extract import extract_page
from diancang.catalog.extract.charset import canonical_charset, detect_charset
from diancang.catalog.extract.dates import normalise_date
from diancang.catalog.extract.overrides import OverrideError
from diancang.catalog.extract.visible import BAD_LINK, attachment_links
from diancang.catalog.site_rules import SiteRule, SiteRules
from diancang.crawler.links import is_attachment


@pytest.mark.parametrize(
    "text,iso",
    [
        ("2024年3月5日", "2024-03-05"),
        ("2024-03-05", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("2020-09-11 08:38", "2020-09-11"),
        ("２０２４年１２月１日", "2024-12-01"),
        ("20240305", "2024-03-05"),
        ("发布时间：2023.7.21 16:40", "2023-07-21"),
        ("2024年13月45日", None),
        ("无", None),
    ],
)
def test_dates_become_iso(text, iso):
    assert normalise_date(text) == iso


def test_gb2312_and_gbk_labels_decode_as_gb18030():
    assert canonical_charset("GB2312") == "gb18030"
    assert canonical_charset("gbk") == "gb18030"
    body = '<meta charset="gb2312"><p>王喆 朱镕基</p>'.encode("gb18030")
    assert detect_charset(body) == ("gb18030", "meta")
    assert detect_charset(body, "text/html; charset=GBK") == ("gb18030", "http-header")
    # a page labelled utf-8 that is not: detection wins over the wrong label
    wrong = "<p>政府信息公开目录，索引号与发布机构</p>".encode("gb18030")
    assert detect_charset(wrong, "text/html; charset=utf-8")[0] == "gb18030"


def extract(html: str, **kw):
    return extract_page(html.encode("utf-8"), "http://x.gov.cn/a/b.html", "text/html", **kw)


def test_labels_in_spans_lists_and_full_width_padding():
    page = extract("""<body><ul class="info">
      <li><span>索　引　号：</span><span>01527918X-2020-153077</span></li>
      <li>发布机构：重庆市人民政府</li>
      <li><label>发文字号:</label> 渝府发〔2024〕12号</li>
      <li><b>【主题分类】</b>卫生、体育\\医药管理</li>
      <li>成文日期：<em>2024年3月1日</em></li></ul></body>""")
    assert page.values == {
        "index_no": "01527918X-2020-153077",
        "agency": "重庆市人民政府",
        "doc_number": "渝府发〔2024〕12号",
        "category": "卫生、体育\\医药管理",
        "written_date": "2024-03-01",
    }
    assert page.is_disclosure


def test_a_news_page_without_disclosure_labels_is_not_a_record():
    page = extract("""<head><meta name="ArticleTitle" content="市长调研"></head>
      <body><h1>市长调研</h1><p>来源：重庆日报</p><p>正文……</p></body>""")
    assert page.values["title"] == "市长调研"
    assert not page.is_disclosure


def test_comment_fields_fill_gaps_only_and_say_so():
    page = extract("""<body><p><strong>索引号</strong>：A-1</p>
      <!-- <p><strong>索引号</strong>：STALE</p><p><strong>成文日期</strong>：2020年12月16日</p> -->
      </body>""")
    assert page.values["index_no"] == "A-1"
    assert page.values["written_date"] == "2020-12-16"
    assert page.provenance["written_date"] == "comment:p>strong"


def test_attachments_are_absolute_and_unique():
    page = extract("""<body><div id="zoom"><p>正文</p>
      <a href="/files/a.pdf">附件一</a><a href="/files/a.pdf#page=2">附件一</a>
      <a href="http://files.example/b.DOCX">b</a><a href="c.html">not</a></div></body>""")
    assert page.attachments == [
        ("http://x.gov.cn/files/a.pdf", "附件一"),
        ("http://files.example/b.DOCX", "b"),
    ]


def test_an_override_naming_an_unknown_field_fails_when_the_rules_load():
    with pytest.raises(OverrideError, match="unknown field 'colour'"):
        SiteRules([SiteRule("s1", "x.gov.cn", extract={"colour": "css:p"})])
    with pytest.raises(OverrideError, match="neither css: nor xpath:"):
        extract("<p>x</p>", overrides={"title": "regex:.*"})


def test_gov_cn_policy_library_header_with_source_and_document_type():
    page = extract("""<body><div class="policyLibraryOverview_header"><table>
      <tr><td class="label">标　　题：</td><td colspan="3">国务院关于印发某方案的通知</td></tr>
      <tr><td>发文机关：</td><td>国务院</td><td>发文字号：</td><td>国发〔2018〕43号</td></tr>
      <tr><td>来　　源：</td><td>国务院公报2018年第30号</td><td>公文种类：</td><td>通知</td></tr>
      <tr><td>主题分类：</td><td>卫生、体育\\医药管理</td><td>成文日期：</td><td>2018年09月27日</td></tr>
      </table></div></body>""")
    assert page.values == {
        "title": "国务院关于印发某方案的通知",
        "agency": "国务院",  # 发文机关 comes first; 来源 does not replace it
        "doc_number": "国发〔2018〕43号",
        "doc_type": "通知",
        "category": "卫生、体育\\医药管理",
        "written_date": "2018-09-27",
    }


def test_catalogue_and_crawler_take_the_same_links_for_attachments():
    # one list: the catalogue once left out .rtf files and scanned images the crawler fetched
    names = ["notice.pdf", "form.rtf", "scan.JPG", "photo.jpeg", "map.png", "chart.gif"]
    doc = lxml.html.fromstring("".join(f'<a href="/files/{n}">{n}</a>' for n in names))
    listed = [url for url, _ in attachment_links(doc, "http://x.gov.cn/a/b.html")]
    assert listed == [f"http://x.gov.cn/files/{n}" for n in names]
    assert all(is_attachment(url) for url in listed)
    assert not is_attachment("http://x.gov.cn/a/b.html")


@pytest.mark.parametrize(
    "base,href,found,bad",
    [
        # links read without urljoin must give what resolving them gives
        ("http://x.gov.cn/a/b.pdf", "?page=2", "http://x.gov.cn/a/b.pdf?page=2", 0),
        ("http://x.gov.cn/a/b.html", "files/a.pd\tf", "http://x.gov.cn/a/files/a.pdf", 0),
        ("http://x.gov.cn/a/b.html", "/files/a.PDF?v=1#p2", "http://x.gov.cn/files/a.PDF?v=1", 0),
        ("http://x.gov.cn/a/b.html", "a.pdf/.", None, 0),
        ("http://x.gov.cn/a/b.html", "c.html?file=a.pdf", None, 0),
        ("http://x.gov.cn/a/b.html", "//files.x.gov.cn", None, 0),
        ("http://x.gov.cn/a/b.html", "/附件/通知.docx", "http://x.gov.cn/附件/通知.docx", 0),
        # links that do not resolve are counted, whatever they name
        ("http://x.gov.cn/a/b.html", "//[::1/c.html", None, 1),
        ("http://x.gov.cn/a/b.html", "//x＠gov.cn/c.html", None, 1),  # @ after NFKC
        ("http://[127.0.0.1]/b.html", "c.html", None, 1),
    ],
)
def test_attachment_links_resolve_as_urljoin_does(base, href, found, bad):
    doc = lxml.html.fromstring(f'<div><a href="{href}">附件</a></div>')
    skipped: Counter[str] = Counter()
    assert attachment_links(doc, base, skipped) == ([(found, "附件")] if found else [])
    assert skipped[BAD_LINK] == bad


NEWS = """<html><head><title>市长调研_某区</title><meta name="SiteName" content="某区政府">
  </head><body><h1>市长调研</h1><div id="zoom"><p>正文</p><a href="//[::1">坏链接</a>
  <a href="/f/a.pdf">附件</a></div></body></html>"""


def test_ingest_reads_a_page_that_is_not_a_record_no_further_than_its_links():
    whole = extract(NEWS)
    part = extract(NEWS, whole_page=False)
    assert not whole.is_disclosure and not part.is_disclosure
    assert whole.skipped_links[BAD_LINK] == 1
    assert (part.charset, part.page_title, part.site_name, part.skipped_links) == (
        whole.charset, whole.page_title, whole.site_name, whole.skipped_links,
    )  # fmt: skip
    assert whole.body.startswith("正文") and whole.values["title"] == "市长调研"
    assert whole.attachments == [("http://x.gov.cn/f/a.pdf", "附件")]
    assert part.body == "" and "title" not in part.values and part.attachments == []


def test_a_disclosure_page_is_read_whole_either_way():
    page = """<body><table><tr><th>索引号：</th><td>A-1</td><th>发布机构：</th><td>某局</td></tr>
      </table><h1>关于某事的通知</h1><div id="zoom"><p>正文</p><a href="/f/a.pdf">附件</a></div>
      </body>"""
    assert extract(page, whole_page=False) == extract(page)
