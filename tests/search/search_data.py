"""A generated catalogue for the search tests and benchmark: libraries of two provinces, an
account of each role, and records with captures, bulk-inserted (the index triggers run)."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from diancang.catalog.jurisdiction import place_of
from diancang.catalog.models import Capture, Record, WarcFile
from diancang.pywb_collections import replay_url
from diancang.review.states import APPROVED, PENDING, REJECTED

RECORDS = 4000  # the tests' catalogue
PASSWORD = "长城-great-wall-2026"
REPLAY_BASE = "http://127.0.0.1:8080/"
LIBRARIES = [  # name, level, jurisdiction, parent
    ("河北省图书馆", "province", "130000", None),
    ("石家庄市图书馆", "city", "130100", "河北省图书馆"),
    ("正定县图书馆", "county", "130123", "石家庄市图书馆"),
    ("辽宁省图书馆", "province", "210000", None),
]
USERS = [  # username, role, library
    ("admin", "admin", None),
    ("hebei-auditor", "auditor", "河北省图书馆"),
    ("sjz-librarian", "librarian", "石家庄市图书馆"),
    ("ln-librarian", "librarian", "辽宁省图书馆"),
]
# jurisdiction -> (host of its site, libraries that may own its records; None: no library)
PLACES = {
    "130000": ("www.hebei.gov.cn", ["河北省图书馆", None]),
    "130100": ("www.sjz.gov.cn", ["石家庄市图书馆", "石家庄市图书馆", None]),
    "130123": ("www.zd.gov.cn", ["正定县图书馆", "石家庄市图书馆", None]),
    "130200": ("www.tangshan.gov.cn", ["河北省图书馆", None]),
    "210000": ("www.ln.gov.cn", ["辽宁省图书馆", None]),
    "210100": ("www.shenyang.gov.cn", ["辽宁省图书馆", None]),
}
TOPICS = [
    "做好政务公开工作", "加强安全生产监督管理", "印发教育事业发展规划", "推进乡村振兴战略",
    "加强医疗保障基金监管", "优化营商环境", "开展爱国卫生运动", "做好防汛抗旱工作",
    "公布政府信息公开目录", "实施城镇老旧小区改造",
]  # fmt: skip
FORMS = ["通知", "意见", "实施办法", "公告", "批复"]
AGENCIES = ["人民政府办公室", "教育局", "卫生健康委员会", "应急管理局", "住房和城乡建设局"]
FILLER = "各有关单位要高度重视，认真组织实施，确保各项工作落到实处。"
RARE = "黄河流域生态保护"  # in the body of every RARE_EVERY-th record
RARE_EVERY = 97
WITHDRAWN_EVERY = 101
REJECTED_EVERY, APPROVED_EVERY = 29, 7  # review states: rejected, approved, else pending
COPIED_EVERY = 250  # that record carries the 索引号 of the one before (查重)
_vocabulary = random.Random(7)
VOCABULARY = [  # common words and random pairs of CJK characters, for long bodies
    *"政府 信息 公开 通知 工作 推进 加强 管理 服务 建设 发展 改革 落实 实施 方案".split(),
    *(chr(_vocabulary.randrange(0x4E00, 0x9FA5)) + chr(_vocabulary.randrange(0x4E00, 0x9FA5))
      for _ in range(5000)),
]  # fmt: skip
UNSAFE_TITLE = "关于<b>做好</b>政务公开工作的通知 & 附件"


@dataclass
class Generated:
    library_ids: dict[str, int]
    record_count: int


def add_libraries_and_users(session) -> dict[str, int]:
    from diancang.accounts.libraries import add_library
    from diancang.accounts.users import add_user

    ids = {}
    for name, level, code, parent in LIBRARIES:
        ids[name] = add_library(session, name, level, code, parent=parent).id
    for username, role, library in USERS:
        add_user(session, username, role, PASSWORD, library)
    return ids


def record_rows(
    count: int, library_ids: dict[str, int], seed: int = 14, body_chars: int = 0, start: int = 0
):
    """``count`` record rows (dicts for a bulk insert), each with its capture's URL; with
    ``body_chars``, bodies of that length padded with random two-character words."""
    rng = random.Random(seed)
    codes = sorted(PLACES)
    created = datetime(2026, 6, 1)
    previous_index_no = None
    for i in range(start, start + count):
        code = codes[i % len(codes)]
        host, owners = PLACES[code]
        owner = owners[rng.randrange(len(owners))]
        place = place_of(code)
        year = 2019 + rng.randrange(8)
        topic = TOPICS[rng.randrange(len(TOPICS))]
        title = UNSAFE_TITLE if i == 7 else f"关于{topic}的{FORMS[rng.randrange(len(FORMS))]}"
        body = f"{place.name}{topic}。{FILLER}"
        if i % RARE_EVERY == 3:
            body += f"加强{RARE}，推动高质量发展。"
        if body_chars:
            words = [VOCABULARY[rng.randrange(len(VOCABULARY))] for _ in range(body_chars // 2)]
            body = (body + "".join(words))[:body_chars]
        index_no = f"{code}-{year}-{i:07d}"
        if i % COPIED_EVERY == 1 and previous_index_no:
            index_no = previous_index_no
        previous_index_no = index_no
        agency = (place.name or code) + AGENCIES[rng.randrange(len(AGENCIES))]
        pub_date = (
            None if i % 53 == 0 else f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
        )
        collection = "webarchive" if i % 17 == 0 else "govinfo"
        yield {
            "id": i + 1,
            "kind": "website" if collection == "webarchive" else "govinfo",
            "datestamp": created + timedelta(seconds=i),
            "created_at": created + timedelta(seconds=i),
            "deleted": i % WITHDRAWN_EVERY == 0,
            "review_state": REJECTED
            if i % REJECTED_EVERY == 5
            else APPROVED
            if i % APPROVED_EVERY == 0
            else PENDING,
            "library_id": library_ids.get(owner) if owner else None,
            "collection": collection,
            "jurisdiction_code": code,
            "jurisdiction_name": place.name,
            "province_code": place.province,
            "city_code": place.city,
            "title": title,
            "index_no": index_no,
            "agency": agency,
            "doc_number": f"{code[:2]}政办〔{year}〕{i % 89 + 1}号",
            "pub_date": pub_date,
            "body": body,
            "source_url": f"http://{host}/zwgk/{year}/{i}.html",
            "raw_values": {},
            "provenance": {},
        }


def capture_row(row: dict, warc_file_id: int, offset: int) -> dict:
    """The one capture of a generated record ``row``."""
    when, url = row["created_at"], row["source_url"]
    return {
        "id": row["id"],
        "warc_file_id": warc_file_id,
        "offset": offset,
        "length": 1,
        "warc_type": "response",
        "url": url,
        "url_hash": f"{offset:040d}",
        "captured_at": when,
        "status": 200,
        "collection": row["collection"],
        "jurisdiction": row["jurisdiction_code"],
        "replay_url": replay_url(
            REPLAY_BASE, row["collection"], row["jurisdiction_code"], when, url
        ),
        "record_id": row["id"] if row["kind"] == "govinfo" else None,
        "site_record_id": row["id"] if row["kind"] == "website" else None,
    }


def _warc_file(session, start: int) -> int:
    warc = WarcFile(
        name=f"generated-{start}.warc.gz", path="/dev/null", size=0,
        ingested_at=datetime(2026, 6, 1),
    )  # fmt: skip
    session.add(warc)
    session.flush()
    return warc.id


def fill(
    session, count: int, library_ids: dict[str, int], chunk: int = 5000, start: int = 0, **options
) -> int:
    """Insert ``count`` records (numbered from ``start``), one capture each, through
    SQLAlchemy (the search index's triggers run)."""
    warc_file_id = _warc_file(session, start)
    rows = record_rows(count, library_ids, start=start, **options)
    while part := list(itertools.islice(rows, chunk)):
        session.execute(insert(Record.__table__), part)
        captures = [capture_row(row, warc_file_id, row["id"]) for row in part]
        session.execute(insert(Capture.__table__), captures)
    _advance_sequences(session.connection())
    return count


def bulk_load(session, count: int, library_ids: dict[str, int], start: int = 0, **options):
    """The rows of ``fill`` written by the driver directly (PostgreSQL: ``COPY``), for the
    benchmark's 10^6 records; the caller drops the search index first."""
    warc_file_id = _warc_file(session, start)
    connection = session.connection()
    raw = connection.connection.driver_connection
    postgres = connection.dialect.name == "postgresql"
    rows = record_rows(count, library_ids, start=start, **options)
    while part := list(itertools.islice(rows, 20_000)):
        captures = [capture_row(row, warc_file_id, row["id"]) for row in part]
        for name, items in (("catalog_records", part), ("catalog_captures", captures)):
            columns = list(items[0])
            names = ", ".join(f'"{c}"' for c in columns)  # "offset" is a reserved word
            values = [tuple(_driver_value(item[c], postgres) for c in columns) for item in items]
            if postgres:
                with raw.cursor().copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join("?" for _ in columns)
                raw.executemany(f"INSERT INTO {name} ({names}) VALUES ({marks})", values)
    _advance_sequences(connection)


def _advance_sequences(connection) -> None:
    """PostgreSQL: move the id sequences past the explicit ids the rows carry."""
    if connection.dialect.name != "postgresql":
        return
    for name in ("catalog_records", "catalog_captures"):
        sequence = f"pg_get_serial_sequence('{name}', 'id')"
        connection.exec_driver_sql(f"SELECT setval({sequence}, (SELECT max(id) FROM {name}))")


def _driver_value(value, postgres: bool):
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, datetime) and not postgres:  # SQLAlchemy's SQLite spelling
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def all_records(session) -> list[Record]:
    return list(session.scalars(select(Record).order_by(Record.id)))
