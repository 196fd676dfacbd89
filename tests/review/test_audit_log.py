"""The audit log: ``/audit`` filtered and paged, its CSV export (UTF-8 with a BOM, no cell a
formula), ``GET /api/audit``, each reader seeing only the libraries they may see; and the
database refusing to change or delete a line of it, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date, timedelta

import pytest
from console.console_helpers import PASSWORD, Browser, accounts_catalogue, add_accounts
from review_rows import catalogue_pages, decide_now, items_of_records, library
from served_app import Served
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from diancang.accounts.users import add_user
from diancang.catalog.db import Catalog
from diancang.review.audit import CSV_COLUMNS, PER_PAGE
from diancang.review.models import Decision
from diancang.review.states import APPROVE, PATCH, REJECT

SJZ, LN = "石家庄市图书馆", "辽宁省图书馆"
FORMULA = '=HYPERLINK("http://evil.example/","点击")'
TODAY = date.today()
PATCHES = PER_PAGE + 3  # enough decisions for a second page


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """石家庄 (curator sjz-curator): 3 pages approved, rejected with a formula for a comment,
    patched ``PATCHES`` times; 辽宁 (curator ln-curator): 1 page approved."""
    root = tmp_path_factory.mktemp("audit")
    data_dir = root / "data"
    url = accounts_catalogue(data_dir)
    catalog = Catalog(url)
    with catalog.session() as session:
        add_user(session, "ln-curator", "curator", PASSWORD, LN)
    sjz = catalogue_pages(catalog, root / "sjz.warc.gz", "130100", 3)
    ln = catalogue_pages(catalog, root / "ln.warc.gz", "210100", 1)
    with catalog.session() as session:
        sjz_items = items_of_records(session, library(session, SJZ).id, sjz)
        ln_items = items_of_records(session, library(session, LN).id, ln)
        item = [sjz_items[r].id for r in sjz] + [ln_items[ln[0]].id]
    decide_now(catalog, item[0], "sjz-curator", APPROVE)
    decide_now(catalog, item[1], "sjz-curator", REJECT, reason="内容不完整", comment=FORMULA)
    for n in range(PATCHES):
        decide_now(catalog, item[2], "sjz-curator", PATCH, detail={"job": n, "urls": []})
    decide_now(catalog, item[3], "ln-curator", APPROVE)
    catalog.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env["DIANCANG_DATA_DIR"] = str(data_dir)
    served = Served(env, root / "serve.log")
    yield served
    served.stop()


def logged_in(site, username: str) -> Browser:
    browser = Browser(site.base)
    assert browser.login(username).status_code == 200
    return browser


def listed(browser: Browser, query: str = "") -> tuple[list[str], str]:
    """Actions of the rows of every page of ``/audit?query``, and the first page's HTML."""
    rows, first, path = [], None, f"/audit?{query}"
    while path:
        page = browser.get(path)
        assert page.status_code == 200, page.text[:500]
        first = first or page.text
        rows += re.findall(r'data-decision-id="(\d+)" data-action="(\w+)"', page.text)
        after = re.search(r'rel="next" href="([^"]+)"', page.text)
        path = after.group(1).replace("&amp;", "&") if after else None
    assert len({decision_id for decision_id, _ in rows}) == len(rows), "each row once"
    return [action for _, action in rows], first


def test_the_audit_page_filters_pages_and_shows_only_visible_libraries(site):
    admin = logged_in(site, "admin")
    actions, first = listed(admin)
    assert sorted(actions) == sorted(["approve", "reject", "approve"] + ["patch"] * PATCHES)
    assert f"第 1 / 2 页，共 {PATCHES + 3} 条" in first
    assert listed(admin, "action=reject")[0] == ["reject"]
    assert listed(admin, "reason=内容不完整")[0] == ["reject"]
    assert listed(admin, "user=ln-curator")[0] == ["approve"]
    since, until = TODAY.isoformat(), (TODAY + timedelta(days=1)).isoformat()
    assert len(listed(admin, f"since={since}&until={since}")[0]) == PATCHES + 3
    assert listed(admin, f"since={until}")[0] == []
    assert listed(admin, f"until={(TODAY - timedelta(days=1)).isoformat()}")[0] == []
    sjz_curator = logged_in(site, "sjz-curator")
    assert "approve" in listed(sjz_curator, "action=approve")[0]
    assert len(listed(sjz_curator, "action=approve")[0]) == 1  # not 辽宁's
    assert listed(logged_in(site, "ln-curator"))[0] == ["approve"]
    assert len(listed(logged_in(site, "hebei-auditor"))[0]) == PATCHES + 2  # the province's
    bad = admin.get("/audit?since=yesterday")
    assert bad.status_code == 400 and "since" in bad.text


