"""URL-prefix search on SQLite and PostgreSQL against a direct ``LIKE`` over the captures:
URLs longer than PostgreSQL's indexed head (``PG_URL_PREFIX``), and prefixes holding the
``LIKE`` wildcards ``%`` and ``_``. The catalogue is filled at migration 0007 and then
upgraded, so PostgreSQL's ``url_head`` is computed for captures that were already there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from databases import BACKENDS, empty_database
from search_data import add_libraries_and_users, fill
from sqlalchemy import and_, func, inspect, select, text, union

from diancang.accounts.models import User
from diancang.catalog.db import Catalog, alembic_config, upgrade
from diancang.catalog.models import Capture, Record, WarcFile
from diancang.catalog.search import SearchQuery, search
from diancang.catalog.search_index import PG_URL_PREFIX, URL_INDEX
from diancang.review.states import REJECTED

SITE = "http://www.sjz.gov.cn"
LONG = f"{SITE}/long/" + "x" * (PG_URL_PREFIX + 100)  # longer than the indexed head
FORKED = LONG[: PG_URL_PREFIX + 6] + "y" * 50  # the same head as LONG, then other text
URLS = [
    f"{SITE}/zwgk/100%_done/a.html",
    f"{SITE}/zwgk/100x-done/b.html",  # what an unescaped 100%_ would also find
    f"{SITE}/zwgk/100ab/c.html",
    f"{SITE}/zwgk/a_b/d.html",
    f"{SITE}/zwgk/axb/e.html",
    f"{SITE}/zwgk/back\\slash/f.html",
    f"{LONG}/1.html",
    f"{LONG}/2.html",
    f"{LONG}/100%_x.html",
    f"{LONG}/100ab.html",
    f"{FORKED}/3.html",
]
PREFIXES = [
    f"{SITE}/zwgk/2021/",
    f"{SITE}/zwgk/",
    f"{SITE}/zwgk/100%_",
    f"{SITE}/zwgk/100%",
    f"{SITE}/zwgk/a_b",
    f"{SITE}/zwgk/back\\slash",
    "http://WWW.SJZ.GOV.CN/zwgk/",  # URLs compare exactly
    LONG,
    f"{LONG}/2",
    f"{LONG}/100%_",
    LONG[:PG_URL_PREFIX],
    LONG[: PG_URL_PREFIX + 1],
    FORKED,
]


@pytest.fixture(scope="module", params=BACKENDS)
def catalog(request, tmp_path_factory) -> Iterator[Catalog]:
    server = request.getfixturevalue("postgres_server") if request.param != "sqlite" else None
    with empty_database(request.param, tmp_path_factory.mktemp("url-prefix"), server) as url:
        upgrade(url, "0007")
        catalog = Catalog(url, migrate=False)
        with catalog.session() as db:
            fill(db, 300, add_libraries_and_users(db))
            _add_records_at(db, URLS)
        upgrade(url)
        yield catalog
        catalog.dispose()


def _add_records_at(db, urls: list[str]) -> None:
    when = datetime(2026, 6, 2)
    warc = WarcFile(name="long-urls.warc.gz", path="/dev/null", size=0, ingested_at=when)
    db.add(warc)
    for offset, url in enumerate(urls):
        record = Record(
            kind="govinfo", datestamp=when, created_at=when, title=f"网页 {offset}",
            province_code="130000", city_code="130100", jurisdiction_code="130100",
        )  # fmt: skip
        db.add(record)
        db.flush()
        db.add(
            Capture(
                warc_file_id=warc.id, offset=offset, length=1, warc_type="response", url=url,
                url_hash=f"{offset:040d}", captured_at=when, replay_url=f"/replay/{url}",
                record_id=record.id,
            )
        )  # fmt: skip


def _direct_matches(db, prefix: str) -> set[int]:
    """The live records with a capture whose URL starts with ``prefix``, by a plain LIKE
    (and ``substr``, since SQLite's LIKE ignores case)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    starts = and_(
        Capture.url.like(escaped + "%", escape="\\"),
        func.substr(Capture.url, 1, len(prefix)) == prefix,
    )
    linked = union(
        select(Capture.record_id).where(starts), select(Capture.site_record_id).where(starts)
    )
    return set(
        db.scalars(
            select(Record.id).where(
                Record.id.in_(linked), Record.deleted.is_(False), Record.review_state != REJECTED
            )
        )
    )


@pytest.mark.parametrize("prefix", PREFIXES, ids=range(len(PREFIXES)))
def test_prefix_results_equal_a_direct_like(catalog, prefix):
    with catalog.session() as db:
        admin = db.scalar(select(User).where(User.username == "admin"))
        results = search(db, SearchQuery(q=prefix), admin)  # past from_args' 500 characters
        expected = _direct_matches(db, prefix)
    assert results.total == len(expected)
    found = {hit.record.id for hit in results.hits}
    assert found <= expected and len(found) == min(len(expected), 20)


def test_wildcards_and_the_indexed_head_are_told_apart(catalog):
    """The direct LIKE above is itself checked: these prefixes find what their text says."""
    with catalog.session() as db:
        count = {prefix: len(_direct_matches(db, prefix)) for prefix in PREFIXES}
    assert count[f"{SITE}/zwgk/100%_"] == 1
    assert count[f"{SITE}/zwgk/100%"] == 1
    assert count[f"{SITE}/zwgk/a_b"] == 1
    assert count[f"{SITE}/zwgk/back\\slash"] == 1
    assert count["http://WWW.SJZ.GOV.CN/zwgk/"] == 0
    assert count[LONG] == 4 and count[f"{LONG}/2"] == 1 and count[f"{LONG}/100%_"] == 1
    assert count[LONG[:PG_URL_PREFIX]] == count[LONG[: PG_URL_PREFIX + 1]] == 5
    assert count[FORKED] == 1
    assert count[f"{SITE}/zwgk/"] > 20 and count[f"{SITE}/zwgk/2021/"] > 0


def test_postgresql_reads_a_prefix_from_a_covering_index_on_url_head(catalog):
    with catalog.session() as db:
        if db.get_bind().dialect.name == "sqlite":
            columns = [row[2] for row in db.execute(text(f"PRAGMA index_info({URL_INDEX})"))]
            assert columns == ["url", "record_id", "site_record_id"]
            return
        definition = db.scalar(text(f"SELECT pg_get_indexdef('{URL_INDEX}'::regclass)"))
        assert "(url_head text_pattern_ops) INCLUDE (record_id, site_record_id)" in definition
        db.execute(text("SET LOCAL enable_seqscan = off"))  # a small table: no index otherwise
        db.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = "\n".join(
            db.scalars(
                text(
                    "EXPLAIN SELECT record_id, site_record_id FROM catalog_captures"
                    " WHERE url_head LIKE 'http://www.sjz.gov.cn/zwgk/%'"
                )
            )
        )
        assert f"Index Only Scan using {URL_INDEX}" in plan


def test_the_migration_downgrades_and_upgrades_again(catalog):
    from alembic import command

    command.downgrade(alembic_config(catalog.url), "0007")
    try:
        with catalog.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("catalog_captures")}
            indexes = {i["name"] for i in inspect(connection).get_indexes("catalog_captures")}
        assert "url_head" not in columns and URL_INDEX in indexes
    finally:
        upgrade(catalog.url)
    test_prefix_results_equal_a_direct_like(catalog, LONG)
