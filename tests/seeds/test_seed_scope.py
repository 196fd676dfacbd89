import subprocess
import sys

import pytest

from diancang.seeds import Limits, Scope, Seed
from diancang.seeds.scope import in_scope, requisite_allowed


def make(url: str, jurisdiction: str = "500000", **scope) -> Seed:
    return Seed(
        id="s",
        url=url,
        title="t",
        jurisdiction=jurisdiction,
        collection="govinfo",
        scope=Scope(**scope),
        limits=Limits(),
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080/list/2.html", True),
        ("HTTP://127.0.0.1:8080/", True),
        ("http://127.0.0.1:8081/", False),
        ("http://127.0.0.1/", False),
        ("http://127.0.0.2:8080/", False),
        ("http://localhost:8080/", False),
        ("ftp://127.0.0.1:8080/", False),
        ("not a url", False),
    ],
)
def test_host_mode_with_port(url, expected):
    assert in_scope(make("http://127.0.0.1:8080/"), url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.cq.gov.cn/zwgk/", True),
        ("http://WWW.CQ.GOV.CN/zwgk/", True),  # http and https on their default ports
        ("https://www.cq.gov.cn:443/a", True),
        ("http://www.cq.gov.cn:80/a", True),
        ("https://www.cq.gov.cn:8443/a", False),
        ("https://file.cq.gov.cn/a.pdf", False),
        ("https://www.cq.gov.cn./a", True),
    ],
)
def test_host_mode_normalises_case_and_default_ports(url, expected):
    assert in_scope(make("https://www.cq.gov.cn/"), url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.cq.gov.cn/zwgk/", True),
        ("https://file.cq.gov.cn/a.pdf", True),
        ("http://cq.gov.cn/", True),
        ("https://fzggw.cq.gov.cn:8443/", True),
        ("https://www.sc.gov.cn/", False),
        ("https://www.gov.cn/", False),
        ("https://cq.gov.cn.evil.com/", False),
        ("mailto:ban@cq.gov.cn", False),
    ],
)
def test_domain_mode_uses_registered_domain(url, expected):
    assert in_scope(make("https://www.cq.gov.cn/", mode="domain"), url) is expected


def test_domain_mode_for_ip_and_bare_hosts_matches_only_itself():
    ip = make("http://127.0.0.1:8080/", mode="domain")
    assert in_scope(ip, "http://127.0.0.1:8080/a")
    assert not in_scope(ip, "http://127.0.0.1:8081/a")
    assert not in_scope(ip, "http://127.0.0.2:8080/a")
    local = make("http://localhost:8080/", mode="domain")
    assert in_scope(local, "http://localhost:8080/a")
    assert not in_scope(local, "http://other:8080/a")


def test_domain_mode_with_idn_hosts():
    seed = make("https://www.重庆.中国/", mode="domain")
    assert in_scope(seed, "https://file.重庆.中国/a")
    assert in_scope(seed, "https://file.xn--zwt745i.xn--fiqs8s/a")
    assert not in_scope(seed, "https://www.四川.中国/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.cq.gov.cn/zwgk/", True),
        ("https://www.cq.gov.cn/zwgk/zfxxgkml/a.html?page=2", True),
        ("http://www.cq.gov.cn:80/zwgk/b.html", True),
        ("https://www.cq.gov.cn/zwgkx/", False),
        ("https://www.cq.gov.cn/", False),
        ("https://file.cq.gov.cn/zwgk/", False),
    ],
)
def test_prefix_mode_uses_the_seed_directory(url, expected):
    assert (
        in_scope(make("https://www.cq.gov.cn/zwgk/index.html?x=1", mode="prefix"), url) is expected
    )


def test_prefix_mode_with_a_given_prefix_and_unicode_paths():
    seed = make("https://www.cq.gov.cn/", mode="prefix", prefix="https://www.cq.gov.cn/zwgk")
    assert in_scope(seed, "https://www.cq.gov.cn/zwgk/a.html")
    assert in_scope(seed, "https://www.cq.gov.cn/zwgk_229/")  # a prefix given is literal
    assert not in_scope(seed, "https://www.cq.gov.cn/xwzx/")
    uni = make("http://127.0.0.1:8080/政务/index.html", mode="prefix")
    assert in_scope(uni, "http://127.0.0.1:8080/%E6%94%BF%E5%8A%A1/a.html")
    assert in_scope(uni, "http://127.0.0.1:8080/政务/b.html")
    assert not in_scope(uni, "http://127.0.0.1:8080/新闻/")


