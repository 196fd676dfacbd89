"""The seed registry on SQLite and PostgreSQL: validation as seed lists, one URL per library,
seed keys unique across libraries, imports with a per-row report, exports that import back."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from diancang.accounts.libraries import add_library, find_library
from diancang.jobs.models import CrawlJob, JobSeed
from diancang.registry.exports import export_seeds
from diancang.registry.imports import import_seeds
from diancang.registry.keys import url_key
from diancang.registry.listing import SeedFilters, seed_page
from diancang.registry.models import RegisteredSeed
from diancang.registry.service import (
    Registry,
    SeedRejected,
    also_registered_by,
    delete_seed,
    raw_seed,
)

SJZ = "石家庄市图书馆"
GOOD_CSV = """url,title,jurisdiction,collection,schedule,depth
https://www.sjz.gov.cn/,石家庄市人民政府,130100,govinfo,monthly,3
https://www.sjzzd.gov.cn/zwgk/index.html,正定县政府信息公开,130123,govinfo,,
https://www.hebeilib.cn/,不是本馆的,130000,webarchive,,
https://sjzmuseum.cn/,石家庄博物馆,130102,webarchive,weekly,deep
"""


@pytest.fixture
def libraries(catalog):
    with catalog.session() as db:
        add_library(db, "河北省图书馆", "province", "130000")
        add_library(db, SJZ, "city", "130100", parent="河北省图书馆")
        add_library(db, "辽宁省图书馆", "province", "210000")
    return catalog


def _import(catalog, library: str, name: str, data: bytes):
    with catalog.session() as db:
        return import_seeds(db, find_library(db, library), name, data).as_json()


def _seeds(catalog, library: str | None = None) -> dict[str, dict]:
    with catalog.session() as db:
        query = select(RegisteredSeed).order_by(RegisteredSeed.id)
        if library:
            query = query.where(RegisteredSeed.library_id == find_library(db, library).id)
        return {s.url: {**s.fields, "seed_key": s.seed_key} for s in db.scalars(query)}


def _create(catalog, library: str, **row):
    with catalog.session() as db:
        seed = Registry(db, find_library(db, library)).create(raw_seed(row))
        db.flush()
        return seed.id, seed.seed_key


def test_a_csv_import_registers_good_rows_and_reports_each_bad_one(libraries):
    report = _import(libraries, SJZ, "seeds.csv", GOOD_CSV.encode())
    assert report["imported"] == 2 and report["updated"] == 0
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (4, "jurisdiction"),
        (5, "depth"),
    ]
    assert "不在石家庄市图书馆的辖区" in report["errors"][0]["message"]
    assert "'deep' is not an integer" in report["errors"][1]["message"]
    seeds = _seeds(libraries)
    assert set(seeds) == {"https://www.sjz.gov.cn/", "https://www.sjzzd.gov.cn/zwgk/index.html"}
    assert seeds["https://www.sjz.gov.cn/"]["depth"] == "3"
    assert seeds["https://www.sjz.gov.cn/"]["seed_key"] == "www.sjz.gov.cn"


def test_importing_again_updates_and_never_duplicates(libraries):
    _import(libraries, SJZ, "seeds.csv", GOOD_CSV.encode())
    changed = GOOD_CSV.replace(
        "石家庄市人民政府,130100,govinfo,monthly,3", "石家庄市政府,130100,govinfo,daily,4"
    )
    changed = changed.replace("https://www.sjz.gov.cn/", "HTTPS://WWW.SJZ.GOV.CN:443")  # same URL
    report = _import(libraries, SJZ, "again.csv", changed.encode())
    assert report["imported"] == 0 and report["updated"] == 2
    seeds = _seeds(libraries)
    assert len(seeds) == 2
    (sjz,) = [s for s in seeds.values() if s["seed_key"] == "www.sjz.gov.cn"]
    assert (sjz["title"], sjz["schedule"], sjz["depth"]) == ("石家庄市政府", "daily", "4")
    twice = "url,title,jurisdiction,collection\nhttps://a.sjz.gov.cn/,A,130100,govinfo\nhttps://a.sjz.gov.cn,A2,130100,govinfo\n"
    report = _import(libraries, SJZ, "twice.csv", twice.encode())
    assert report["imported"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "url")]
    assert "第 2 行" in report["errors"][0]["message"]


def test_yaml_and_xlsx_seed_lists_import_like_csv(libraries):
    yaml_text = """seeds:
  - url: https://www.sjz.gov.cn/
    title: 石家庄市人民政府
    jurisdiction: "130100"
    collection: govinfo
    scope: {mode: host, exclude: ['\\.pdf$', '/print/']}
    limits: {depth: 2}
    listing: {url: "https://www.sjz.gov.cn/zwgk/index_{page}.html", first: 1, last: 60}
    recrawl: changed
  - url: https://www.sjz.gov.cn/other
    title: 坏
    jurisdiction: "210000"
    collection: govinfo
