"""The revisit-dedup index shared in PostgreSQL (DIANCANG_DEDUP_URL), beside the SQLite one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
from crawl_helpers import (
    assert_recrawl_stores_revisits,
    crawl_env,
    diancang,
    run_crawl_cli,
    write_demo_seed_list,
)
from databases import fresh_database
from ports import free_port

from diancang.crawler.warc.captures import Capture
from diancang.crawler.warc.dedup import Original
from diancang.crawler.warc.revisit_index import (
    DEDUP_URL_SETTING,
    DedupUnavailable,
    RevisitIndexes,
    check,
)

DIGESTS = 400


@pytest.fixture(scope="module")
def dedup_url(postgres_server):
    with fresh_database(postgres_server, "dedup_test") as url:
        yield url


@pytest.mark.slow
def test_crawls_on_two_machines_share_the_postgres_index(dedup_url, demo_portal, tmp_path):
    """Two crawls of the demo portal in two data directories (two machines): the second
    stores revisits of what the first stored, as a recrawl does with the SQLite index."""
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    env = {DEDUP_URL_SETTING: dedup_url}
    first = run_crawl_cli(first_dir, write_demo_seed_list(first_dir, demo_portal), **env)
    second = run_crawl_cli(second_dir, write_demo_seed_list(second_dir, demo_portal), **env)
    assert_recrawl_stores_revisits(first.report, second.report)
    assert not list(second_dir.glob("dedup/*.sqlite")), "the SQLite index was used"


WRITER = """
import sys
from pathlib import Path
from diancang.crawler.warc.captures import Capture
from diancang.crawler.warc.dedup import Original
from diancang.crawler.warc.revisit_index import RevisitIndexes

url, directory, worker, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
indexes = RevisitIndexes(url, directory)
payloads, captures = indexes.payloads("coll"), indexes.captures("coll")
for i in range(count):
    digest = f"sha1:{i:032d}"
    # as the sink does: look up, write the record (here: nothing), then add
    original = payloads.lookup(digest)
    if original is None:
        original = Original(f"http://example.org/{i}", f"date-{worker}", f"<urn:{worker}:{i}>")
        payloads.add(digest, original)
    captures.add(f"http://example.org/{i}", Capture(None, None, digest, original))
    captures.add_listing_page(f"http://example.org/list/{i}")
indexes.close()
"""


def _writers(url: str, directory: Path) -> list[subprocess.Popen]:
    script = textwrap.dedent(WRITER)
    return [
        subprocess.Popen(
            [sys.executable, "-c", script, url, str(directory), worker, str(DIGESTS)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in ("a", "b")
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_writers_never_fail_and_leave_one_original_per_digest(
    backend, request, tmp_path
):
    url = request.getfixturevalue("dedup_url") if backend == "postgresql" else ""
    if url:
        with psycopg.connect(url, autocommit=True) as conn:  # shared with the module
            conn.execute("DROP TABLE IF EXISTS dedup_payloads, dedup_captures, dedup_listing_pages")
    writers = _writers(url, tmp_path)
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr
    indexes = RevisitIndexes(url, tmp_path)
    payloads, captures = indexes.payloads("coll"), indexes.captures("coll")
    try:
        for i in range(DIGESTS):
            original = payloads.lookup(f"sha1:{i:032d}")
            # whole: every field of the one row comes from the same writer
            worker = original.date.removeprefix("date-")
            assert original == Original(
                f"http://example.org/{i}", f"date-{worker}", f"<urn:{worker}:{i}>"
            )
            capture = captures.lookup(f"http://example.org/{i}")
            assert capture.digest == f"sha1:{i:032d}"
            assert captures.was_listing_page(f"http://example.org/list/{i}")
        assert payloads.lookup("sha1:unknown") is None
        assert not captures.was_listing_page("http://example.org/0")
    finally:
        indexes.close()
    if url:
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT count(*), count(DISTINCT digest) FROM dedup_payloads")
            assert rows.fetchone() == (DIGESTS, DIGESTS)


def test_the_last_capture_of_a_url_replaces_the_earlier_one(dedup_url, tmp_path):
    indexes = RevisitIndexes(dedup_url, tmp_path)
    try:
        captures = indexes.captures("replace")
        other = indexes.captures("another-collection")
        first = Capture('"v1"', None, "sha1:A", Original("http://x/", "d1", "<urn:1>"))
        second = Capture('"v2"', "Tue", "sha1:B", Original("http://x/", "d2", "<urn:2>"))
        captures.add("http://x/", first)
        captures.add("http://x/", second)
        assert captures.lookup("http://x/") == second
        assert other.lookup("http://x/") is None  # collections do not share rows
    finally:
        indexes.close()


def test_an_unreachable_dedup_database_stops_the_crawl_before_it_writes(tmp_path, demo_portal):
    url = f"postgresql://diancang:secret-word@127.0.0.1:{free_port()}/dedup"
    seeds = write_demo_seed_list(tmp_path, demo_portal)
    result = diancang(
        "crawl", str(seeds), env=crawl_env(tmp_path, **{DEDUP_URL_SETTING: url}), timeout=60
    )
    assert result.returncode != 0
    assert DEDUP_URL_SETTING in result.stderr
    assert "secret-word" not in result.stderr
    assert not list(tmp_path.rglob("*.warc*")), "the crawl wrote before checking its index"
    assert not (tmp_path / "jobs").exists()


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "sqlite:///dedup.sqlite"])
def test_a_dedup_url_that_is_not_postgresql_is_refused_by_name(url):
    with pytest.raises(DedupUnavailable, match=DEDUP_URL_SETTING):
        check(url)
