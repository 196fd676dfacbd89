"""Bad rows give FILE:LINE: FIELD: message, and the good rows around them still load."""

import pytest

from diancang.seeds import SeedError, load_seed_list

COLUMNS = (
    "url,title,jurisdiction,collection,id,scope,include,exclude,requisite_hosts,"
    "depth,pages,bytes,duration,robots,browser,schedule,timezone,behaviors,extract,recrawl"
).split(",")
GOOD = {"url": "https://www.cq.gov.cn/", "title": "t", "jurisdiction": "500000"}
GOOD |= {"collection": "govinfo"}


def csv_row(**values: str) -> str:
    cells = (GOOD | values).get
    return ",".join(_quote(cells(c, "")) for c in COLUMNS)


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell


def load_csv(write, *rows: str):
    path = write("list.csv", ",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n")
    return path, load_seed_list(path)


BAD_CELLS = [
    ({"url": ""}, "url: required"),
    ({"url": "ftp://x.cq.gov.cn/"}, "url: 'ftp://x.cq.gov.cn/' is not an absolute http(s) URL"),
    ({"url": "www.cq.gov.cn/zwgk/"}, "url: 'www.cq.gov.cn/zwgk/' is not an absolute http(s) URL"),
    ({"url": "http:///path"}, "url: 'http:///path' has no valid host"),
    ({"url": "http://a b.cn/"}, "url: 'http://a b.cn/' contains whitespace"),
    ({"url": "http://x.cn:99999/"}, "url: 'http://x.cn:99999/' has no valid host"),
    ({"title": " "}, "title: required"),
    ({"jurisdiction": "999999"}, "jurisdiction: 999999 is not a known GB/T 2260 code"),
    ({"jurisdiction": "5000"}, "jurisdiction: '5000' is not a six-digit GB/T 2260 code"),
    ({"collection": "news"}, "collection: 'news' is not one of govinfo, webarchive"),
    ({"collection": ""}, "collection: required (one of govinfo, webarchive)"),
    ({"id": "has space"}, "id: 'has space' is not a valid id"),
    ({"scope": "site"}, "scope: 'site' is not one of host, domain, prefix"),
    ({"include": "/zwgk/ (abc"}, "include: bad regex '(abc'"),
    ({"exclude": "[a-"}, "exclude: bad regex '[a-'"),
    ({"requisite_hosts": "a.cn http://b.cn/"}, "requisite_hosts: 'http://b.cn/' is not a host"),
    ({"requisite_hosts": "a.cn:http"}, "requisite_hosts: 'a.cn:http' is not a host or host:port"),
    ({"depth": "-1"}, "depth: -1 must be 0 or more"),
    ({"depth": "3.5"}, "depth: '3.5' is not an integer"),
    ({"pages": "0"}, "pages: 0 must be positive"),
    ({"bytes": "5XB"}, "bytes: '5XB' is not a size (e.g. 1048576, 500MB, 2GiB)"),
    ({"bytes": "0MB"}, "bytes: '0MB' must be positive"),
    ({"duration": "soon"}, "duration: 'soon' is not a duration (e.g. 90s, 30m, 2h, 1h30m)"),
    ({"duration": "2h30"}, "duration: '2h30' is not a duration (e.g. 90s, 30m, 2h, 1h30m)"),
    ({"robots": "maybe"}, "robots: 'maybe' is not one of obey, ignore"),
    ({"browser": "perhaps"}, "browser: 'perhaps' is not a boolean (true/false, yes/no, 1/0)"),
    ({"schedule": "61 * * * *"}, "schedule: '61 * * * *' is not a valid cron expression"),
    (
        {"schedule": "0 0 * * * *"},
        "schedule: '0 0 * * * *' is neither one of once, daily, weekly, monthly nor a 5-field "
        "cron expression (minute hour day month weekday)",
    ),
    (
        {"schedule": "@daily"},
        "schedule: '@daily' is neither one of once, daily, weekly, monthly nor a 5-field "
        "cron expression (minute hour day month weekday)",
    ),
    ({"timezone": "Beijing"}, "timezone: 'Beijing' is not an IANA time zone such as Asia/Shanghai"),
    (
        {"timezone": "Asia/Peking"},
        "timezone: 'Asia/Peking' is not an IANA time zone such as Asia/Shanghai",
    ),
    ({"behaviors": "{oops"}, "behaviors: not valid JSON"),
    ({"behaviors": "[1]", "browser": "yes"}, "behaviors: expected a JSON object"),
    ({"behaviors": '{"scrol": true}', "browser": "yes"}, "behaviors: unknown behaviour 'scrol'"),
    (
        {"behaviors": '{"max_clicks": 0}', "browser": "yes"},
        "behaviors: max_clicks must be a positive integer: most clicks on load_more, not 0",
    ),
    (
        {"behaviors": '{"scroll": true}'},
        "behaviors: behaviours run only in the browser: set browser to true",
    ),
    ({"recrawl": "sometimes"}, "recrawl: 'sometimes' is not one of all, changed, new"),
    ({"recrawl": "all changed"}, "recrawl: 'all changed' is not one of all, changed, new"),
    ({"extract": '{"title": "h1"}'}, "extract: title: expected 'css:...' or 'xpath:...'"),
    ({"extract": '{"title": "css:h1[["}'}, "extract: title: bad css selector 'h1[['"),
    ({"extract": '{"date": "xpath://a[["}'}, "extract: date: bad xpath selector '//a[['"),
]


