"""Which links of a listing page are its other pages, and what a script says it has."""

from __future__ import annotations

import pytest

from diancang.crawler.links import Outlink, extract_from_html
from diancang.crawler.listings import Listings
from diancang.crawler.pagination import (
    is_page_text,
    listing_key,
    match,
    page_numbers,
    paginate,
    same_directory,
)
from diancang.warc_names import LINK, PAGE


@pytest.mark.parametrize(
    "text", ["下一页", " 上一页 ", "尾页", "末页", "首页", "最后一页", "下页", "上页", "Next",
             "prev", ">", ">>", "»", "3", "[4]", "第5页", "下一页>>", "【尾页】"],
)  # fmt: skip
def test_page_words_and_numbers_are_page_text(text):
    assert is_page_text(text)


@pytest.mark.parametrize(
    "text", ["", "关于做好2024年政务公开工作的通知", "2024年", "上一篇", "1234567"]
)
def test_titles_and_other_words_are_not_page_text(text):
    assert not is_page_text(text)


@pytest.mark.parametrize(
    ("current", "link", "template", "numbers"),
    [
        ("http://h/xxgk/index.html", "http://h/xxgk/index_3.html",
         "http://h/xxgk/index_{page}.html", (0, 3)),
        ("http://h/xxgk/", "http://h/xxgk/index_1.html", "http://h/xxgk/index_{page}.html", (0, 1)),
        ("http://h/xxgk/index_5.html", "http://h/xxgk/index.html",
         "http://h/xxgk/index_{page}.html", (5, 0)),
        ("http://h/col/col-index-2.shtml", "http://h/col/col-index-7.shtml",
         "http://h/col/col-index-{page}.shtml", (2, 7)),
        ("http://h/l.jsp?cat=4&page=2", "http://h/l.jsp?cat=4&page=3",
         "http://h/l.jsp?cat=4&page={page}", (2, 3)),
        ("http://h/l.jsp?cat=4", "http://h/l.jsp?cat=4&pageNo=2",
         "http://h/l.jsp?cat=4&pageNo={page}", (1, 2)),
        ("http://h/l?PageIndex=2", "http://h/l?PageIndex=9", "http://h/l?PageIndex={page}", (2, 9)),
        ("http://h/l?currPage=1", "http://h/l?currPage=2", "http://h/l?currPage={page}", (1, 2)),
        ("http://h/news/2.html", "http://h/news/3.html", "http://h/news/{page}.html", (2, 3)),
    ],
)  # fmt: skip
def test_links_of_the_same_url_shape_with_another_number_match(current, link, template, numbers):
    found = match(current, link)
    assert found is not None
    assert found.shape.template == template
    assert (found.current_number, found.link_number) == numbers


@pytest.mark.parametrize(
    ("current", "link"),
    [
        ("http://h/xxgk/index.html", "http://h/xxgk/index.html"),  # itself
        ("http://h/xxgk/index.html", "http://h/xxgk/t20240305_1001.html"),  # a detail page
        ("http://h/xxgk/index.html", "http://h/zcwj/index_2.html"),  # another column
        ("http://h/xxgk/index.html", "http://g/xxgk/index_2.html"),  # another host
        ("http://h/l?cat=4&page=2", "http://h/l?cat=5&page=3"),  # another list
        ("http://h/xxgk/index.html", "http://h/"),
    ],
)
def test_other_urls_do_not_match(current, link):
    assert match(current, link) is None


def test_the_first_page_of_a_shape_has_no_number_and_trs_counts_it_as_page_0():
    ((shape, number),) = page_numbers("http://h/xxgk/index_3.html")
    assert number == 3
    assert shape.url(0) == "http://h/xxgk/index.html"
    assert shape.url(4) == "http://h/xxgk/index_4.html"
    ((query, _),) = page_numbers("http://h/l?page=3&size=10")
    assert query.template == "http://h/l?page={page}&size=10"
    assert query.url(1) == "http://h/l?page=1&size=10"  # page 1 asked by number
    assert page_numbers("http://h/xxgk/t20240305_1001.html")[0][0].template.endswith(
        "t20240305_{page}.html"
    )


def test_listing_keys_name_the_seed_and_the_shape():
    assert listing_key("gov") == "gov:listing"
    assert listing_key("gov", "http://h/xxgk/index_{page}.html") == (
        "gov:http://h/xxgk/index_{page}.html"
    )


def test_same_directory():
    assert same_directory("http://h/a/index.html", "http://h/a/list.jsp?x=1")
    assert not same_directory("http://h/a/index.html", "http://h/")
    assert not same_directory("http://h/a/index.html", "https://h/a/index_1.html")


def _a(url: str, text: str) -> Outlink:
    return Outlink(url, LINK, "a/@href", text)


