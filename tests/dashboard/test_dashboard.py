"""The dashboard against a served console: the year's figures equal what the rows say, each
role sees its libraries, the charts carry the numbers, the 质检报告 downloads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from console.console_helpers import Browser, add_accounts
from dashboard_data import HEBEI, LIAONING, SJZ, ZHENGDING, fill, record
from served_app import Served
from sqlalchemy import func, select, text

from diancang.accounts.models import Library
from diancang.catalog.db import Catalog
from diancang.catalog.models import Record
from diancang.dashboard import figures

YEAR = date.today().year
DIANCANG = Path(sys.executable).with_name("diancang")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    data_dir = root / "data"
    data_dir.mkdir()
    url = f"sqlite:///{data_dir / 'catalog.sqlite'}"
    add_accounts(url)
    expected = fill(url, YEAR)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env["DIANCANG_DATA_DIR"] = str(data_dir)
    served = Served(env, root / "serve.log")
    yield served, expected, url, env
    served.stop()


def logged_in(served: Served, username: str) -> Browser:
    browser = Browser(served.base)
    assert browser.login(username).status_code == 200
    return browser


def by_library(browser: Browser, year: int = YEAR) -> dict[str, dict]:
    response = browser.get(f"/api/dashboard?year={year}")
    assert response.status_code == 200, response.text
    return {entry["library"]: entry for entry in response.json()}


def test_the_figures_equal_the_rows_and_the_province_rolls_up(site):
    served, expected, url, _ = site
    found = by_library(logged_in(served, "admin"))
    assert set(found) == {SJZ, HEBEI, ZHENGDING, LIAONING}
    for name, want in expected.items():
        entry = found[name]
        assert entry["records"] == want.records, name
        assert entry["websites"] == want.websites, name
        assert entry["captures_by_month"] == want.captures_by_month, name
        assert entry["failures_by_month"] == want.failures_by_month, name
        assert entry["records_target"] == {HEBEI: 24000, SJZ: 12000, ZHENGDING: 6000}.get(
            name, 24000
        )
        assert entry["websites_target"] == 100
    catalog = Catalog(url)
    try:  # and the records equal a direct count in the database
        with catalog.session() as db:
            for name in (SJZ, HEBEI):
                library_id = db.scalar(select(Library.id).where(Library.name == name))
                direct = db.scalar(
                    select(func.count()).where(
                        Record.library_id == library_id,
                        Record.kind == "govinfo",
                        Record.deleted.is_(False),
                        func.strftime("%Y", Record.created_at) == str(YEAR),
                    )
                )
                assert found[name]["records"] == direct
    finally:
        catalog.dispose()
    rollup = found[HEBEI]["rollup"]
    members = (HEBEI, SJZ, ZHENGDING)
    assert rollup["libraries"] == 3
    assert rollup["records"] == sum(expected[n].records for n in members) == 7
    assert rollup["websites"] == 2
    assert rollup["records_target"] == 24000 + 12000 + 6000
    assert rollup["captures_by_month"] == [
        sum(expected[n].captures_by_month[m] for n in members) for m in range(12)
    ]
    assert found[SJZ]["rollup"] is None  # a city library is not rolled up
    assert found[SJZ]["parent"] == HEBEI and found[SJZ]["level"] == "city"
    last_year = by_library(logged_in(served, "admin"), YEAR - 1)
    assert last_year[SJZ]["records"] == 1 and last_year[SJZ]["records_projection"] == 1


def shown_soon(browser: Browser, name: str, records: int) -> bool:
    """True once the dashboard shows ``records`` for ``name`` (it looks again each second)."""
    deadline = time.monotonic() + 10
    while by_library(browser)[name]["records"] != records:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_new_and_withdrawn_records_show_within_a_second(site):
    served, expected, url, _ = site
    admin = logged_in(served, "admin")
    before = by_library(admin)[LIAONING]["records"]
    catalog = Catalog(url)
    try:
        with catalog.session() as db:
            library_id = db.scalar(select(Library.id).where(Library.name == LIAONING))
            db.add(record(library_id, datetime(YEAR, 1, 2)))
        assert shown_soon(admin, LIAONING, before + 1)
        with catalog.session() as db:  # withdrawn: its datestamp moves, the count drops
            db.execute(
                text(
                    "UPDATE catalog_records SET deleted = 1, datestamp = :now"
                    " WHERE library_id = :id"
                ),
                {"now": datetime.now(), "id": library_id},
            )
        assert shown_soon(admin, LIAONING, 0)
    finally:
        catalog.dispose()


def test_each_role_sees_its_libraries(site):
    served, _, _, _ = site
    assert set(by_library(logged_in(served, "sjz-librarian"))) == {SJZ}
    assert set(by_library(logged_in(served, "sjz-curator"))) == {SJZ}
    auditor = by_library(logged_in(served, "hebei-auditor"))
    assert set(auditor) == {HEBEI, SJZ, ZHENGDING}
    assert auditor[HEBEI]["rollup"]["records"] == 7
    assert set(by_library(logged_in(served, "ln-librarian"))) == {LIAONING}

    anonymous = Browser(served.base)
    response = anonymous.get("/api/dashboard")
    assert response.status_code == 401 and "error" in response.json()
    page = anonymous.get("/dashboard", allow_redirects=False)
    assert page.status_code == 302 and "/login" in page.headers["Location"]

    page = logged_in(served, "sjz-librarian").get("/dashboard").text
    assert f'data-library="{SJZ}"' in page and HEBEI not in page.split("<main>")[1]


def test_a_bad_year_is_refused_with_its_reason(site):
    served, _, _, _ = site
    admin = logged_in(served, "admin")
    response = admin.get("/api/dashboard?year=20x6")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "year"
    assert admin.get("/dashboard?year=1899").status_code == 400


def test_the_page_shows_the_numbers_in_its_table_and_charts(site):
    served, expected, _, _ = site
    page = logged_in(served, "hebei-auditor").get(f"/dashboard?year={YEAR}").text
    row = re.search(rf'<tr data-library="{SJZ}".*?</tr>', page, re.S).group(0)
    assert f'data-records="{expected[SJZ].records}"' in row
    assert f'data-websites="{expected[SJZ].websites}"' in row
    assert f'<tr class="rollup" data-rollup="{HEBEI}">' in page
    assert "style=" not in page  # the Content-Security-Policy forbids inline styles
    records_chart = re.search(r'<figure id="chart-records">(.*?)</figure>', page, re.S).group(1)
    assert "<svg" in records_chart
    assert f"<title>{SJZ}: {expected[SJZ].records} / 12000</title>" in records_chart
    assert f"<title>{HEBEI}（合计）: 7 / 42000</title>" in records_chart
    # the monthly charts show the first row's roll-up: Hebei's three libraries
    captures = re.search(r'<figure id="chart-captures">(.*?)</figure>', page, re.S).group(1)
    assert "<title>1月: 2</title>" in captures and "<title>6月: 3</title>" in captures
    assert "<title>12月: 1</title>" in captures
    failures = re.search(r'<figure id="chart-failures">(.*?)</figure>', page, re.S).group(1)
    assert "<title>3月: 2</title>" in failures and "<title>5月: 1</title>" in failures
    assert "线性推算" in page  # the projection says how it is made


def test_the_report_downloads_are_what_catalog_report_writes(site, tmp_path):
    served, expected, url, env = site
    ids = {
        name: entry["library_id"] for name, entry in by_library(logged_in(served, "admin")).items()
    }
    librarian = logged_in(served, "sjz-librarian")
    html = librarian.get(f"/dashboard/report/{ids[SJZ]}/{YEAR}.html")
    assert html.status_code == 200
    assert html.headers["Content-Disposition"].startswith("attachment")
    csv = librarian.get(f"/dashboard/report/{ids[SJZ]}/{YEAR}.csv")
    coverage = librarian.get(f"/dashboard/report/{ids[SJZ]}/{YEAR}-coverage.csv")
    assert csv.status_code == coverage.status_code == 200
    assert f"summary,records,{expected[SJZ].records}," in csv.content.decode("utf-8-sig")

    subprocess.run(
        [str(DIANCANG), "catalog", "report", "--library", SJZ, "--year", str(YEAR),
         "--out", str(tmp_path)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    assert html.content == (tmp_path / f"quality-report-{YEAR}.html").read_bytes()
    assert csv.content == (tmp_path / f"quality-report-{YEAR}.csv").read_bytes()

    for other in (HEBEI, LIAONING, ZHENGDING):  # a librarian: only their own library
        assert librarian.get(f"/dashboard/report/{ids[other]}/{YEAR}.html").status_code == 403
    auditor = logged_in(served, "hebei-auditor")
    assert auditor.get(f"/dashboard/report/{ids[ZHENGDING]}/{YEAR}.csv").status_code == 200
    assert auditor.get(f"/dashboard/report/{ids[LIAONING]}/{YEAR}.csv").status_code == 403
    assert (
        Browser(served.base)
        .get(f"/dashboard/report/{ids[SJZ]}/{YEAR}.csv", allow_redirects=False)
        .status_code
        == 302
    )
    assert logged_in(served, "admin").get(f"/dashboard/report/9999/{YEAR}.csv").status_code == 404


def test_the_projection_is_linear_on_the_days_elapsed():
    assert figures.projection(100, 2025, date(2025, 1, 1)) == 36500
    assert figures.projection(6000, 2024, date(2024, 7, 1)) == round(6000 * 366 / 183)
    assert figures.projection(5, 2024, date(2025, 3, 1)) == 5  # a past year: its count
    assert figures.projection(5, 2026, date(2025, 3, 1)) is None


def test_each_measure_is_read_through_its_index(site):
    """EXPLAIN QUERY PLAN on SQLite: no measure scans a whole large table."""
    _, _, url, _ = site
    catalog = Catalog(url)
    try:
        with catalog.session() as db:
            plans = {}
            for name, query in figures.measure_statements(YEAR).items():
                compiled = query.compile(db.bind, compile_kwargs={"literal_binds": True})
                rows = db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
                plans[name] = " | ".join(row[-1] for row in rows)
    finally:
        catalog.dispose()
    assert "ix_record_library_kind_created" in plans["records"], plans
    assert "ix_capture_seed_captured" in plans["websites"], plans
    assert "ix_capture_seed_captured" in plans["captures"], plans
    for plan in plans.values():
        assert "SCAN catalog_records" not in plan and "SCAN catalog_captures " not in plan + " ", (
            plans
        )