def test_the_csv_export_opens_in_excel_and_holds_no_formula(site):
    admin = logged_in(site, "admin")
    response = admin.get("/audit.csv?library=" + str(_library_id(admin, SJZ)))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [f"{label} ({name})" for name, label in CSV_COLUMNS]
    assert len(rows) == 1 + PATCHES + 2  # 石家庄's decisions only, oldest first
    by_name = [dict(zip([n for n, _ in CSV_COLUMNS], row, strict=True)) for row in rows[1:]]
    rejected = next(r for r in by_name if r["action"].endswith("(reject)"))
    assert rejected["comment"] == "'" + FORMULA  # shown as text, never run
    assert rejected["reason"] == "内容不完整" and rejected["action"] == "退回 (reject)"
    assert rejected["state_before"] == "待审核 (pending)"
    assert rejected["state_after"] == "已退回 (rejected)"
    assert {r["library"] for r in by_name} == {SJZ}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert logged_in(site, "ln-curator").get("/audit.csv").content.count(b"\n") == 2


def test_the_api_lists_decisions_since_a_date(site):
    admin = logged_in(site, "admin")
    found = admin.get("/api/audit").json()
    assert len(found) == PATCHES + 3
    assert set(found[0]) >= {
        "id", "at", "user", "role", "library", "capture", "record", "action", "reason",
        "comment", "state_before", "state_after",
    }  # fmt: skip
    assert [d["id"] for d in found] == sorted(d["id"] for d in found)
    first = found[0]
    assert (first["user"], first["role"], first["library"]) == ("sjz-curator", "curator", SJZ)
    assert (first["action"], first["state_before"], first["state_after"]) == (
        "approve", "pending", "approved",
    )  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["at"])
    assert isinstance(first["capture"], int) and isinstance(first["record"], int)
    assert len(admin.get(f"/api/audit?since={TODAY.isoformat()}").json()) == PATCHES + 3
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert admin.get(f"/api/audit?since={tomorrow}").json() == []
    assert admin.get(f"/api/audit?since={first['at']}").json()[0]["id"] == first["id"]
    bad = admin.get("/api/audit?since=2024-02-30")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"
    assert [d["user"] for d in logged_in(site, "ln-curator").get("/api/audit").json()] == [
        "ln-curator"
    ]
    assert Browser(site.base).get("/api/audit").status_code == 401


def test_the_api_answers_in_pages_that_link_to_the_next(site):
    admin = logged_in(site, "admin")
    whole = admin.get("/api/audit").json()  # under the default limit: one answer
    assert len(whole) == PATCHES + 3
    seen, answers, url = [], 0, "/api/audit?limit=10&action=patch"
    while url:
        answer = admin.get(url)
        assert answer.status_code == 200
        page = answer.json()
        assert 1 <= len(page) <= 10
        seen += page
        answers += 1
        url = answer.links.get("next", {}).get("url")
        if url:  # the cursor is the last decision's id
            assert url.startswith(site.base + "/api/audit?")
            assert f"after={page[-1]['id']}" in url and "action=patch" in url
            url = url.removeprefix(site.base)
    assert answers == -(-PATCHES // 10)
    assert [d["id"] for d in seen] == [d["id"] for d in whole if d["action"] == "patch"]
    last = seen[-1]["id"]
    assert admin.get(f"/api/audit?after={last}&action=patch").json() == []
    for bad in ("limit=0", "limit=5001", "limit=ten", "after=-1"):
        refused = admin.get(f"/api/audit?{bad}")
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == bad.split("=")[0]


def _library_id(browser: Browser, name: str) -> int:
    page = browser.get("/audit").text
    return int(re.search(rf'<option value="(\d+)">{name}</option>', page).group(1))


def test_the_database_refuses_to_change_or_delete_the_audit_log(database_url, tmp_path):
    catalog = Catalog(database_url)
    try:
        add_accounts(database_url)
        records = catalogue_pages(catalog, tmp_path / "p.warc.gz", "130100", 1)
        with catalog.session() as session:
            item = items_of_records(session, library(session, SJZ).id, records)[records[0]]
            item_id = item.id
        decision_id = decide_now(catalog, item_id, "sjz-curator", APPROVE)
        attempts = [
            update(Decision).where(Decision.id == decision_id).values(action="reject"),
            update(Decision).values(username="someone-else"),
            delete(Decision).where(Decision.id == decision_id),
            text("DELETE FROM review_decisions"),
        ]
        for statement in attempts:
            with catalog.session() as session, pytest.raises(DatabaseError) as refused:
                session.execute(statement)
            assert "append-only" in str(refused.value)
        with catalog.session() as session:
            kept = session.get(Decision, decision_id)
            assert (kept.action, kept.username) == ("approve", "sjz-curator")
        decide_now(catalog, item_id, "sjz-curator", REJECT, reason="其他")  # appending works
        with catalog.session() as session:
            assert session.query(Decision).count() == 2
    finally:
        catalog.dispose()