def test_include_and_exclude():
    seed = make("https://www.cq.gov.cn/", include=("/zwgk/", r"/xxgk/\d+"), exclude=(r"\.zip$",))
    assert in_scope(seed, "https://www.cq.gov.cn/zwgk/a.html")
    assert in_scope(seed, "https://www.cq.gov.cn/xxgk/12/")
    assert not in_scope(seed, "https://www.cq.gov.cn/xxgk/abc/")
    assert not in_scope(seed, "https://www.cq.gov.cn/zwgk/a.zip")
    assert not in_scope(seed, "https://file.cq.gov.cn/zwgk/a.html")  # host still applies
    only_exclude = make("https://www.cq.gov.cn/", exclude=("sort=",))
    assert in_scope(only_exclude, "https://www.cq.gov.cn/list")
    assert not in_scope(only_exclude, "https://www.cq.gov.cn/list?sort=date")


def test_requisites_from_listed_hosts():
    seed = make(
        "http://127.0.0.1:8080/",
        requisite_hosts=("127.0.0.1:9000", "static.cq.gov.cn", "cdn.example.com:443"),
    )
    assert requisite_allowed(seed, "http://127.0.0.1:9000/site.css", [])
    assert not requisite_allowed(seed, "http://127.0.0.1:9001/site.css", [])
    assert requisite_allowed(seed, "https://static.cq.gov.cn:8443/a.js", [])  # any port
    assert requisite_allowed(seed, "https://cdn.example.com/a.js", [])
    assert not requisite_allowed(seed, "https://cdn.example.com:8443/a.js", [])
    assert not requisite_allowed(seed, "https://other.example.com/a.js", [])


def test_requisites_from_the_same_registered_domain_even_in_host_mode():
    seed = make("https://www.cq.gov.cn/", exclude=(r"\.iso$",))
    assert not in_scope(seed, "https://file.cq.gov.cn/a.pdf")
    assert requisite_allowed(seed, "https://file.cq.gov.cn/a.pdf", [])
    assert requisite_allowed(seed, "https://www.cq.gov.cn/logo.png", [])
    assert not requisite_allowed(seed, "https://file.cq.gov.cn/big.iso", [])  # exclude applies
    assert not requisite_allowed(seed, "https://www.sc.gov.cn/logo.png", [])


def test_requisites_ignore_include_patterns():
    seed = make("https://www.cq.gov.cn/", include=("/zwgk/",))
    assert not in_scope(seed, "https://www.cq.gov.cn/images/logo.png")
    assert requisite_allowed(seed, "https://www.cq.gov.cn/images/logo.png", [])


def test_requisites_from_hosts_of_seeds_of_the_same_jurisdiction():
    seed = make("http://127.0.0.1:8080/", jurisdiction="500103")
    same = make("http://127.0.0.1:8081/", jurisdiction="500103")
    other = make("http://127.0.0.1:8082/", jurisdiction="500105")
    siblings = [seed, same, other]
    assert requisite_allowed(seed, "http://127.0.0.1:8081/file.pdf", siblings)
    assert not requisite_allowed(seed, "http://127.0.0.1:8082/file.pdf", siblings)
    assert not requisite_allowed(seed, "http://127.0.0.1:8081/file.pdf", [seed, other])
    assert not requisite_allowed(seed, "data:image/png;base64,AAAA", siblings)


HOSTILE_PATTERN = "(a+)+b"  # exponential in Python's re on a run of a's without a b
HOSTILE_URL = "https://www.cq.gov.cn/" + "a" * 10_000


def test_seed_patterns_run_under_re2():
    from diancang.seeds.patterns import compile_pattern

    assert type(compile_pattern(HOSTILE_PATTERN)).__module__ == "re2"


def test_a_hostile_include_pattern_on_a_hostile_url_returns():
    """Python's re would take some 2**10000 steps here; RE2 takes one pass over the URL.
    Run in a subprocess so that a regression fails by the timeout instead of hanging."""
    code = (
        "from seeds import Limits, Scope, Seed\n"
        "from seeds.scope import in_scope, requisite_allowed\n"
        f"seed = Seed('s', 'https://www.cq.gov.cn/', 't', '500000', 'govinfo',"
        f" Scope(include=({HOSTILE_PATTERN!r},), exclude=({HOSTILE_PATTERN!r},)), Limits())\n"
        f"url = {HOSTILE_URL!r}\n"
        "print(in_scope(seed, url), requisite_allowed(seed, url, []))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "False True\n"), done.stderr
