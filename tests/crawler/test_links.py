from parsel import Selector

from crawler.links import EMBED, LINK, extract_from_css, extract_from_html

PAGE = """<html><head><base href="/base/">
<link rel="stylesheet" href="site.css"><link rel="alternate" href="feed.xml">
<style>.b { background: url('bg.png') }</style></head>
<body><a href="doc.html">doc</a><a href="javascript:void(0)">js</a><a href="#top">top</a>
<img src="i.png" srcset="i-2x.png 2x, i-3x.png 3x"><script src="app.js"></script>
<iframe src="frame.html"></iframe><div style="background:url(d.png)"></div>
<a href="files/a.pdf">pdf</a></body></html>"""


def test_html_links_and_requisites_resolved_against_base():
    links = {link.url: link.hop for link in extract_from_html(Selector(text=PAGE), "http://h/p/")}
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
    urls = [link.url for link in extract_from_css(css, "http://h/css/site.css")]
    assert urls == ["http://h/css/print.css", "http://h/img/bg.jpg", "http://h/css/f.woff2"]