@pytest.mark.parametrize(("cells", "message"), BAD_CELLS)
def test_bad_csv_cell(write, cells, message):
    path, result = load_csv(
        write,
        csv_row(url="https://a.cq.gov.cn/"),
        csv_row(**cells),
        csv_row(url="https://b.cq.gov.cn/"),
    )
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    assert str(result.errors[0]).startswith(f"{path}:3: {message}")
    assert [s.url for s in result.seeds] == ["https://a.cq.gov.cn/", "https://b.cq.gov.cn/"]
    assert [s.source for s in result.seeds] == [f"{path}:2", f"{path}:4"]


def test_every_bad_field_of_a_row_is_reported(write):
    path, result = load_csv(write, csv_row(url="x", jurisdiction="1", depth="no", robots="?"))
    assert [str(e) for e in result.errors] == [
        f"{path}:2: url: 'x' is not an absolute http(s) URL",
        f"{path}:2: jurisdiction: '1' is not a six-digit GB/T 2260 code",
        f"{path}:2: depth: 'no' is not an integer",
        f"{path}:2: robots: '?' is not one of obey, ignore",
    ]
    assert result.seeds == []


def test_error_fields_and_str():
    error = SeedError("a.csv", 7, "url", "required")
    assert str(error) == "a.csv:7: url: required"
    assert str(SeedError("a.csv", None, None, "cannot read")) == "a.csv: cannot read"
    assert str(SeedError("a.yaml", 3, None, "bad YAML")) == "a.yaml:3: bad YAML"


def test_duplicate_ids(write):
    path, result = load_csv(
        write,
        csv_row(id="cq"),
        csv_row(id="other", url="https://a.cq.gov.cn/"),
        csv_row(id="cq", url="https://b.cq.gov.cn/"),
    )
    assert [str(e) for e in result.errors] == [f"{path}:4: id: duplicate id 'cq' (first at line 2)"]
    assert [s.id for s in result.seeds] == ["cq", "other"]


def test_unknown_and_repeated_columns_are_named_but_rows_load(write):
    path = write(
        "list.csv",
        "url,title,jurisdiction,collection,colour,title\n"
        "https://www.cq.gov.cn/,t,500000,govinfo,red,t2\n",
    )
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [
        f"{path}:1: colour: unknown column (known: id, url, title, jurisdiction, collection, "
        "scope, include, exclude, requisite_hosts, prefix, depth, pages, bytes, duration, "
        "robots, browser, schedule, timezone, behaviors, extract, recrawl, listing_url, "
        "listing_first, listing_last, listing_items, listing_page_param)",
        f"{path}:1: title: repeated column",
    ]
    assert len(result.seeds) == 1


def test_row_with_too_many_cells(write):
    path = write(
        "list.csv",
        "url,title,jurisdiction,collection\n"
        "https://www.cq.gov.cn/,t,500000,govinfo,extra\n"
        "https://a.cq.gov.cn/,t,500000,govinfo\n",
    )
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [f"{path}:2: row has 5 cells, the header has 4"]
    assert [s.url for s in result.seeds] == ["https://a.cq.gov.cn/"]


def test_prefix_needs_prefix_mode(write):
    path = write(
        "list.yaml",
        "- url: https://www.cq.gov.cn/\n"
        "  title: t\n"
        "  jurisdiction: 500000\n"
        "  collection: govinfo\n"
        "  scope: {mode: host, prefix: 'https://www.cq.gov.cn/zwgk/'}\n",
    )
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [
        f"{path}:5: scope.prefix: a prefix needs scope mode prefix"
    ]


