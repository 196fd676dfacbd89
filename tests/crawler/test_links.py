import pytest
from sites.hostile import BAD_LINKS

from diancang.crawler import links
from diancang.crawler.links import PARSE_SLICE, extract_from_css, extract_from_html
from diancang.crawler.urls import clean_url
from diancang.warc_names import EMBED, LINK

PAGE = """<html><head><base href="/base/">
<link rel="stylesheet" href="site.css"><link rel="alternate" href="feed.xml">
<style>.b { background: url('bg.png') }</style></head>
<body><a href="doc.html">doc</a><a href="javascript:void(0)">js</a><a href="#top">top</a>
<img src="i.png" srcset="i-2x.png 2x, i-3x.png 3x"><script src="app.js"></script>
<iframe src="frame.html"></iframe><div style="background:url(d.png)"></div>
<a href="files/a.pdf">pdf</a></body></html>"""


def test_html_links_and_requisites_resolved_against_base():
    page = extract_from_html(PAGE.encode(), "utf-8", "http://h/p/")
    links = {link.url: link.hop for link in page.links}
    assert links == {
        "http://h/base/doc.html": LINK,
        "http://h/base/files/a.pdf": LINK,
        "http://h/base/feed.xml": LINK,
        "http://h/base/site.css": EMBED,
        "http://h/base/i.png": EMBED,
        "http://h/base/i-2x.png": EMBED,
        "http://h/base/i-3x.png": EMBED,
        "http://h/base/app.js": EMBED,
        "http://h/base/frame.html": EMBED,
        "http://h/base/bg.png": EMBED,
        "http://h/base/d.png": EMBED,
    }


def test_css_urls_and_imports():
    css = "@import 'print.css'; body { background: url(\"../img/bg.jpg\") } .x{src:url(f.woff2)}"
    urls = [link.url for link in extract_from_css(css, "http://h/css/site.css").links]
    assert urls == ["http://h/css/print.css", "http://h/img/bg.jpg", "http://h/css/f.woff2"]


def test_malformed_links_are_counted_and_the_others_kept():
    bad = "".join(f'<a href="{href}">x</a><img src="{href}">' for href in BAD_LINKS)
    html = f'<a href="one.html">1</a>{bad}<a href="two.html">2</a>'
    page = extract_from_html(html.encode(), "utf-8", "http://h/")
    assert [link.url for link in page.links] == ["http://h/one.html", "http://h/two.html"]
    assert page.invalid == 2 * len(BAD_LINKS)


def test_a_malformed_base_is_counted_and_the_page_url_used():
    page = extract_from_html(b'<base href="//[::1"><a href="a.html">a</a>', "utf-8", "http://h/")
    assert [link.url for link in page.links] == ["http://h/a.html"]
    assert page.invalid == 1


def test_clean_url_refuses_what_it_cannot_parse():
    for url in BAD_LINKS:
        assert clean_url(url if "//" in url[:8] else "http:" + url) is None, url


def test_text_split_across_parse_slices_is_decoded_whole():
    # a three-byte character and an href straddle the slice boundary
    head = b"<p>" + b"x" * (PARSE_SLICE - 4)
    html = head + "典".encode() + b'<a href="/\xe5\x85\xb8.html">a</a>'
    assert len(head) + 1 == PARSE_SLICE  # the slice ends inside the character
    (link,) = extract_from_html(html, "utf-8", "http://h/").links
    assert link.url == "http://h/典.html"


def test_meta_refresh_is_a_link_resolved_against_base():
    html = (
        b'<head><base href="http://h/b/"><noscript>'
        b'<meta http-equiv="Refresh" content="0; URL=\'next.html\'"></noscript></head>'
    )
    (link,) = extract_from_html(html, "utf-8", "http://h/p/").links
    assert (link.url, link.hop, link.context) == ("http://h/b/next.html", LINK, "meta/refresh")
    # a refresh without a URL reloads the page itself: no link
    assert (
        extract_from_html(b'<meta http-equiv="refresh" content="5">', "utf-8", "http://h/").links
        == []
    )


def test_each_page_is_read_on_its_own_by_the_kept_parser():
    first = extract_from_html(b'<a href="a.html">a', "utf-8", "http://h/")  # left open
    second = extract_from_html(b'<a href="b.html">b</a>', "utf-8", "http://h/")
    assert [link.url for link in first.links] == ["http://h/a.html"]
    assert [(link.url, link.text) for link in second.links] == [("http://h/b.html", "b")]


def test_a_page_that_fails_half_read_leaves_nothing_to_the_next(monkeypatch):
    def failing_slices(body, encoding):
        yield '<a href="half.html">half<!-- '  # a comment the next page would be read in
        raise UnicodeDecodeError(encoding, body, 0, 1, "cut")

    with monkeypatch.context() as patch:
        patch.setattr(links, "_decoded_slices", failing_slices)
        with pytest.raises(UnicodeDecodeError):
            extract_from_html(b"", "utf-8", "http://h/")
    page = extract_from_html(b'<a href="next.html">next</a>', "utf-8", "http://h/")
    assert [(link.url, link.text) for link in page.links] == [("http://h/next.html", "next")]


BASES = [
    "http://h/a/b/page.html?q=1#f",
    "https://user@h:8443/a;p?q",
    "http://[::1]:8080/x/",
    "http://h",
    "HTTP://H/",
]
ROOT_RELATIVE = [
    "/",
    "/p/1.html",
    "/a/../b/./c?x=1#y",
    "/?q",
    "/#top",
    "/\\\\evil/x",
    "/\t/other/x",
    "/a b/c",
    "/文章/页面.html",
    "/..",
]


@pytest.mark.parametrize("base", BASES)
def test_a_root_relative_link_resolves_as_urljoin_resolves_it_on_every_page(base):
    resolve = links._resolver(base)
    for raw in [*ROOT_RELATIVE, *BAD_LINKS]:
        assert resolve(raw) == links.absolute_url(base, raw), raw
