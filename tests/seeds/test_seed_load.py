from pathlib import Path

import pytest

from diancang.seeds import Limits, Scope, Seed, load_seed_list

EXAMPLES = Path(__file__).parents[2] / "seeds" / "examples"


def seed(**kw) -> Seed:
    base = dict(
        id="www.cq.gov.cn",
        url="https://www.cq.gov.cn/",
        title="重庆市人民政府",
        jurisdiction="500000",
        collection="govinfo",
        scope=Scope(),
        limits=Limits(),
    )
    return Seed(**(base | kw))


def test_minimal_csv_gets_defaults_and_derived_ids(write):
    path = write(
        "list.csv",
        "url,title,jurisdiction,collection\n"
        "https://www.cq.gov.cn/,重庆市人民政府,500000,govinfo\n"
        "http://127.0.0.1:8080/,本地门户,500103,webarchive\n",
    )
    result = load_seed_list(path)
    assert result.errors == []
    assert result.seeds == [
        seed(source=f"{path}:2"),
        seed(
            id="127.0.0.1-8080",
            url="http://127.0.0.1:8080/",
            title="本地门户",
            jurisdiction="500103",
            collection="webarchive",
            source=f"{path}:3",
        ),
    ]


def test_csv_with_bom_comments_blank_lines_and_multiline_cells(write):
    path = write(
        "list.csv",
        "\ufeffURL, Title ,jurisdiction,collection\n"
        "# a comment row\n"
        "\n"
        'https://www.cq.gov.cn/,"重庆市\n人民政府",500000,govinfo\n'
        "https://www.hlj.gov.cn/,黑龙江省人民政府,230000,govinfo\n",
    )
    result = load_seed_list(path)
    assert result.errors == []
    assert [(s.title, s.source) for s in result.seeds] == [
        ("重庆市\n人民政府", f"{path}:4"),
        ("黑龙江省人民政府", f"{path}:6"),
    ]


def test_csv_with_every_column(write):
    path = write(
        "full.csv",
        "id,url,title,jurisdiction,collection,scope,include,exclude,requisite_hosts,"
        "depth,pages,bytes,duration,robots,browser,schedule,behaviors,extract,recrawl\n"
        'cq,https://www.cq.gov.cn/zwgk/,政务公开,500000,govinfo,domain,"/zwgk/|/xxgk/ (a|b)c",'
        '\\.zip$,"file.cq.gov.cn|127.0.0.1:8081 cdn.cq.gov.cn",3,100,500MB,2h,ignore,yes,'
        '"0 3 * * 1","{""scroll"": true, ""max_clicks"": 5}","{""title"": ""css:h1::text""}",'
        "changed\n",
    )
    result = load_seed_list(path)
    assert result.errors == []
    assert result.seeds == [
        Seed(
            id="cq",
            url="https://www.cq.gov.cn/zwgk/",
            title="政务公开",
            jurisdiction="500000",
            collection="govinfo",
            scope=Scope(
                mode="domain",
                include=("/zwgk/", "/xxgk/", "(a|b)c"),
                exclude=(r"\.zip$",),
                requisite_hosts=("file.cq.gov.cn", "127.0.0.1:8081", "cdn.cq.gov.cn"),
            ),
            limits=Limits(depth=3, pages=100, bytes=500_000_000, duration=7200.0),
            robots="ignore",
            browser=True,
            schedule="0 3 * * 1",
            behaviors={"scroll": True, "max_clicks": 5},
            extract={"title": "css:h1::text"},
            recrawl="changed",
            source=f"{path}:2",
        )
    ]


YAML_SEEDS = """\
  - id: cq-zwgk
    url: https://www.cq.gov.cn/zwgk/index.html
    title: 重庆市人民政府 政府信息公开
    jurisdiction: 500000
    collection: govinfo
    scope:
      mode: prefix
      include: ['/zwgk/']
      exclude: '\\.zip$'
      requisite_hosts: [file.cq.gov.cn]
    limits: {depth: 0, pages: 50, bytes: 2GiB, duration: 30m}
    robots: ignore
    browser: yes
    behaviors: {load_more: button.load-more, scroll: true, max_clicks: 10}
    extract: {date: "xpath://meta[@name='PubDate']/@content"}
    schedule: "*/30 2 * * *"
    recrawl: NEW

  - url: https://www.cqlib.cn/
    title: 重庆图书馆
    jurisdiction: "500000"
    collection: webarchive
    scope: domain
"""

YAML_EXPECTED = [
    Seed(
        id="cq-zwgk",
        url="https://www.cq.gov.cn/zwgk/index.html",
        title="重庆市人民政府 政府信息公开",
        jurisdiction="500000",
        collection="govinfo",
        scope=Scope(
            mode="prefix",
            include=("/zwgk/",),
            exclude=(r"\.zip$",),
            requisite_hosts=("file.cq.gov.cn",),
        ),
        limits=Limits(depth=0, pages=50, bytes=2 * 2**30, duration=1800.0),
        robots="ignore",
        browser=True,
        schedule="*/30 2 * * *",
        behaviors={"load_more": "button.load-more", "scroll": True, "max_clicks": 10},
        extract={"date": "xpath://meta[@name='PubDate']/@content"},
        recrawl="new",
    ),
    Seed(
        id="www.cqlib.cn",
        url="https://www.cqlib.cn/",
        title="重庆图书馆",
        jurisdiction="500000",
        collection="webarchive",
        scope=Scope(mode="domain"),
        limits=Limits(),
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "lines"),
    [
        ("list.yaml", YAML_SEEDS, (1, 19)),
        ("list.yml", "# Chongqing\nseeds:\n" + YAML_SEEDS, (3, 21)),
    ],
)
def test_yaml_list_and_mapping_forms(write, name, text, lines):
    path = write(name, text)
    result = load_seed_list(path)
    assert result.errors == []
    expected = [
        Seed(**(s.__dict__ | {"source": f"{path}:{line}"}))
        for s, line in zip(YAML_EXPECTED, lines, strict=True)
    ]
    assert result.seeds == expected