YAML_BAD = """\
seeds:
  - url: https://a.cq.gov.cn/
    title: good one
    jurisdiction: 500000
    collection: govinfo
  - url: https://www.cq.gov.cn/
    title: t
    jurisdiction: 500000
    collection: govinfo
    include: /zwgk/
  - url: https://www.cq.gov.cn/x
    title: x
    jurisdiction: "500000"
    collection: govinfo
    scope:
      mode: prefix
      includes: [a]
    limits:
      depth: three
      bytes: 500MB
  - url: https://www.cq.gov.cn/y
    title: y
    title: z
    jurisdiction: "500000"
    collection: webarchive
    limits: 5
  - just a string
  - url: https://www.cq.gov.cn/z
    title: z
    jurisdiction: 500000
    collection: govinfo
    browser: [yes]
    schedule: "0 25 * * *"
  - url: https://b.cq.gov.cn/
    title: good two
    jurisdiction: 500000
    collection: webarchive
"""


def test_bad_yaml_recrawl_names_its_line(write):
    path = write(
        "recrawl.yaml",
        "- url: https://www.cq.gov.cn/\n  title: t\n  jurisdiction: 500000\n"
        "  collection: govinfo\n  recrawl: [changed]\n"
        "- url: https://a.cq.gov.cn/\n  title: t\n  jurisdiction: 500000\n"
        "  collection: govinfo\n  recrawl: modified\n",
    )
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [
        f"{path}:5: recrawl: expected a single value",
        f"{path}:10: recrawl: 'modified' is not one of all, changed, new",
    ]


def test_bad_yaml_seeds_name_line_and_field(write):
    path = write("list.yaml", YAML_BAD)
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [
        f"{path}:10: include: unknown field (did you mean scope.include?)",
        f"{path}:17: scope.includes: unknown key (known: mode, include, exclude, "
        "requisite_hosts, prefix)",
        f"{path}:19: limits.depth: 'three' is not an integer",
        f"{path}:23: title: repeated key",
        f"{path}:26: limits: expected a mapping of depth, pages, bytes, duration",
        f"{path}:27: expected a mapping of seed fields",
        f"{path}:32: browser: expected a single value",
        f"{path}:33: schedule: '0 25 * * *' is not a valid cron expression",
    ]
    assert [s.title for s in result.seeds] == ["good one", "good two"]
    assert [s.source for s in result.seeds] == [f"{path}:2", f"{path}:34"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "syntax.yaml",
            "seeds:\n  - url: https://www.cq.gov.cn/\n    title: [unclosed\n",
            "{path}:3: bad YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "alias.yaml",
            "- url: https://www.cq.gov.cn/\n  schedule: */5 * * * *\n",
            "{path}:2: bad YAML: expected alphabetic or numeric character, but found '/' "
            '(quote a value that starts with *, e.g. schedule: "*/30 * * * *")',
        ),
        ("empty.yaml", "", "{path}: empty file: no seeds"),
        ("scalar.yaml", "hello\n", "{path}:1: expected a list of seeds or a mapping with 'seeds:'"),
        (
            "noseeds.yaml",
            "sites: []\n",
            "{path}:1: expected a list of seeds or a mapping with 'seeds:' (found sites)",
        ),
        ("emptylist.yaml", "seeds: []\n", "{path}:1: seeds: the list of seeds is empty"),
        ("empty.csv", "", "{path}: empty file: no header row"),
        (
            "noheader.csv",
            "https://www.cq.gov.cn/,t,500000,govinfo\n",
            "{path}:1: missing required columns url, title, jurisdiction, collection: the first "
            "row must be a header naming at least url,title,jurisdiction,collection",
        ),
        (
            "partial.csv",
            "url,title,jurisdiction\nhttps://www.cq.gov.cn/,t,500000\n",
            "{path}:1: missing required column collection: the first row must be a header "
            "naming at least url,title,jurisdiction,collection",
        ),
        (
            "headeronly.csv",
            "url,title,jurisdiction,collection\n",
            "{path}:1: no seeds after the header",
        ),
        ("list.txt", "whatever", "{path}: unknown seed-list format (use .csv, .yaml or .yml)"),
    ],
)
def test_whole_file_problems_give_one_error(write, name, content, expected):
    path = write(name, content)
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [expected.format(path=path)]
    assert result.seeds == []


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [f"{path}: cannot read: No such file or directory"]


def test_non_utf8_file_names_the_line(write):
    path = write(
        "gbk.csv",
        "url,title,jurisdiction,collection\nhttps://www.cq.gov.cn/,重庆市人民政府,500000,govinfo\n",
        encoding="gbk",
    )
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [
        f"{path}:2: not UTF-8 text (save the file as UTF-8, e.g. 'CSV UTF-8' in Excel)"
    ]


def test_unknown_top_level_key_beside_seeds(write):
    path = write(
        "list.yaml",
        "version: 2\nseeds:\n  - url: https://www.cq.gov.cn/\n    title: t\n"
        "    jurisdiction: 500000\n    collection: govinfo\n",
    )
    result = load_seed_list(path)
    assert [str(e) for e in result.errors] == [f"{path}:1: version: unknown key (expected seeds)"]
    assert len(result.seeds) == 1