"""
    report = _import(libraries, SJZ, "seeds.yaml", yaml_text.encode())
    assert report["imported"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(12, "jurisdiction")]
    row = _seeds(libraries)["https://www.sjz.gov.cn/"]
    assert row["exclude"] == "\\.pdf$ /print/" and row["depth"] == "2"
    assert (row["listing_url"], row["listing_last"], row["recrawl"]) == (
        "https://www.sjz.gov.cn/zwgk/index_{page}.html",
        "60",
        "changed",
    )

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["url", "title", "jurisdiction", "collection", "depth", "listing_first", "schedule"]
    )
    sheet.append(["https://xlsx.sjz.gov.cn/", "表格导入", 130102, "webarchive", 5.0, None, None])
    sheet.append(
        ["https://bad.sjz.gov.cn/", "坏行", 130102, "webarchive", 1.5, None, datetime(2026, 1, 1)]
    )
    data = io.BytesIO()
    workbook.save(data)
    report = _import(libraries, SJZ, "seeds.xlsx", data.getvalue())
    assert report["imported"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "depth"), (3, "schedule")]
    assert "'1.5' is not an integer" in report["errors"][0]["message"]
    row = _seeds(libraries)["https://xlsx.sjz.gov.cn/"]
    assert (row["jurisdiction"], row["depth"]) == ("130102", "5")


def test_a_file_that_is_not_a_seed_list_is_reported_not_imported(libraries):
    for name, data, message in [
        ("seeds.txt", b"url\n", "不支持的文件格式"),
        ("seeds.xlsx", b"PK\x03\x04 not a zip", "not an XLSX workbook"),
        ("seeds.csv", "url,title\n".encode("utf-16"), "not UTF-8"),
        ("seeds.csv", b"title,url\nx,https://a.cn/\n", "missing required columns"),
        ("seeds.csv", b"x" * (8 * 2**20 + 1), "MiB"),
    ]:
        report = _import(libraries, SJZ, name, data)
        assert report["imported"] == 0 and len(report["errors"]) == 1, name
        assert message in report["errors"][0]["message"], (name, report)
    assert _seeds(libraries) == {}


def test_exports_import_back_to_the_same_seeds(libraries):
    _import(libraries, SJZ, "seeds.csv", GOOD_CSV.encode())
    _create(
        libraries,
        SJZ,
        url="https://www.sjz.gov.cn/api",
        title='JSON 列表, 带逗号 "引号"',
        jurisdiction="130100",
        collection="govinfo",
        browser="yes",
        extract='{"title": "css:h1"}',
        listing_url="https://www.sjz.gov.cn/api/list",
        listing_items="data.list[].url",
        listing_page_param="page",
    )
    before = _seeds(libraries)
    for format in ("csv", "xlsx"):
        with libraries.session() as db:
            seeds = list(db.scalars(select(RegisteredSeed)))
            data = export_seeds(seeds, format)
            for seed in seeds:
                delete_seed(db, seed)
        assert _seeds(libraries) == {}
        report = _import(libraries, SJZ, f"export.{format}", data)
        assert report == {"imported": 3, "updated": 0, "errors": []}, format
        assert _seeds(libraries) == before, format
        # and once more over the seeds it made: every seed updated, none added
        report = _import(libraries, SJZ, f"export.{format}", data)
        assert report == {"imported": 0, "updated": 3, "errors": []}, format


def test_an_exported_title_is_text_in_the_workbook_never_a_formula(libraries):
    _create(
        libraries,
        SJZ,
        url="https://f.sjz.gov.cn/",
        title='=HYPERLINK("x")',
        jurisdiction="130100",
        collection="govinfo",
    )
    with libraries.session() as db:
        data = export_seeds(list(db.scalars(select(RegisteredSeed))), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    title = sheet.cell(row=2, column=3)
    assert title.value == '=HYPERLINK("x")' and title.data_type == "s"


def test_a_jurisdiction_outside_the_library_is_refused_beside_its_field(libraries):
    with pytest.raises(SeedRejected) as rejected:
        _create(
            libraries,
            SJZ,
            url="https://www.dl.gov.cn/",
            title="大连",
            jurisdiction="210200",
            collection="govinfo",
            depth="x",
        )
    assert [(e.field, e.message[:6]) for e in rejected.value.errors] == [
        ("jurisdiction", "210200"),
        ("depth", "'x' is"),
    ]
    assert (
        "不在石家庄市图书馆的辖区（130100 河北省石家庄市）之内" in rejected.value.errors[0].message
    )
    # a province's library registers anywhere in its province
    _create(
        libraries,
        "河北省图书馆",
        url="https://www.zd.gov.cn/",
        title="正定",
        jurisdiction="130123",
        collection="govinfo",
    )


def test_the_same_url_is_refused_once_per_library_and_flagged_across_libraries(libraries):
    first = _create(
        libraries,
        SJZ,
        url="https://www.sjz.gov.cn/",
        title="石家庄",
        jurisdiction="130100",
        collection="govinfo",
    )
    with pytest.raises(SeedRejected) as rejected:
        _create(
            libraries,
            SJZ,
            url="https://WWW.SJZ.gov.cn",
            title="again",
            jurisdiction="130100",
            collection="govinfo",
        )
    assert [e.field for e in rejected.value.errors] == ["url"]
    assert "本馆已登记此网址" in rejected.value.errors[0].message
    other = _create(
        libraries,
        "河北省图书馆",
        url="https://www.sjz.gov.cn:443/",
        title="省馆也登记",
        jurisdiction="130100",
        collection="govinfo",
    )
    assert other[1] == "www.sjz.gov.cn-2"  # the derived key is unique across libraries
    with libraries.session() as db:
        seeds = list(db.scalars(select(RegisteredSeed).order_by(RegisteredSeed.id)))
        assert also_registered_by(db, seeds) == {first[0]: ["河北省图书馆"], other[0]: [SJZ]}
    with pytest.raises(SeedRejected) as rejected:
        _create(
            libraries,
            "辽宁省图书馆",
            id="www.sjz.gov.cn",
            url="https://www.ln.gov.cn/",
            title="辽宁",
            jurisdiction="210000",
            collection="govinfo",
        )
    assert [(e.field, e.message) for e in rejected.value.errors] == [
        ("id", "种子标识 www.sjz.gov.cn 已被其他图书馆的种子站点使用")
    ]


def test_url_keys_compare_scheme_host_port_and_trailing_slash_as_one():
    same = ["https://www.sjz.gov.cn", "HTTPS://WWW.sjz.gov.cn:443/", "https://www.sjz.gov.cn/#top"]
    assert len({url_key(u) for u in same}) == 1
    assert url_key("https://a.cn/x/?b=2&a=1") == url_key("https://a.cn/x?a=1&b=2")
    assert (
        len(
            {
                url_key(u)
                for u in ["http://a.cn/", "https://a.cn/", "https://a.cn:8443/", "https://a.cn/x"]
            }
        )
        == 4
    )


def test_schedule_changes_hand_the_next_run_back_to_the_scheduler(libraries):
    seed_id, _ = _create(
        libraries,
        SJZ,
        url="https://www.sjz.gov.cn/",
        title="石家庄",
        jurisdiction="130100",
        collection="govinfo",
        schedule="daily",
    )
    planned = datetime(2026, 12, 2, 18, 0)

    def update(**changes):
        with libraries.session() as db:
            seed = db.get(RegisteredSeed, seed_id)
            seed.next_run_at = seed.last_due_at = planned
            Registry(db, seed.library).update(seed, raw_seed({**seed.fields, **changes}))
        with libraries.session() as db:
            return db.get(RegisteredSeed, seed_id).next_run_at

    assert update(title="石家庄市人民政府") == planned  # not a schedule change
    assert update(schedule="weekly") is None
    assert update(timezone="Asia/Urumqi") is None
    with libraries.session() as db, pytest.raises(SeedRejected) as rejected:
        seed = db.get(RegisteredSeed, seed_id)
        Registry(db, seed.library).update(seed, raw_seed({**seed.fields, "id": "renamed"}))
    assert [e.field for e in rejected.value.errors] == ["id"]


def test_a_seed_with_a_queued_or_running_job_is_not_deleted(libraries):
    seed_id, seed_key = _create(
        libraries,
        SJZ,
        url="https://www.sjz.gov.cn/",
        title="石家庄",
        jurisdiction="130100",
        collection="govinfo",
    )
    with libraries.session() as db:
        seed = db.get(RegisteredSeed, seed_id)
        job = CrawlJob(
            library_id=seed.library_id,
            state="running",
            origin="manual",
            created_at=datetime(2026, 12, 1),
        )
        job.seeds.append(JobSeed(seed_id=seed_id, seed_key=seed_key))
        db.add(job)
    with libraries.session() as db, pytest.raises(SeedRejected) as rejected:
        delete_seed(db, db.get(RegisteredSeed, seed_id))
    assert "正在排队或运行" in rejected.value.errors[0].message
    with libraries.session() as db:
        db.scalars(select(CrawlJob)).one().state = "finished"
    with libraries.session() as db:
        delete_seed(db, db.get(RegisteredSeed, seed_id))
    with libraries.session() as db:
        assert db.scalar(select(func.count()).select_from(RegisteredSeed)) == 0
        (job_seed,) = db.scalars(select(JobSeed))
        assert (job_seed.seed_id, job_seed.seed_key) == (None, seed_key)


def test_the_list_searches_filters_and_pages(libraries):
    rows = ["url,title,jurisdiction,collection,schedule"]
    for n in range(120):
        jurisdiction = "130102" if n % 2 else "130100"
        collection = "govinfo" if n % 3 else "webarchive"
        schedule = "daily" if n < 5 else ""
        rows.append(f"https://s{n}.sjz.gov.cn/,站点{n},{jurisdiction},{collection},{schedule}")
    assert _import(libraries, SJZ, "many.csv", "\n".join(rows).encode())["imported"] == 120
    with libraries.session() as db:
        library_id = find_library(db, SJZ).id
        seeds = {s.title: s for s in db.scalars(select(RegisteredSeed))}
        job = CrawlJob(
            library_id=library_id, state="failed", origin="manual", created_at=datetime(2026, 12, 1)
        )
        db.add(job)
        db.flush()
        seeds["站点7"].last_job_id = job.id
    ids = frozenset([library_id])

    def titles(**args):
        filters, errors = SeedFilters.parse({k: str(v) for k, v in args.items()})
        assert errors == []
        with libraries.session() as db:
            page, total = seed_page(db, ids, filters)
            return [s.title for s, _ in page], total

    page, total = titles()
    assert total == 120 and len(page) == 50 and page[0] == "站点119"
    assert titles(page=3)[0] == [f"站点{n}" for n in range(19, -1, -1)]
    assert titles(q="站点11")[1] == 11  # 11, 110-119
    assert titles(q="S100.SJZ")[0] == ["站点100"]
    assert titles(q="%")[1] == 0
    assert titles(jurisdiction="130102")[1] == 60
    assert titles(jurisdiction="130100")[1] == 120  # the city and what lies inside it
    assert titles(collection="webarchive")[1] == 40
    assert titles(schedule="daily")[1] == 5 and titles(schedule="none")[1] == 115
    assert titles(state="failed") == (["站点7"], 1)
    assert titles(state="never")[1] == 119
    assert titles(library=str(library_id + 100))[1] == 0
    _, errors = SeedFilters.parse({"jurisdiction": "999999", "state": "lost"})
    assert [e.field for e in errors] == ["jurisdiction", "state"]
