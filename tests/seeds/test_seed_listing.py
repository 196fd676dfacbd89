"""The declared listing of a seed (`listing` in YAML, `listing_*` columns in CSV): good
values load, each bad value is named by file, line and field."""

from __future__ import annotations

import pytest

from diancang.seeds import load_seed_list
from diancang.seeds.fields import ListingError, listing
from diancang.seeds.json_path import parse, values
from diancang.seeds.schema import MAX_LISTING_PAGES, Listing

HEAD = "url,title,jurisdiction,collection,listing_url,listing_first,listing_last,"
HEAD += "listing_items,listing_page_param\n"
SEED = "http://h.cq.gov.cn/xxgk/,t,500000,govinfo,"


def load_csv(write, *rows: str):
    path = write("list.csv", HEAD + "".join(row + "\n" for row in rows))
    return path, load_seed_list(path)


def test_csv_template_and_json_listings(write):
    _, result = load_csv(
        write,
        SEED + "http://h.cq.gov.cn/xxgk/index_{page}.html,1,60,,",
        SEED + "http://h.cq.gov.cn/api/list.json?size=10,,,data.list[].url,pageNo",
        SEED + ",,,,",
    )
    assert result.ok, [str(e) for e in result.errors]
    template, endpoint, plain = (seed.listing for seed in result.seeds)
    assert template == Listing("http://h.cq.gov.cn/xxgk/index_{page}.html", 1, 60)
    assert template.kind == "template" and template.final_page == 60
    assert template.page_url(7) == "http://h.cq.gov.cn/xxgk/index_7.html"
    assert endpoint.kind == "json" and endpoint.last is None
    assert endpoint.final_page == MAX_LISTING_PAGES
    assert endpoint.page_url(3) == "http://h.cq.gov.cn/api/list.json?size=10&pageNo=3"
    assert plain is None


def test_yaml_listing_mapping(write):
    path = write(
        "list.yaml",
        """- url: http://h.cq.gov.cn/gkml/list.html
  title: 政策文件
  jurisdiction: "500000"
  collection: govinfo
  listing:
    url: http://h.cq.gov.cn/gkml/api/list_{page}.json
    first: 0
    items: "[].href"
""",
    )
    result = load_seed_list(path)
    assert result.ok, [str(e) for e in result.errors]
    declared = result.seeds[0].listing
    assert declared == Listing("http://h.cq.gov.cn/gkml/api/list_{page}.json", 0, None, "[].href")
    assert declared.page_url(0) == "http://h.cq.gov.cn/gkml/api/list_0.json"


BAD_CSV = [
    ("ftp://h/x_{page}.html,1,2,,", "listing_url: 'ftp://h/x_1.html' is not an absolute"),
    ("http://h/{page}/x_{page}.html,1,2,,", "listing_url: 'http://h/{page}/x_{page}.html' holds"
     " {page} more than once"),
    ("http://h{page}.cn/x.html,1,2,,", "listing_url: 'http://h{page}.cn/x.html' holds {page} in"
     " its host"),
    ("http://h/x.html,1,2,,", "listing_url: 'http://h/x.html' holds no {page}: put it where"),
    ("http://h/x_{page}.html,1,,,", "listing_last: required: the last page of the listing"),
    ("http://h/x_{page}.html,5,4,,", "listing_last: 4 is before the first page 5"),
    ("http://h/x_{page}.html,1,10001,,", "listing_last: 10001 pages from 1 to 10001 (at most"
     " 10000)"),
    ("http://h/x_{page}.html,-1,4,,", "listing_first: -1 must be 0 or more"),
    ("http://h/x_{page}.html,one,4,,", "listing_first: 'one' is not an integer"),
    ("http://h/x_{page}.html,1,2,,page", "listing_page_param: the URL already holds {page}"),
    ("http://h/api,1,,,page no", "listing_page_param: 'page no' is not a query parameter name"),
    ("http://h/api,1,,data..url,page", "listing_items: 'data..url': not a JSON path"),
    ("http://h/api,1,,data.list[.url,page", "listing_items: 'data.list[.url': not a JSON path"),
    (",1,60,,", "listing_url: required: a listing with first needs its URL"),
    (",,,data.list[].url,", "listing_url: required: a listing with items needs its URL"),
]  # fmt: skip


@pytest.mark.parametrize(("cells", "message"), BAD_CSV)
def test_bad_csv_listing(write, cells, message):
    good = SEED + "http://h.cq.gov.cn/x_{page}.html,1,3,,"
    path, result = load_csv(write, good, SEED + cells, good)
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    assert str(result.errors[0]).startswith(f"{path}:3: {message}")
    assert [seed.source for seed in result.seeds] == [f"{path}:2", f"{path}:4"]


YAML_SEED = """- url: http://h.cq.gov.cn/xxgk/
  title: t
  jurisdiction: "500000"
  collection: govinfo
"""
BAD_YAML = [
    ("  listing: http://h/x_{page}.html\n", 5, "listing: expected a mapping of url, first, last"),
    ("  listing:\n    url: http://h/x_{page}.html\n    first: 3\n    last: 2\n", 8,
     "listing.last: 2 is before the first page 3"),
    ("  listing:\n    url: http://h/x_{page}.html\n", 5,
     "listing.last: required: the last page of the listing"),
    ("  listing:\n    url: http://h/x.json\n    items: a.b\n", 6,
     "listing.url: 'http://h/x.json' holds no {page}"),
    ("  listing:\n    url: http://h/x_{page}.html\n    last: [1]\n", 7,
     "listing.last: expected a single value"),
    ("  listing:\n    url: http://h/x_{page}.html\n    last: 3\n    pages: 3\n", 8,
     "listing.pages: unknown key (known: url, first, last, items, page_param)"),
    ("  listing_url: http://h/x_{page}.html\n", 5,
     "listing_url: unknown field (did you mean listing.url?)"),
]  # fmt: skip


@pytest.mark.parametrize(("lines", "line", "message"), BAD_YAML)
def test_bad_yaml_listing(write, lines, line, message):
    path = write("list.yaml", YAML_SEED + lines)
    result = load_seed_list(path)
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    assert str(result.errors[0]).startswith(f"{path}:{line}: {message}")
    assert result.seeds == []


def test_listing_parts_checked_together_name_the_part():
    with pytest.raises(ListingError) as caught:
        listing("http://h/api?p={page}", 1, None, "list[].url", "p")
    assert caught.value.part == "page_param"
    assert listing(None, None, None, "", "") is None


def test_json_path_values():
    document = {"data": {"list": [{"url": "a"}, {"url": "b"}, {"title": "no url"}, 3]}}
    assert values(document, parse("data.list[].url"), 10) == (["a", "b"], False)
    assert values(document, parse("data.list[].url"), 1) == (["a"], True)
    assert values([["x", "y"], ["z"]], parse("[][]"), 10) == (["x", "y", "z"], False)
    assert values({"data": "text"}, parse("data.list[].url"), 10) == ([], False)
    assert values({"urls": ["u"]}, parse("urls[]"), 10) == (["u"], False)
    for bad in ("", "a..b", "a[", "a[0]", "a b", ".a"):
        with pytest.raises(ValueError):
            parse(bad)
