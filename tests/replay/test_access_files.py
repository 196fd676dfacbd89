"""Access rules as pywb's access-control files, read back by pywb's own ``AccessChecker``."""

from __future__ import annotations

from datetime import date

import pytest
from pywb.warcserver.access_checker import AccessChecker
from registered_seeds import add_seed, library

from diancang.catalog.db import Catalog
from diancang.replay.access import (
    AccessRuleError,
    RuleInput,
    add_rule,
    write_access_files,
)
from diancang.replay.collections_root import access_file

CQ, SC = "govinfo-500000", "govinfo-510000"


@pytest.fixture
def db(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with catalog.session() as session:
        yield session
    catalog.dispose()


def rule_for(path, url: str, timestamp: str = "20240305080000") -> str:
    """What pywb decides for a capture of ``url`` at ``timestamp`` (as its handler sees it)."""
    checker = AccessChecker(str(path), "allow")
    cdx = {"url": url, "timestamp": timestamp, "urlkey": None}
    found = list(checker.wrap_iter([cdx], None))
    return found[0]["access"] if found else "exclude"


def test_rules_reach_pywb_by_longest_prefix_library_and_embargo(db, tmp_path):
    cq = library(db, "重庆市图书馆", "500000")
    sc = library(db, "四川省图书馆", "510000")
    add_seed(db, cq, "http://cq.example/", "cq", jurisdiction="500000")
    add_seed(db, sc, "http://sc.example/", "sc", jurisdiction="510000")
    for rule in [
        RuleInput("http://cq.example/news/", "block"),
        RuleInput("http://cq.example/news/public/", "allow", library_id=cq),
        RuleInput("http://cq.example/draft", "exclude", library_id=cq),
        RuleInput("http://cq.example/new/", "block", embargo_until=date(2027, 1, 1)),
        RuleInput("http://cq.example/recent/", "block", embargo_days=30),
        RuleInput("http://cq.example/sc-only/", "block", library_id=sc),
        # the same prefix for every collection and for one library: every collection's wins
        RuleInput("http://cq.example/both/", "allow", library_id=cq),
        RuleInput("http://cq.example/both/", "block"),
    ]:
        add_rule(db, rule, None)
    db.flush()
    write_access_files(db, tmp_path, [CQ, SC], today=date(2026, 12, 1), index_dir=tmp_path)
    acl = access_file(tmp_path, CQ)
    assert rule_for(acl, "http://cq.example/news/2024/a.html") == "block"
    assert rule_for(acl, "http://cq.example/news/") == "block"  # the directory page itself
    assert rule_for(acl, "http://cq.example/newsletter.html") == "allow"  # not under /news/
    assert rule_for(acl, "http://cq.example/news/public/a.html") == "allow"
    assert rule_for(acl, "http://cq.example/drafts.html") == "exclude"  # a prefix, as given
    assert rule_for(acl, "http://cq.example/new/a.html") == "block"
    assert rule_for(acl, "http://cq.example/sc-only/a.html") == "allow"  # 四川's rule
    assert rule_for(acl, "http://cq.example/both/a.html") == "block"
    # N days after capture: pywb compares each capture's date with the time of the request
    assert rule_for(acl, "http://cq.example/recent/a.html", "20240305080000") == "allow"
    assert rule_for(acl, "http://cq.example/recent/a.html", "29990101000000") == "block"
    assert rule_for(access_file(tmp_path, SC), "http://cq.example/sc-only/a.html") == "block"
    assert rule_for(access_file(tmp_path, SC), "http://cq.example/draft") == "allow"

    # on the embargo's date the rule leaves the file: the capture replays again
    write_access_files(db, tmp_path, [CQ, SC], today=date(2027, 1, 1), index_dir=tmp_path)
    assert rule_for(acl, "http://cq.example/new/a.html") == "allow"
    assert rule_for(acl, "http://cq.example/news/a.html") == "block"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (RuleInput("javascript:alert(1)", "block"), "网址前缀无效"),
        (RuleInput("http:///path", "block"), "网址前缀无效"),
        (RuleInput("http://a.example/", "hide"), "访问方式无效"),
        (RuleInput("http://a.example/", "allow", embargo_days=3), "不能带禁阅期"),
        (
            RuleInput("http://a.example/", "block", embargo_days=3, embargo_until=date(2030, 1, 1)),
            "不能同时指定",
        ),
        (RuleInput("http://a.example/", "block", library_id=999), "没有编号为 999 的图书馆"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(db, rule, message):
    with pytest.raises(AccessRuleError, match=message):
        add_rule(db, rule, None)


def test_a_second_rule_of_the_same_prefix_and_scope_is_refused(db):
    add_rule(db, RuleInput("http://a.example/x/", "block"), None)
    with pytest.raises(AccessRuleError, match="已有同一网址前缀的规则"):
        add_rule(db, RuleInput("http://a.example/x/", "exclude"), None)