def test_paginate_splits_pages_from_items_and_knows_the_last_page():
    links = [
        _a("http://h/xxgk/index_1.html", "下一页"),
        _a("http://h/xxgk/index_59.html", "尾页"),
        _a("http://h/", "首页"),  # the site's home page, in the crumb: not a page
        _a("http://h/xxgk/2024/03/t20240305_1001.html", "关于印发某某办法的通知"),
        Outlink("http://h/xxgk/logo.png", "E", "img/@src"),
    ]
    result = paginate("http://h/xxgk/index.html", links)
    assert [(link.url, link.hop) for link in result.pages] == [
        ("http://h/xxgk/index_1.html", PAGE),
        ("http://h/xxgk/index_59.html", PAGE),
    ]
    assert [link.url for link in result.others] == [links[2].url, links[3].url, links[4].url]
    assert result.shape.template == "http://h/xxgk/index_{page}.html"
    assert result.span[result.shape] == (0, 59)


def test_worded_links_in_the_directory_are_pages_whatever_their_url():
    links = [
        _a("http://h/news/list.jsp?start=20", "下一页"),
        _a("http://h/news/a.jsp?id=7", "公告"),
    ]
    result = paginate("http://h/news/list.jsp", links)
    assert [link.url for link in result.pages] == ["http://h/news/list.jsp?start=20"]
    assert result.shape is None


def test_number_named_pages_and_p_parameters_need_page_text():
    """Detail pages are often /news/12345.html and WordPress posts ?p=ID: shape alone is
    not enough there, the link text must say it is a page."""
    result = paginate(
        "http://h/news/2.html",
        [_a("http://h/news/3.html", "3"), _a("http://h/news/12345.html", "某某局召开会议")],
    )
    assert [link.url for link in result.pages] == ["http://h/news/3.html"]
    result = paginate("http://h/?p=2", [_a("http://h/?p=17", "Hello world")])
    assert not result.pages


def test_a_trs_create_page_html_script_gives_the_page_count():
    html = b"""<html><body><ul><li><a href="./2024/t1.html">x</a></li></ul>
    <script>var currentPage = 0; var countPage = 60;
    createPageHTML(countPage, currentPage, "index", "html");</script></body></html>"""
    page = extract_from_html(html, "utf-8", "http://h/tzgg/index.html")
    result = paginate("http://h/tzgg/index.html", page.links, page.scripts)
    assert result.shape.template == "http://h/tzgg/index_{page}.html"
    assert result.span[result.shape] == (0, 59)
    assert result.shape.url(59) == "http://h/tzgg/index_59.html"
    literal = paginate("http://h/t/index.html", [], 'createPageHTML(7, 0, "index", "shtml");')
    assert literal.span[literal.shape] == (0, 6)
    assert literal.shape.url(6) == "http://h/t/index_6.shtml"


def test_a_total_page_variable_uses_the_shape_of_the_page_links():
    links = [_a("http://h/l?page=2", "下一页")]
    result = paginate("http://h/l", links, "var pageTotal = 40;")
    assert result.span[result.shape] == (1, 40)
    alone = paginate("http://h/l?pageNo=3", [], "totalPage: 12,")
    assert alone.shape.template == "http://h/l?pageNo={page}"
    assert alone.span[alone.shape] == (3, 12)
    assert not paginate("http://h/l", [], "var totalPage = 12;").span  # no shape known


def test_scripts_are_read_from_the_first_slice_only_and_bounded():
    from diancang.crawler.links import PARSE_SLICE, SCRIPT_TEXT_CHARS

    late = b"<html><body>" + b"x" * PARSE_SLICE + b"<script>var totalPage = 9;</script></body>"
    assert extract_from_html(late, "utf-8", "http://h/").scripts == ""
    big = b"<html><body><script>" + b"a" * (2 * SCRIPT_TEXT_CHARS) + b"</script></body>"
    assert len(extract_from_html(big, "utf-8", "http://h/").scripts) == SCRIPT_TEXT_CHARS


def test_anchor_text_is_kept_bounded_and_image_alt_counts():
    html = (
        '<a href="/n">  下一页\n </a><a href="/l"><img src="/i.png" alt="尾页"></a>'
        f'<a href="/t">{"很长的标题" * 20}</a>'
    ).encode()
    texts = {link.url: link.text for link in extract_from_html(html, "utf-8", "http://h/").links}
    assert texts["http://h/n"] == "下一页"
    assert texts["http://h/l"] == "尾页"
    assert len(texts["http://h/t"]) == 32
    assert texts["http://h/i.png"] == ""


def test_listings_count_pages_items_and_repeats():
    listings = Listings(pages_per_listing=3)
    assert listings.room("k") == 3
    listings.take("k")
    assert listings.room("k") == 2
    assert not listings.add_page("k", "http://h/1", ["http://h/", "http://h/a", "http://h/b"])
    assert not listings.add_page("k", "http://h/2", ["http://h/", "http://h/c"])
    # the browser's capture of the same page replaces its links: not a repeat
    assert not listings.add_page("k", "http://h/2", ["http://h/", "http://h/c", "http://h/d"])
    assert listings.add_page("k", "http://h/3", ["http://h/", "http://h/c", "http://h/d"])
    assert listings.report() == {"k": {"pages": 3, "items": 2}}  # a and b; c, d on two pages