def test_yaml_prefix_and_idn_hosts(write):
    path = write(
        "idn.yaml",
        "- url: https://重庆.中国/政务/\n"
        "  title: IDN\n"
        "  jurisdiction: 500000\n"
        "  collection: webarchive\n"
        "  scope: {mode: prefix, prefix: 'https://重庆.中国/政务/'}\n",
    )
    result = load_seed_list(path)
    assert result.errors == []
    (s,) = result.seeds
    assert s.id == "xn--zwt745i.xn--fiqs8s"
    assert s.scope == Scope(mode="prefix", prefix="https://重庆.中国/政务/")


def test_derived_ids_are_unique_and_avoid_explicit_ones(write):
    path = write(
        "ids.csv",
        "url,title,jurisdiction,collection,id\n"
        "https://www.cq.gov.cn/,a,500000,govinfo,\n"
        "https://WWW.cq.gov.cn:443/index.html,b,500000,webarchive,\n"
        "https://www.cq.gov.cn/zwgk/list.html,c,500000,govinfo,\n"
        "https://www.sc.gov.cn/,d,510000,govinfo,www.cq.gov.cn-3\n"
        "https://www.cq.gov.cn/,e,500000,govinfo,\n",
    )
    result = load_seed_list(path)
    assert result.errors == []
    assert [s.id for s in result.seeds] == [
        "www.cq.gov.cn",
        "www.cq.gov.cn-2",
        "www.cq.gov.cn-zwgk-list.html",
        "www.cq.gov.cn-3",
        "www.cq.gov.cn-4",
    ]


@pytest.mark.parametrize(
    ("column", "value", "field", "expected"),
    [
        ("bytes", "500MB", "bytes", 500_000_000),
        ("bytes", "512 KiB", "bytes", 512 * 1024),
        ("bytes", "1.5GB", "bytes", 1_500_000_000),
        ("bytes", "1048576", "bytes", 1_048_576),
        ("duration", "2h", "duration", 7200.0),
        ("duration", "30m", "duration", 1800.0),
        ("duration", "90s", "duration", 90.0),
        ("duration", "1h30m", "duration", 5400.0),
        ("duration", "1d", "duration", 86400.0),
        ("duration", "45", "duration", 45.0),
        ("depth", "0", "depth", 0),
        ("pages", "20000", "pages", 20000),
    ],
)
def test_human_limit_values(write, column, value, field, expected):
    path = write(
        "limits.csv",
        f"url,title,jurisdiction,collection,{column}\nhttps://a.cq.gov.cn/,t,500000,govinfo,{value}\n",
    )
    result = load_seed_list(path)
    assert result.errors == []
    assert getattr(result.seeds[0].limits, field) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("Yes", True), ("1", True), ("false", False), ("no", False), ("0", False)],
)
def test_browser_booleans(write, value, expected):
    path = write(
        "b.csv",
        f"url,title,jurisdiction,collection,browser\nhttps://a.cq.gov.cn/,t,500000,govinfo,{value}\n",
    )
    assert load_seed_list(path).seeds[0].browser is expected


def test_shipped_examples_are_valid():
    cq = load_seed_list(EXAMPLES / "chongqing.yaml")
    assert cq.errors == []
    assert {s.collection for s in cq.seeds} == {"govinfo", "webarchive"}
    assert all(s.schedule for s in cq.seeds)
    assert all(s.jurisdiction.startswith("50") for s in cq.seeds)
    assert [s.listing.kind for s in cq.seeds if s.listing] == ["template", "json"]

    minimal = load_seed_list(EXAMPLES / "minimal.csv")
    assert minimal.errors == []
    assert len(minimal.seeds) >= 2
    header = (EXAMPLES / "minimal.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "url,title,jurisdiction,collection"


def test_schedule_words_and_time_zones(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "url,title,jurisdiction,collection,schedule,timezone\n"
        "https://a.cq.gov.cn/,a,500000,govinfo,Weekly,\n"
        "https://b.cq.gov.cn/,b,500000,govinfo,once,Asia/Urumqi\n"
        "https://c.cq.gov.cn/,c,500000,govinfo,*/30 * * * *,UTC\n",
        encoding="utf-8",
    )
    result = load_seed_list(path)
    assert result.ok, [str(e) for e in result.errors]
    assert [(s.schedule, s.timezone) for s in result.seeds] == [
        ("weekly", "Asia/Shanghai"),
        ("once", "Asia/Urumqi"),
        ("*/30 * * * *", "UTC"),
    ]
