"""The seed registry through `diancang serve` and real HTTP clients: the seed pages (list,
filters, pages, import, export, forms with each error beside its field, delete), who may
see and change which library's seeds, CSRF, and the JSON API ``/api/seeds``."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import lxml.html
import openpyxl
import pytest
import requests
from console_helpers import Browser, accounts_catalogue, library_ids
from served_app import Served

from diancang.accounts.tokens import issue_token
from diancang.accounts.users import find_user
from diancang.catalog.db import Catalog
from diancang.registry.models import RegisteredSeed

SJZ, HEBEI, LN = "石家庄市图书馆", "河北省图书馆", "辽宁省图书馆"
IMPORT_CSV = """url,title,jurisdiction,collection,schedule
https://www.sjz.gov.cn/,石家庄市人民政府,130100,govinfo,monthly
https://www.dl.gov.cn/,大连市人民政府,210200,govinfo,
https://www.sjzlib.cn/,石家庄图书馆网站,130102,webarchive,weekly
"""


class Console:
    def __init__(self, served: Served, database_url: str) -> None:
        self.base = served.base
        self.database_url = database_url
        self.ids = library_ids(database_url)
        catalog = Catalog(database_url)
        try:
            with catalog.session() as db:
                self.tokens = {
                    name: issue_token(db, find_user(db, name))
                    for name in ("admin", "sjz-librarian", "sjz-curator", "ln-librarian")
                }
        finally:
            catalog.dispose()

    def browser(self, username: str) -> Browser:
        browser = Browser(self.base)
        assert browser.login(username).status_code == 200
        return browser

    def api(self, method: str, path: str, user: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Iterator[Console]:
    data_dir = tmp_path_factory.mktemp("seeds") / "data"
    database_url = accounts_catalogue(data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    served = Served({**env, "DIANCANG_DATA_DIR": str(data_dir)}, data_dir.parent / "serve.log")
    try:
        yield Console(served, database_url)
    finally:
        served.stop()


def _page(response: requests.Response):
    return lxml.html.fromstring(response.text)


def _seed_ids(page) -> list[int]:
    return [int(tr.get("data-seed-id")) for tr in page.cssselect("#seeds-table tr[data-seed-id]")]


def _api_seed(console: Console, user: str, **fields) -> dict:
    created = console.api("POST", "/api/seeds", user, json=fields)
    assert created.status_code == 201, created.text
    return created.json()


def test_a_csv_import_shows_each_bad_row_and_registers_the_good_ones(console):
    librarian = console.browser("sjz-librarian")
    token = librarian.csrf_token("/seeds")
    files = {"file": ("seeds.csv", IMPORT_CSV.encode(), "text/csv")}
    response = librarian.http.post(
        console.base + "/seeds/import", data={"csrf_token": token}, files=files, timeout=30
    )
    assert response.status_code == 200
    page = _page(response)
    summary = page.cssselect("#import-summary")[0]
    assert (summary.get("data-imported"), summary.get("data-updated")) == ("2", "0")
    headers = [th.text_content() for th in page.cssselect("#import-errors th")]
    assert headers == ["行", "字段", "错误"]
    cells = [td.text_content() for td in page.cssselect("#import-errors tbody td")]
    assert cells[:2] == ["3", "jurisdiction"] and "不在石家庄市图书馆的辖区" in cells[2]
    listed = console.api("GET", "/api/seeds?q=sjz", "sjz-librarian").json()["seeds"]
    assert {s["url"] for s in listed} >= {"https://www.sjz.gov.cn/", "https://www.sjzlib.cn/"}

    again = librarian.http.post(
        console.base + "/seeds/import",
        data={"csrf_token": librarian.csrf_token("/seeds")},
        files={"file": ("seeds.csv", IMPORT_CSV.encode(), "text/csv")},
        timeout=30,
    )
    summary = _page(again).cssselect("#import-summary")[0]
    assert (summary.get("data-imported"), summary.get("data-updated")) == ("0", "2")


def test_an_invalid_jurisdiction_is_shown_right_after_its_field(console):
    librarian = console.browser("sjz-librarian")
    response = librarian.post(
        "/seeds/new",
        {
            "url": "https://www.tangshan.gov.cn/",
            "title": "唐山市人民政府",
            "jurisdiction": "130200",
            "collection": "govinfo",
            "depth": "ten",
        },
    )
    assert response.status_code == 422
    page = _page(response)
    for name, words in [("jurisdiction", "不在石家庄市图书馆的辖区"), ("depth", "not an integer")]:
        field = page.cssselect(f"[name={name}]")[0]
        error = field.getnext()
        assert error.tag == "p" and error.get("class") == "field-error", name
        assert error.get("data-field") == name and words in error.text_content()
    assert page.cssselect("[name=title]")[0].get("value") == "唐山市人民政府"  # kept as typed
    (details,) = [d for d in page.cssselect("details") if d.cssselect("[name=depth]")]
    assert details.get("open") is not None  # the error is not hidden in a closed section
    assert console.api("GET", "/api/seeds?q=tangshan", "sjz-librarian").json()["total"] == 0


def test_a_seed_is_created_edited_and_deleted_from_its_pages(console):
    librarian = console.browser("sjz-librarian")
    created = librarian.post(
        "/seeds/new",
        {
            "url": "https://www.xinhua.sjz.gov.cn/",
            "title": "新华区人民政府",
            "jurisdiction": "130105",
            "collection": "govinfo",
            "schedule": "daily",
            "listing_url": "https://www.xinhua.sjz.gov.cn/zwgk/index_{page}.html",
            "listing_last": "60",
            "recrawl": "changed",
        },
    )
    assert created.status_code == 200 and "/seeds/" in created.url
    seed_id = int(created.url.rsplit("/", 1)[1])
    page = _page(created)
    assert page.cssselect("[name=listing_url]")[0].get("value").endswith("index_{page}.html")
    assert page.cssselect("[name=recrawl] option[selected]")[0].get("value") == "changed"
    start = page.cssselect("form#start-now")[0]
    assert start.get("action") == "/jobs" and start.cssselect("[name=seeds]")[0].get(
        "value"
    ) == str(seed_id)
    assert "待排程" in page.cssselect("#next-run")[0].text_content()

    form = {i.get("name"): i.get("value") or "" for i in page.cssselect("#seed-form input")}
    form.pop("csrf_token")
    form.update(
        title="石家庄市新华区人民政府", collection="govinfo", recrawl="all", schedule="weekly"
    )
    saved = librarian.post(f"/seeds/{seed_id}", form)
    assert saved.status_code == 200
    shown = console.api("GET", f"/api/seeds/{seed_id}", "sjz-librarian").json()
    assert (shown["title"], shown["schedule"], shown["listing_last"]) == (
        "石家庄市新华区人民政府",
        "weekly",
        "60",
    )

    _set_next_run(console, seed_id, datetime(2026, 1, 5, 18, 0))  # the scheduler's doing
    next_run = _page(librarian.get(f"/seeds/{seed_id}")).cssselect("#next-run")[0].text_content()
    assert "2026-01-06 02:00 Asia/Shanghai" in next_run and "已逾期" in next_run

    deleted = librarian.post(f"/seeds/{seed_id}/delete", {}, token_from=f"/seeds/{seed_id}")
    assert deleted.status_code == 200 and deleted.url.endswith("/seeds")
    assert console.api("GET", f"/api/seeds/{seed_id}", "sjz-librarian").status_code == 404


def test_another_library_gets_403_and_a_curator_cannot_edit(console):
    seed = _api_seed(
        console,
        "sjz-librarian",
        url="https://www.qiaoxi.gov.cn/",
        title="桥西区",
        jurisdiction="130104",
        collection="govinfo",
    )
    path = f"/seeds/{seed['id']}"
    liaoning = console.browser("ln-librarian")
    assert liaoning.get(path).status_code == 403
    assert console.api("GET", f"/api/seeds/{seed['id']}", "ln-librarian").status_code == 403
    assert (
        console.api(
            "PUT", f"/api/seeds/{seed['id']}", "ln-librarian", json={"title": "x"}
        ).status_code
        == 403
    )
    assert seed["id"] not in _seed_ids(_page(liaoning.get("/seeds")))

    curator = console.browser("sjz-curator")
    page = _page(curator.get(path))
    assert page.cssselect("#seed-form fieldset")[0].get("disabled") is not None
    assert not page.cssselect("#seed-form button") and not page.cssselect("#start-now")
    assert curator.post(path, {"title": "改名"}, token_from="/seeds").status_code == 403
    assert curator.get("/seeds/new").status_code == 403
    assert not _page(curator.get("/seeds")).cssselect("#import-form")
    refused = console.api("PUT", f"/api/seeds/{seed['id']}", "sjz-curator", json={"title": "改名"})
    assert refused.status_code == 403
    assert console.api("DELETE", f"/api/seeds/{seed['id']}", "sjz-curator").status_code == 403
    auditor = console.browser("hebei-auditor")
    assert auditor.get(path).status_code == 200  # the province sees its city's seeds
    assert (
        console.api("GET", f"/api/seeds/{seed['id']}", "sjz-librarian").json()["title"] == "桥西区"
    )


def _set_next_run(console: Console, seed_id: int, when: datetime) -> None:
    catalog = Catalog(console.database_url)
    try:
        with catalog.session() as db:
            db.get(RegisteredSeed, seed_id).next_run_at = when
    finally:
        catalog.dispose()


def test_an_admin_names_the_library_of_a_new_seed(console):
    admin = console.browser("admin")
    row = {
        "url": "https://www.zd.gov.cn/",
        "title": "正定县",
        "jurisdiction": "130123",
        "collection": "govinfo",
    }
    refused = admin.post("/seeds/new", row)
    assert refused.status_code == 422
    (error,) = _page(refused).cssselect("p.field-error[data-field=library]")
    assert error.getprevious().get("name") == "library"
    created = admin.post("/seeds/new", {**row, "library": str(console.ids["正定县图书馆"])})
    assert created.status_code == 200 and "正定县图书馆" in created.text


def test_a_form_posted_without_its_csrf_token_is_refused(console):
    librarian = console.browser("sjz-librarian")
    row = {
        "url": "https://csrf.sjz.gov.cn/",
        "title": "x",
        "jurisdiction": "130100",
        "collection": "govinfo",
    }
    refused = librarian.post("/seeds/new", row, token_from="")
    assert refused.status_code == 400 and "CSRF" in refused.text
    api = librarian.http.post(
        console.base + "/api/seeds", json=row, timeout=30
    )  # session, no token
    assert api.status_code == 400
    assert console.api("GET", "/api/seeds?q=csrf", "sjz-librarian").json()["total"] == 0


def test_a_url_of_two_libraries_is_flagged_on_both_lists(console):
    url = "https://www.hebei.gov.cn/"
    city = _api_seed(
        console,
        "sjz-librarian",
        url=url,
        title="河北省人民政府",
        jurisdiction="130100",
        collection="govinfo",
    )
    province = _api_seed(
        console,
        "admin",
        library=HEBEI,
        url="https://WWW.hebei.gov.cn",
        title="河北省人民政府",
        jurisdiction="130000",
        collection="govinfo",
    )
    assert province["also_registered_by"] == [SJZ] and province["seed_key"] == "www.hebei.gov.cn-2"
    assert console.api("GET", f"/api/seeds/{city['id']}", "sjz-librarian").json()[
        "also_registered_by"
    ] == [HEBEI]
    for user, seed, other in [("sjz-librarian", city, HEBEI), ("admin", province, SJZ)]:
        page = _page(console.browser(user).get("/seeds?q=hebei.gov"))
        (row,) = page.cssselect(f"tr[data-seed-id='{seed['id']}']")
        assert row.cssselect(".duplicate")[0].get("data-also") == other
        seed_page = _page(console.browser(user).get(f"/seeds/{seed['id']}"))
        assert other in seed_page.cssselect("#also-registered")[0].text_content()
    again = console.api(
        "POST",
        "/api/seeds",
        "sjz-librarian",
        json={"url": url + "#x", "title": "t", "jurisdiction": "130100", "collection": "govinfo"},
    )
    assert again.status_code == 422 and [e["field"] for e in again.json()["errors"]] == ["url"]


def test_the_api_answers_401_422_404_and_round_trips_a_seed(console):
    assert console.api("GET", "/api/seeds").status_code == 401
    assert console.api("POST", "/api/seeds", json={}).status_code == 401
    invalid = console.api(
        "POST",
        "/api/seeds",
        "sjz-librarian",
        json={
            "url": "ftp://x",
            "title": "",
            "jurisdiction": "999999",
            "collection": "gov",
            "colour": "red",
        },
    )
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["colour"]
    invalid = console.api(
        "POST",
        "/api/seeds",
        "sjz-librarian",
        json={"url": "ftp://x", "title": "", "jurisdiction": "999999", "collection": "gov"},
    )
    assert [e["field"] for e in invalid.json()["errors"]] == [
        "url",
        "title",
        "jurisdiction",
        "collection",
    ]
    assert (
        console.api(
            "POST",
            "/api/seeds",
            "admin",
            json={
                "url": "https://a.cn/",
                "title": "a",
                "jurisdiction": "130100",
                "collection": "govinfo",
            },
        ).json()["errors"][0]["field"]
        == "library"
    )
    seed = _api_seed(
        console,
        "sjz-librarian",
        url="https://www.changan.gov.cn/",
        title="长安区",
        jurisdiction="130102",
        collection="webarchive",
        depth=3,
        browser=True,
    )
    assert (seed["library"], seed["depth"], seed["browser"], seed["timezone"]) == (
        SJZ,
        "3",
        "true",
        "",
    )
    changed = console.api(
        "PUT", f"/api/seeds/{seed['id']}", "sjz-librarian", json={**seed, "title": "长安区人民政府"}
    )
    assert changed.status_code == 200 and changed.json()["title"] == "长安区人民政府"
    assert changed.json()["depth"] == "3"
    bad = console.api(
        "PUT", f"/api/seeds/{seed['id']}", "sjz-librarian", json={"jurisdiction": "210000"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "jurisdiction"
    assert console.api("GET", "/api/seeds/999999", "sjz-librarian").status_code == 404
    assert console.api("DELETE", f"/api/seeds/{seed['id']}", "sjz-librarian").status_code == 204
    assert console.api("GET", "/api/seeds?jurisdiction=12", "sjz-librarian").status_code == 422
    found = console.api("GET", "/api/jurisdictions?q=正定", "sjz-librarian").json()
    assert [(j["code"], j["full_name"]) for j in found] == [("130123", "河北省石家庄市正定县")]


def test_import_and_export_through_the_api(console):
    yaml_text = (
        "- {url: 'https://yaml.sjz.gov.cn/', title: YAML, jurisdiction: '130100', "
        "collection: govinfo}\n"
    )
    report = console.api(
        "POST", "/api/seeds/import", "sjz-librarian", files={"file": ("s.yaml", yaml_text.encode())}
    )
    assert report.status_code == 200 and report.json() == {
        "imported": 1,
        "updated": 0,
        "errors": [],
    }
    assert console.api("POST", "/api/seeds/import", "sjz-librarian").status_code == 422
    huge = b"url,title,jurisdiction,collection\n" + b"#" * (16 * 2**20)
    too_large = console.api(
        "POST", "/api/seeds/import", "sjz-librarian", files={"file": ("h.csv", huge)}
    )
    assert too_large.status_code == 413 and too_large.json()["error"]
    exported = console.api("GET", "/api/seeds/export?format=xlsx&q=yaml.sjz", "sjz-librarian")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("id", "url", "title", "jurisdiction", "collection")
    assert rows[1][:3] == ("yaml.sjz.gov.cn", "https://yaml.sjz.gov.cn/", "YAML") and len(rows) == 2
    back = console.api(
        "POST",
        "/api/seeds/import",
        "sjz-librarian",
        files={"file": ("back.xlsx", exported.content)},
    )
    assert back.json() == {"imported": 0, "updated": 1, "errors": []}
    csv_text = console.api("GET", "/api/seeds/export?format=csv&q=yaml.sjz", "sjz-librarian").text
    assert csv_text.splitlines()[1].startswith(
        "yaml.sjz.gov.cn,https://yaml.sjz.gov.cn/,YAML,130100"
    )
    assert console.api("GET", "/api/seeds/export?format=pdf", "sjz-librarian").status_code == 422
    assert (
        console.api("GET", "/api/seeds/export?format=csv&q=yaml.sjz", "ln-librarian").text.count(
            "\n"
        )
        == 1
    )


def test_the_seed_list_filters_and_pages(console):
    rows = ["url,title,jurisdiction,collection,schedule"]
    for n in range(75):
        collection = "govinfo" if n % 2 else "webarchive"
        schedule = "daily" if n % 5 == 0 else ""
        rows.append(f"https://p{n}.zd.gov.cn/,正定分页{n},130123,{collection},{schedule}")
    librarian = console.browser("sjz-librarian")
    response = librarian.http.post(
        console.base + "/seeds/import",
        data={"csrf_token": librarian.csrf_token("/seeds")},
        files={"file": ("many.csv", "\n".join(rows).encode())},
        timeout=30,
    )
    assert _page(response).cssselect("#import-summary")[0].get("data-imported") == "75"
    first = _page(librarian.get("/seeds?q=正定分页"))
    assert len(_seed_ids(first)) == 50
    assert "共 75 个种子站点" in first.cssselect("nav.pages")[0].text_content()
    (next_link,) = first.cssselect("nav.pages a[rel=next]")
    second = _page(librarian.get(next_link.get("href")))
    assert len(_seed_ids(second)) == 25 and not set(_seed_ids(first)) & set(_seed_ids(second))
    assert (
        len(_seed_ids(_page(librarian.get("/seeds?q=正定分页&collection=govinfo&schedule=daily"))))
        == 7
    )
    assert (
        len(_seed_ids(_page(librarian.get("/seeds?jurisdiction=130123&state=never&q=分页")))) == 50
    )
    bad = _page(librarian.get("/seeds?jurisdiction=abc"))
    assert bad.cssselect("p.field-error[data-field=jurisdiction]")
    export = librarian.get("/seeds/export?format=csv&q=正定分页&schedule=daily")
    assert export.text.count("\n") == 1 + 15


def test_the_jurisdiction_picker_searches_by_name_or_code(console):
    librarian = console.browser("sjz-librarian")
    page = _page(librarian.get("/seeds/new"))
    codes = [o.get("value") for o in page.cssselect("datalist#jurisdiction-options option")]
    assert (
        "130100" in codes and "130123" in codes and "130200" not in codes and "210000" not in codes
    )
    assert page.cssselect("[name=jurisdiction]")[0].get("list") == "jurisdiction-options"
    found = _page(librarian.get("/jurisdictions?q=1301"))
    assert "130123" in [
        tr.get("data-code") for tr in found.cssselect("#jurisdictions-table tr[data-code]")
    ]
    cities = _page(librarian.get("/jurisdictions?parent=130000"))
    assert "130100" in [tr.get("data-code") for tr in cities.cssselect("tr[data-code]")]
    provinces = _page(librarian.get("/jurisdictions"))
    assert len(provinces.cssselect("tr[data-code]")) >= 31


@pytest.mark.slow
def test_the_seed_pages_in_chromium(console, tmp_path: Path):
    from console_helpers import PASSWORD
    from page_shots import chromium, fill_login, screenshot_path

    seed_list = tmp_path / "种子站点.csv"
    seed_list.write_text(
        IMPORT_CSV
        + "https://www.gaocheng.gov.cn/,藁城区人民政府,130109,govinfo,daily\n"
        + "https://www.luquan.gov.cn/,鹿泉区人民政府,130110,govinfo,0 3 * * 1-5\n",
        encoding="utf-8",
    )
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(console.base + "/login?next=/seeds")
        fill_login(page, "sjz-librarian", PASSWORD)
        page.wait_for_url(console.base + "/seeds")
        page.locator("#import-form input[type=file]").set_input_files(str(seed_list))
        page.locator("#import-form button").click()
        page.wait_for_selector("#import-summary")
        assert "错误 1 处" in page.locator("#import-summary").inner_text()
        assert page.locator("#import-errors tbody tr").count() == 1
        assert page.locator("#seeds-table tr[data-seed-id]").count() >= 4
        page.screenshot(path=str(screenshot_path("seeds")), full_page=True)

        page.get_by_role("link", name="藁城区人民政府").click()
        page.wait_for_selector("#seed-form")
        page.locator("summary", has_text="声明的列表页").click()
        page.locator("[name=listing_url]").fill(
            "https://www.gaocheng.gov.cn/zwgk/index_{page}.html"
        )
        page.locator("[name=jurisdiction]").fill("210200")
        page.get_by_role("button", name="保存").click()
        error = page.locator("p.field-error[data-field=jurisdiction]")
        assert "不在石家庄市图书馆的辖区" in error.inner_text()
        assert page.locator("p.field-error[data-field=listing_last]").count() == 1
        page.screenshot(path=str(screenshot_path("seed")), full_page=True)
    assert screenshot_path("seeds").stat().st_size > 10_000
