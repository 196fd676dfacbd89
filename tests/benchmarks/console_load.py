"""Console load benchmark (run by hand, not collected by pytest):

    .venv/bin/python tests/benchmarks/console_load.py [--users 50] [--duration 60]
        [--think 1.0] [--seeds 10000] [--records 1000000] [--captures 100000]
        [--database-url URL] [--data-dir DIR] [--explain] [--workers N]

1. Builds a catalogue in a temporary data directory (SQLite, or ``--database-url`` for an
   empty PostgreSQL database): a provincial library with two city libraries, ``--seeds``
   registered seeds of the province's library, ``--records`` government-information
   records (most of them the province's, over this year and last), ``--captures`` captures
   of its seeds, and some crawl jobs. Rows are bulk-inserted.
2. Starts ``diancang serve`` on a loopback port as a subprocess, logs ``--users`` users in
   (admins, auditors and librarians), and for ``--duration`` seconds each user requests,
   in turn, the seed list (first pages and a search), ``/dashboard``, ``/api/dashboard``
   and ``/jobs``, pausing between two requests a random think time of 0.5 to 1.5 times
   ``--think`` seconds (as a person clicks); ``--think 0`` asks as fast as the answers come,
   which measures the server's throughput rather than what a user waits.
3. Prints per page: requests, p50 / p95 / max latency, errors (a status other than 200), and
   404s apart (pages not on this branch). ``--explain`` also prints the query plan of each
   dashboard measure. ``--data-dir DIR`` keeps the data directory, and a second run with
   the same DIR measures the catalogue built by the first instead of building one.
   ``--workers N`` sets the web server processes of ``diancang serve`` (gunicorn;
   default: ``[console] web_workers``). Before the clicks, all the users log in at once
   and the time that took is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: ports

from ports import free_port  # noqa: E402

from diancang.accounts.libraries import add_library  # noqa: E402
from diancang.accounts.users import add_user  # noqa: E402
from diancang.catalog.db import Catalog  # noqa: E402
from diancang.catalog.models import Capture, Record, WarcFile  # noqa: E402
from diancang.dashboard.figures import measure_statements  # noqa: E402
from diancang.jobs.models import CrawlJob  # noqa: E402
from diancang.registry.models import RegisteredSeed  # noqa: E402

DIANCANG = Path(sys.executable).with_name("diancang")
PASSWORD = "load-test-password-2026"
PROVINCE, COUNTIES = "重庆图书馆", ("万州区图书馆", "涪陵区图书馆")
PAGES = {
    "/seeds": "/seeds",
    "/seeds?page=2": "/seeds?page=2",
    "/seeds?q=": "/seeds?q=%E6%94%BF%E5%BA%9C",  # 政府
    "/dashboard": "/dashboard",
    "/api/dashboard": "/api/dashboard",
    "/jobs": "/jobs",
}
BATCH = 20_000


def build(url: str, seeds: int, records: int, captures: int) -> None:
    rng = random.Random(8)
    catalog = Catalog(url)
    now = datetime.now()
    start = datetime(now.year - 1, 1, 1)
    span = (now - start).total_seconds()
    try:
        with catalog.session() as db:
            province = add_library(db, PROVINCE, "province", "500000")
            counties = [
                add_library(db, name, "county", code, parent=PROVINCE)
                for name, code in zip(COUNTIES, ("500101", "500102"), strict=True)
            ]
            for n in range(50):
                role, library = [("admin", None), ("auditor", PROVINCE), ("librarian", PROVINCE)][
                    n % 3
                ]
                add_user(db, f"user{n}", role, PASSWORD, library)
            owners = [province.id] * 8 + [c.id for c in counties]
        engine = catalog.engine
        with engine.begin() as conn:
            rows = []
            for n in range(seeds):
                seed_url = f"http://site{n}.cq.gov.cn/"
                rows.append(dict(
                    library_id=province.id, seed_key=f"cq-{n}", url=seed_url,
                    url_key=hashlib.sha1(seed_url.encode()).hexdigest(),
                    title=f"重庆市政府网站 {n}", jurisdiction="500000",
                    collection="webarchive" if n % 2 else "govinfo", schedule="monthly",
                    timezone="Asia/Shanghai", fields={"id": f"cq-{n}", "url": seed_url},
                    created_at=now, updated_at=now,
                ))  # fmt: skip
            conn.execute(insert(RegisteredSeed), rows)
            conn.execute(
                insert(WarcFile),
                [dict(name="load.warc.gz", path="/load.warc.gz", size=1, ingested_at=now)],
            )
            for first in range(0, records, BATCH):
                batch = []
                for _ in range(min(BATCH, records - first)):
                    created = start + timedelta(seconds=rng.random() * span)
                    batch.append(dict(
                        kind="govinfo" if rng.random() < 0.9 else "website", datestamp=created,
                        created_at=created, deleted=rng.random() < 0.01,
                        library_id=rng.choice(owners), title="关于加强政务公开工作的通知",
                        jurisdiction_code="500000", raw_values={}, provenance={},
                    ))  # fmt: skip
                conn.execute(insert(Record), batch)
            for first in range(0, captures, BATCH):
                batch = []
                for n in range(first, min(captures, first + BATCH)):
                    page = f"http://site{n % seeds}.cq.gov.cn/{n}"
                    batch.append(dict(
                        warc_file_id=1, offset=n, length=1000, warc_type="response", url=page,
                        url_hash=hashlib.sha1(page.encode()).hexdigest(),
                        captured_at=start + timedelta(seconds=rng.random() * span),
                        status=200 if n % 10 else 404, seed=f"cq-{n % seeds}", replay_url=page,
                    ))  # fmt: skip
                conn.execute(insert(Capture), batch)
            conn.execute(insert(CrawlJob), [dict(
                library_id=province.id, state=rng.choice(["finished", "failed"]), origin="schedule",
                created_at=start + timedelta(days=n),
                finished_at=start + timedelta(days=n, hours=1),
                pages=10, bytes=1000, errors=0, pages_per_minute=1.0, warcs=[],
            ) for n in range(300)])  # fmt: skip
            conn.execute(text("ANALYZE"))  # planner statistics, as a live database has
    finally:
        catalog.dispose()


def explain(url: str) -> None:
    catalog = Catalog(url)
    year = datetime.now().year
    try:
        with catalog.engine.connect() as conn:
            prefix = "EXPLAIN QUERY PLAN" if conn.dialect.name == "sqlite" else "EXPLAIN ANALYZE"
            for name, statement in measure_statements(year).items():
                compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
                began = time.perf_counter()
                plan = conn.execute(text(f"{prefix} {compiled}")).all()
                took = time.perf_counter() - began
                print(f"-- {name} ({took * 1000:.0f} ms)")
                for row in plan:
                    print("   ", row[-1])
    finally:
        catalog.dispose()


def answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/", timeout=5):
            return True
    except OSError:
        return False


async def login(session: aiohttp.ClientSession, base: str, username: str) -> None:
    async with session.get(base + "/login") as response:
        page = await response.text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    async with session.post(base + "/login", data=form, allow_redirects=False) as response:
        assert response.status == 302, (username, response.status, await response.text())


async def clicks(
    session: aiohttp.ClientSession, base: str, until: float, results: dict, offset: int,
    think: float,
) -> None:  # fmt: skip
    names = list(PAGES)
    n = offset
    while time.monotonic() < until:
        name = names[n % len(names)]
        n += 1
        began = time.perf_counter()
        async with session.get(base + PAGES[name], allow_redirects=False) as response:
            await response.read()
            status = response.status
        results[name].append((time.perf_counter() - began, status))
        if think:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))


async def load(base: str, users: int, duration: float, think: float) -> dict:
    """Log every user in, then let them all click for ``duration`` seconds."""
    results: dict[str, list] = {name: [] for name in PAGES}
    sessions = [
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(users)
    ]
    try:
        began = time.perf_counter()  # logins are not what is measured, but they must work
        await asyncio.gather(*(login(s, base, f"user{n}") for n, s in enumerate(sessions)))
        print(f"{users} users logged in at once in {time.perf_counter() - began:.1f} s")
        until = time.monotonic() + duration
        await asyncio.gather(
            *(clicks(s, base, until, results, n, think) for n, s in enumerate(sessions))
        )
    finally:
        for session in sessions:
            await session.close()
    return results


def report(results: dict) -> None:
    print(f"{'page':<16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'errors':>6} {'404':>6}")  # fmt: skip
    for name, found in results.items():
        missing = sum(1 for _, status in found if status == 404)
        errors = sum(1 for _, status in found if status not in (200, 404))
        times = sorted(t for t, status in found if status != 404)
        if not times:
            print(f"{name:<16} {len(found):>8} {'-':>8} {'-':>8} {'-':>8} {errors:>6} {missing:>6}")
            continue
        p50 = statistics.median(times) * 1000
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
        print(f"{name:<16} {len(found):>8} {p50:>8.1f} {p95:>8.1f} {times[-1] * 1000:>8.1f} "
              f"{errors:>6} {missing:>6}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between clicks")
    parser.add_argument("--seeds", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--captures", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database (default: SQLite)")
    parser.add_argument("--data-dir", type=Path, help="kept, and reused when it holds one")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--workers", type=int, help="web server processes")
    args = parser.parse_args()

    root = args.data_dir or Path(tempfile.mkdtemp(prefix="diancang-load-"))
    try:
        data_dir = root / "data"
        url = args.database_url or f"sqlite:///{data_dir / 'catalog.sqlite'}"
        if not data_dir.exists():
            data_dir.mkdir(parents=True)
            began = time.perf_counter()
            build(url, args.seeds, args.records, args.captures)
            took = time.perf_counter() - began
            print(f"built the catalogue in {took:.0f} s ({url.split(':')[0]})", flush=True)
        if args.explain:
            explain(url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
        env.update(DIANCANG_DATA_DIR=str(data_dir), DIANCANG_DATABASE_URL=url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        if args.workers:
            env["DIANCANG_CONSOLE_WEB_WORKERS"] = str(args.workers)
        command = [str(DIANCANG), "serve", "--port", str(port)]
        with (root / "serve.log").open("wb") as log:
            server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while not answers(base):
                assert server.poll() is None and time.monotonic() < deadline, "serve failed"
                time.sleep(0.3)
            results = asyncio.run(load(base, args.users, args.duration, args.think))
        finally:
            server.terminate()
            server.wait(timeout=30)
        total = sum(len(found) for found in results.values())
        print(
            f"{args.users} users, think {args.think:g} s, {args.duration:.0f} s, "
            f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}): "
            f"{total / args.duration:.0f} requests/s"
        )
        report(results)
    finally:
        if args.data_dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
