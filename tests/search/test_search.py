"""Catalogue search over a generated catalogue of several thousand records, on SQLite and
PostgreSQL: every count is checked against the records read back from the database."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from databases import BACKENDS
from search_data import RARE, RECORDS, UNSAFE_TITLE
from sqlalchemy import func, inspect, select, text, update

from diancang.accounts.models import Library, User
from diancang.catalog import search as search_module
from diancang.catalog.duplicates import withdraw
from diancang.catalog.models import Capture, Record
from diancang.catalog.search import (
    NO_LIBRARY,
    PAGE_SIZE,
    SearchError,
    SearchQuery,
    duplicates_elsewhere,
    search,
    visible_records,
)
from diancang.catalog.search_index import (
    FTS_TABLE,
    PAIRS_TABLE,
    PG_PAIRS_COLUMN,
    PG_PAIRS_INDEX,
    PG_TEXT_INDEX,
    PG_TEXT_TABLE,
    create_pg_text,
    drop_pairs,
    drop_pg_text,
    pairs,
)
from diancang.review.states import REJECTED, STATE_NAMES, STATES


@dataclass(frozen=True)
class Row:
    """A record as read back from the database, for counting in Python."""

    id: int
    title: str
    body: str
    index_no: str
    doc_number: str
    agency: str
    library_id: int | None
    province: str
    city: str | None
    county: str
    collection: str
    year: str | None
    deleted: bool
    review: str
    urls: tuple[str, ...]


@pytest.fixture(scope="module")
def rows(searched) -> list[Row]:
    with searched.catalog.session() as db:
        urls: dict[int, list[str]] = {}
        for record_id, site_id, url in db.execute(
            select(Capture.record_id, Capture.site_record_id, Capture.url)
        ):
            urls.setdefault(record_id or site_id, []).append(url)
        return [
            Row(
                r.id, r.title or "", r.body or "", r.index_no, r.doc_number, r.agency,
                r.library_id, r.province_code, r.city_code, r.jurisdiction_code, r.collection,
                r.pub_date[:4] if r.pub_date else None, r.deleted, r.review_state,
                tuple(urls.get(r.id, ())),
            )
            for r in db.scalars(select(Record))
        ]  # fmt: skip


def run(searched, username: str = "admin", **args):
    with searched.catalog.session() as db:
        user = db.scalar(select(User).where(User.username == username))
        return search(db, SearchQuery.from_args(args), user)


def live(row: Row) -> bool:
    """Found by default: neither withdrawn nor rejected."""
    return not row.deleted and row.review != REJECTED


def has_words(row: Row, *words: str) -> bool:
    return all(w in row.title or w in row.body for w in words)


def test_the_catalogue_is_large_enough(rows):
    assert len(rows) == RECORDS


@pytest.mark.parametrize(
    "words",
    [("政务公开",), ("公开",), ("政",), (RARE,), ("生态保护", "发展"), ("公开", "目录的通知")],
    ids=["word", "two-characters", "one-character", "rare", "two-words", "short-and-long"],
)
def test_words_of_title_and_body_need_no_spaces(searched, rows, words):
    results = run(searched, q=" ".join(words))
    expected = {r.id for r in rows if live(r) and has_words(r, *words)}
    assert results.total == len(expected) > 0
    assert {hit.record.id for hit in results.hits} <= expected
    assert len(results.hits) == min(PAGE_SIZE, len(expected))


def test_results_with_the_words_in_their_title_come_first(searched, rows):
    results = run(searched, q="政务公开")
    in_title = sum(1 for r in rows if live(r) and "政务公开" in r.title)
    assert in_title >= PAGE_SIZE
    assert all("政务公开" in hit.record.title for hit in results.hits)
    found = run(searched, q="关于做好政务公开工作的通知")
    assert found.total and all(h.record.title.endswith("通知") for h in found.hits)


def test_matches_are_marked_and_everything_else_escaped(searched, rows):
    (unsafe,) = [r for r in rows if r.title == UNSAFE_TITLE]
    results = run(
        searched, q="做好 政务公开", jurisdiction=unsafe.county, agency=unsafe.agency,
        year=unsafe.year,
    )  # fmt: skip
    (hit,) = [h for h in results.hits if h.record.id == unsafe.id]
    assert str(hit.title) == (
        "关于&lt;b&gt;<mark>做好</mark>&lt;/b&gt;<mark>政务公开</mark>工作的通知 &amp; 附件"
    )
    assert "<mark>政务公开</mark>" in str(run(searched, q="政务公开").hits[0].title)


def test_exact_index_number_and_document_number(searched, rows):
    target = next(r for r in rows if live(r) and r.id % 7 == 3)
    results = run(searched, q=target.index_no)
    same_index = {r.id for r in rows if live(r) and r.index_no == target.index_no}
    assert {h.record.id for h in results.hits} == same_index and results.total == len(same_index)
    results = run(searched, q=target.doc_number)
    same_number = {r.id for r in rows if live(r) and r.doc_number == target.doc_number}
    assert results.total == len(same_number) > 0
    assert {h.record.id for h in results.hits} == same_number


def test_url_and_url_prefix(searched, rows):
    target = next(r for r in rows if live(r) and r.urls and r.collection == "govinfo")
    (url,) = target.urls
    assert [h.record.id for h in run(searched, q=url).hits] == [target.id]
    prefix = url.rsplit("/", 1)[0] + "/"
    expected = {r.id for r in rows if live(r) and any(u.startswith(prefix) for u in r.urls)}
    results = run(searched, q=prefix)
    assert results.total == len(expected) > 1
    assert run(searched, q=prefix.upper()).total == 0  # URLs compare exactly


def test_each_hit_carries_its_captures_and_replay_links(searched):
    results = run(searched, q="营商环境", collection="govinfo")
    for hit in results.hits:
        assert hit.captures, hit.record.id
        for capture in hit.captures:
            assert capture.replay_url.endswith(capture.url)
            assert f"/{capture.collection}-{capture.jurisdiction}/" in capture.replay_url


def _expected_facets(rows, query: SearchQuery, words: tuple[str, ...], visible) -> dict:
    """The facet counts computed in Python, by the rule of catalog.search's docstring."""

    def keep(row: Row, skip: str) -> bool:
        checks = {
            "withdrawn": row.deleted == query.withdrawn,
            "review_state": row.review == query.review_state if query.review_state
            else row.review != REJECTED,
            "jurisdiction": query.jurisdiction in (None, row.province, row.city, row.county),
            "collection": query.collection in (None, row.collection),
            "agency": query.agency in (None, row.agency),
            "year": query.year in (None, row.year),
            "library": query.library is None
            or (row.library_id is None if query.library == NO_LIBRARY else
                str(row.library_id) == query.library),
        }  # fmt: skip
        return all(ok for name, ok in checks.items() if name != skip or skip == "jurisdiction")

    found = [r for r in rows if visible(r) and has_words(r, *words)]
    level = "province" if query.jurisdiction is None else "city"
    key = {
        "jurisdiction": lambda r: getattr(r, level),
        "collection": lambda r: r.collection,
        "agency": lambda r: r.agency,
        "year": lambda r: r.year or "",
        "library": lambda r: str(r.library_id) if r.library_id else NO_LIBRARY,
        "withdrawn": lambda r: "1" if r.deleted else "0",
        "review_state": lambda r: r.review,
    }
    counts = {
        name: dict(Counter(get(r) for r in found if keep(r, name))) for name, get in key.items()
    }
    counts["jurisdiction"].pop(None, None)  # a province's own records lie in no city
    return counts


@pytest.mark.parametrize(
    "args",
    [{}, {"jurisdiction": "130000"}, {"jurisdiction": "130000", "year": "2024"},
     {"collection": "govinfo", "library": NO_LIBRARY}, {"withdrawn": "1"},
     {"review_state": "rejected"}, {"review_state": "approved", "jurisdiction": "210000"}],
    ids=["none", "province", "province-year", "collection-library", "withdrawn", "rejected",
         "approved-province"],
)  # fmt: skip
def test_facet_counts_equal_counts_in_the_database(searched, rows, args):
    results = run(searched, q="公开", **args)
    expected = _expected_facets(rows, results.query, ("公开",), lambda r: True)
    for name, values in results.facets.items():
        got = {v.value: v.count for v in values}
        want = expected[name]
        if name == "agency":  # the facet shows the largest agencies only
            assert all(want[value] == count for value, count in got.items()), name
            assert len(got) == min(len(want), 15)
        else:
            assert got == want, name
    assert results.total == expected["withdrawn"][args.get("withdrawn", "0")]


def test_the_review_state_facet_is_named_and_a_rejected_record_is_gone(searched, rows):
    results = run(searched, q="公开")
    labels = {v.value: v.label for v in results.facets["review_state"]}
    assert labels == {state: STATE_NAMES[state] for state in STATES}
    rejected = next(r for r in rows if r.review == REJECTED and not r.deleted)
    assert run(searched, q=rejected.index_no).total == 0
    found = run(searched, q=rejected.index_no, review_state=REJECTED)
    assert rejected.id in {h.record.id for h in found.hits}


# every record in sight, or a librarian's (on PostgreSQL the newest matches are taken
# before or after their records are joined); the pairs index, the trigram index
@pytest.mark.parametrize("word", ["公开", "政务公开"])
@pytest.mark.parametrize("username", ["admin", "sjz-librarian"])
def test_past_the_count_limit_everything_covers_the_newest_matches(
    searched, rows, monkeypatch, username, word
):
    limit = 60
    monkeypatch.setattr(search_module, "COUNT_LIMIT", limit)
    visible = (lambda r: True) if username == "admin" else _visible_to(searched, rows, username)
    matching = sorted((r for r in rows if visible(r) and has_words(r, word)), key=lambda r: -r.id)
    assert len(matching) > limit
    newest = matching[:limit]
    results = run(searched, username, q=word, jurisdiction="130000")
    assert results.capped
    expected = [r for r in newest if live(r) and r.province == "130000"]
    assert results.total == len(expected)
    assert {h.record.id for h in results.hits} <= {r.id for r in expected}
    years = Counter(r.year or "" for r in expected)
    assert {v.value: v.count for v in results.facets["year"]} == dict(years)
    assert not run(searched, q=RARE).capped


def test_the_jurisdiction_facet_drills_down_province_city_county(searched, rows):
    results = run(searched, q="通知", jurisdiction="130100")
    counties = {v.value: v.count for v in results.facets["jurisdiction"]}
    expected = Counter(
        r.county for r in rows if live(r) and r.city == "130100" and has_words(r, "通知")
    )
    expected.pop("130100")  # the city's own records: in the total, under no county
    assert counties == dict(expected) and "130123" in counties
    assert run(searched, q="通知", jurisdiction="130123").facets["jurisdiction"] == []


def test_a_withdrawn_record_is_gone_from_results(searched, rows):
    target = next(r for r in rows if live(r) and RARE in r.body)
    before = run(searched, q=RARE).total
    with searched.catalog.session() as db:
        withdraw(db, [target.id])
    try:
        results = run(searched, q=RARE)
        assert results.total == before - 1
        assert target.id not in {h.record.id for h in results.hits}
        assert run(searched, q=target.index_no).total == 0
        withdrawn = run(searched, q=target.index_no, withdrawn="1")
        assert [h.record.id for h in withdrawn.hits] == [target.id]
    finally:
        with searched.catalog.session() as db:
            db.get(Record, target.id).deleted = False


def _visible_to(searched, rows, username: str):
    with searched.catalog.session() as db:
        user = db.scalar(select(User).where(User.username == username))
        libraries = list(db.scalars(select(Library)))
    by_id = {lib.id: lib for lib in libraries}
    own = by_id[user.library_id]
    seen = {own.id}
    if user.role == "auditor":  # the province's library and every library under it
        seen |= {lib.id for lib in libraries if lib.parent_id == own.id}
        seen |= {lib.id for lib in libraries if lib.parent_id in seen}
    codes = {by_id[i].jurisdiction for i in seen}
    return lambda r: (
        r.library_id in seen
        or (r.library_id is None and bool({r.province, r.city, r.county} & codes))
    )


def _catalogue_at(url: str, revision: str, records: int):
    """The catalogue at ``url`` migrated up to ``revision`` only, filled with ``records``."""
    from search_data import add_libraries_and_users, fill

    from diancang.catalog.db import Catalog, upgrade

    upgrade(url, revision)
    catalog = Catalog(url, migrate=False)
    with catalog.session() as db:
        fill(db, records, add_libraries_and_users(db))
    return url, catalog


# the pairs index, the trigram index (each with the scope keys), both
@pytest.mark.parametrize("word", ["公开", "政务公开", "公开 目录的通知"])
@pytest.mark.parametrize("username", ["sjz-librarian", "hebei-auditor", "ln-librarian"])
def test_each_role_finds_only_the_records_it_may_see(searched, rows, username, word):
    visible = _visible_to(searched, rows, username)
    results = run(searched, username, q=word)
    expected = [r for r in rows if live(r) and visible(r) and has_words(r, *word.split())]
    assert results.total == len(expected) > 0
    assert results.total < run(searched, q=word).total
    libraries = {v.value for v in results.facets["library"]}
    assert libraries == {str(r.library_id) if r.library_id else NO_LIBRARY for r in expected}


def test_a_record_given_to_another_library_is_found_by_that_librarys_accounts(searched, rows):
    """Moving a record between libraries (or to none) moves it in the index's scope too."""
    target = next(r for r in rows if live(r) and r.province == "210000" and r.library_id)
    word = target.title[2:6]  # in the title, three characters or more: the trigram index
    sjz = searched.library_ids["石家庄市图书馆"]

    def found_by(username):  # the word is common: narrowed to the record's own agency
        results = run(searched, username, q=word, agency=target.agency)
        return target.id in {h.record.id for h in results.hits}

    assert found_by("ln-librarian") and not found_by("sjz-librarian")
    try:
        with searched.catalog.session() as db:
            db.get(Record, target.id).library_id = sjz
        assert found_by("sjz-librarian") and not found_by("ln-librarian")
        with searched.catalog.session() as db:  # no library: found by its place's libraries
            db.get(Record, target.id).library_id = None
        assert found_by("ln-librarian") and not found_by("sjz-librarian")
    finally:
        with searched.catalog.session() as db:
            db.get(Record, target.id).library_id = target.library_id


def test_another_librarys_record_is_hidden_from_a_librarian(searched, rows):
    other = next(r for r in rows if live(r) and r.province == "210000" and r.library_id)
    assert run(searched, "ln-librarian", q=other.index_no).total >= 1
    assert run(searched, "sjz-librarian", q=other.index_no).total == 0
    assert run(searched, "sjz-librarian", q=other.urls[0]).total == 0


@pytest.mark.parametrize(
    "word, new_word", [("无人机测绘试点", "低空经济示范区"), ("测绘", "氢能")], ids=["word", "pair"]
)
def test_the_index_follows_records_added_changed_and_deleted(searched, word, new_word):
    with searched.catalog.session() as db:
        record = Record(
            kind="govinfo", datestamp=db.get(Record, 1).datestamp,
            created_at=db.get(Record, 1).created_at, title=f"关于开展{word}的通知",
            body="正文", province_code="130000", jurisdiction_code="130000",
        )  # fmt: skip
        db.add(record)
    try:
        assert [h.record.id for h in run(searched, q=word).hits] == [record.id]
        with searched.catalog.session() as db:
            db.get(Record, record.id).title = f"关于建设{new_word}的通知"
        assert run(searched, q=word).total == 0
        assert [h.record.id for h in run(searched, q=new_word).hits] == [record.id]
    finally:
        with searched.catalog.session() as db:
            db.delete(db.get(Record, record.id))
    assert run(searched, q=new_word).total == 0


def test_reindex_rebuilds_the_index(searched, tmp_path):
    from cli_runner import run as run_cli

    words = ("政务公开", "公开")
    expected = [run(searched, q=word).total for word in words]
    if searched.backend == "sqlite":  # empty the indexes: the words are found no more
        with searched.catalog.engine.begin() as connection:
            for index in (FTS_TABLE, PAIRS_TABLE):
                connection.execute(text(f"INSERT INTO {index}({index}) VALUES ('delete-all')"))
        assert [run(searched, q=word).total for word in words] == [0, 0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env |= {"DIANCANG_DATABASE_URL": searched.catalog.url, "DIANCANG_DATA_DIR": str(tmp_path)}
    result = run_cli(["diancang", "catalog", "reindex"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "search index rebuilt" in result.stdout
    assert [run(searched, q=word).total for word in words] == expected
    assert min(expected) > 0


def test_duplicates_in_other_libraries_are_shown(searched, rows):
    by_index: dict[str, list[Row]] = {}
    for r in rows:
        by_index.setdefault(r.index_no, []).append(r)
    pair = next(
        group for group in by_index.values()
        if len(group) == 2 and all(r.library_id and live(r) for r in group)
        and group[0].library_id != group[1].library_id
    )  # fmt: skip
    first, second = pair
    with searched.catalog.session() as db:
        found = duplicates_elsewhere(db, db.get(Record, first.id))
        library = db.get(Library, second.library_id).name
    assert [(d.record_id, d.library, d.match) for d in found] == [(second.id, library, "index_no")]
    hit = next(h for h in run(searched, q=first.index_no).hits if h.record.id == first.id)
    assert [d.library for d in hit.duplicates] == [library]
    # the same agency and 发文字号 in another library's records
    with searched.catalog.session() as db:
        source = db.get(Record, second.id)
        copy = Record(
            kind="govinfo", datestamp=source.datestamp, created_at=source.created_at,
            title="另一份", agency=source.agency, doc_number=source.doc_number,
            library_id=first.library_id,
        )  # fmt: skip
        db.add(copy)
        db.flush()
        matches = {(d.record_id, d.match) for d in duplicates_elsewhere(db, copy)}
        assert (second.id, "doc_number") in matches
        alone = next(r for r in rows if len(by_index[r.index_no]) == 1 and r.library_id)
        assert [
            d for d in duplicates_elsewhere(db, db.get(Record, alone.id)) if d.match == "index_no"
        ] == []
        db.rollback()


def test_duplicates_are_those_the_definition_gives(searched, rows):
    """查重 of every record, pages at a time, against the definition worked out in Python:
    the live records of another library with the same 索引号, or the same agency and
    发文字号, in id order, named by the stronger match."""
    with searched.catalog.session() as db:
        names = dict(db.execute(select(Library.id, Library.name)).all())
        records = list(db.scalars(select(Record).order_by(Record.id)))
        found = {}
        for start in range(0, len(records), 200):
            found |= search_module.duplicates_of(db, records[start : start + 200])
    by_index_no: dict[str, list[Row]] = {}
    by_number: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        if not r.deleted and r.library_id is not None:
            by_index_no.setdefault(r.index_no, []).append(r)
            by_number.setdefault((r.agency, r.doc_number), []).append(r)
    expected = {}
    for r in rows:
        matches = {o.id: (o, "doc_number") for o in by_number.get((r.agency, r.doc_number), [])}
        matches |= {o.id: (o, "index_no") for o in by_index_no.get(r.index_no, [])}
        expected[r.id] = [
            (o.id, names[o.library_id], match)
            for _, (o, match) in sorted(matches.items())
            if o.id != r.id and o.library_id != r.library_id
        ]
    got = {k: [(d.record_id, d.library, d.match) for d in v] for k, v in found.items()}
    assert got == expected
    assert sum(1 for v in expected.values() if any(m == "index_no" for _, _, m in v)) > 10
    assert sum(1 for v in expected.values() if any(m == "doc_number" for _, _, m in v)) > 10


def test_an_existing_catalogue_gets_the_covering_duplicate_index(tmp_path):
    """Migration 0010 on a catalogue made before it: the agency + 发文字号 index covers what
    查重 reads, 查重 finds what it did, and back down again."""
    from alembic import command

    from diancang.catalog.db import alembic_config, upgrade

    url, catalog = _catalogue_at(f"sqlite:///{tmp_path / 'c.sqlite'}", "0009", records=600)

    def index_columns(db):
        return [row[2] for row in db.execute(text("PRAGMA index_info(ix_record_agency_docno)"))]

    def duplicates(db):
        records = list(db.scalars(select(Record).order_by(Record.id)))
        found = search_module.duplicates_of(db, records)
        return {k: [(d.record_id, d.match) for d in v] for k, v in found.items() if v}

    with catalog.session() as db:
        before = duplicates(db)
    upgrade(url)
    with catalog.session() as db:
        assert index_columns(db) == ["agency", "doc_number", "deleted", "library_id", "index_no"]
        assert duplicates(db) == before != {}
    command.downgrade(alembic_config(url), "0009")
    with catalog.session() as db:
        assert index_columns(db) == ["agency", "doc_number"]
    catalog.dispose()


def _words_found(db, words=("政务公开", "公开", "发展")) -> dict[str, int]:
    """How many records an admin's search finds for each word."""
    admin = db.scalar(select(User).where(User.username == "admin"))
    return {word: search(db, SearchQuery.from_args({"q": word}), admin).total for word in words}


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_an_existing_postgresql_catalogue_gets_the_text_table(empty_database_url):
    """Migration 0011 on a catalogue made before it: the trigram index moves from the
    records to a table of their text, word searches find what they did, and back down."""
    from alembic import command

    from diancang.catalog.db import alembic_config, upgrade

    url, catalog = _catalogue_at(empty_database_url, "0010", records=400)
    with catalog.session() as db:
        texts = {
            record.id: f"{record.title or ''} {record.body or ''}"
            for record in db.scalars(select(Record))
        }
    upgrade(url)
    with catalog.session() as db:
        assert sorted(_gin_indexes(db)[PG_TEXT_TABLE]) == sorted([PG_TEXT_INDEX, PG_PAIRS_INDEX])
        rows = db.execute(text(f"SELECT record_id, text, pairs FROM {PG_TEXT_TABLE}")).all()
        assert {row.record_id: row.text for row in rows} == texts
        assert {row.record_id: row.pairs for row in rows} == {i: pairs(t) for i, t in texts.items()}
        found = _words_found(db)
        assert found == {
            word: sum(1 for i, t in texts.items() if word in t and _live(db, i)) for word in found
        }
        assert all(found.values())
    command.downgrade(alembic_config(url), "0010")
    with catalog.session() as db:
        assert _gin_indexes(db) == {"catalog_records": ["ix_record_search_trgm"]}
    catalog.dispose()


def _gin_indexes(db) -> dict[str, list[str]]:
    rows = db.execute(
        text("SELECT tablename, indexname FROM pg_indexes WHERE indexdef LIKE '% USING gin %'")
    )
    found: dict[str, list[str]] = {}
    for table_name, index in rows:
        found.setdefault(table_name, []).append(index)
    return found


def _live(db, record_id: int) -> bool:
    record = db.get(Record, record_id)
    return not record.deleted and record.review_state != REJECTED


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_text_table_follows_the_records_and_a_touch_leaves_it_alone(database_url):
    """PostgreSQL: the text of a record is copied when it is written, changed with its title
    or body, gone with it; a datestamp change (each revisit, decision, withdrawal) does not
    write it, so it re-inserts no trigram."""
    from diancang.catalog.db import Catalog
    from diancang.catalog.records_builder import commit_with_datestamps, touch_id, utcnow

    catalog = Catalog(database_url)

    def text_of(db, record_id):  # and the doubled text beside it
        row = db.execute(
            text(f"SELECT text, pairs FROM {PG_TEXT_TABLE} WHERE record_id = :id"),
            {"id": record_id},
        ).one_or_none()
        if row is None:
            return None
        assert row.pairs == pairs(row.text)
        return row.text

    def text_version(db, record_id):  # the text row's version: another once it is written
        return db.execute(
            text(f"SELECT xmin::text, ctid::text FROM {PG_TEXT_TABLE} WHERE record_id = :id"),
            {"id": record_id},
        ).one()

    with catalog.session() as db:
        now = utcnow()
        record = Record(kind="govinfo", title="关于生态保护的通知", body="正文", datestamp=now,
                        created_at=now, deleted=False)  # fmt: skip
        db.add(record)
        db.commit()
        assert text_of(db, record.id) == "关于生态保护的通知 正文"
        record.title = "关于政务公开的通知"
        db.commit()
        assert text_of(db, record.id) == "关于政务公开的通知 正文"
        written = text_version(db, record.id)
        touch_id(db, record.id)  # what a revisit, a review decision, a withdrawal do
        commit_with_datestamps(db)
        db.refresh(record)
        assert record.datestamp > now
        assert text_version(db, record.id) == written
        db.execute(update(Record).where(Record.id == record.id).values(body="新的正文"))
        db.commit()
        assert text_version(db, record.id) != written
        assert text_of(db, record.id) == "关于政务公开的通知 新的正文"
        db.delete(record)
        db.commit()
        assert text_of(db, record.id) is None
    catalog.dispose()


@pytest.mark.parametrize(
    "args, field",
    [({"jurisdiction": "13"}, "jurisdiction"), ({"year": "24"}, "year"),
     ({"page": "0"}, "page"), ({"library": "x"}, "library"), ({"q": "字" * 501}, "q"),
     ({"withdrawn": "yes"}, "withdrawn"), ({"review_state": "done"}, "review_state")],
)  # fmt: skip
def test_bad_parameters_are_named(args, field):
    with pytest.raises(SearchError) as raised:
        SearchQuery.from_args(args)
    assert [f for f, _ in raised.value.errors] == [field]


@pytest.mark.parametrize("searched", ["postgresql"], indirect=True)
def test_postgresql_plans_each_search_for_its_own_words(searched, rows):
    """psycopg prepares a statement run five times; PostgreSQL may then plan it once for any
    words (a generic plan), which at 10^6 records walked the whole table for an exact 索引号."""
    words = ["政务公开", "安全生产", "乡村振兴", "医疗保障", "营商环境", "爱国卫生"]
    queries = [SearchQuery.from_args({"q": w}) for w in words * 2] + [
        SearchQuery.from_args({"q": r.index_no}) for r in rows[:12]
    ]
    with searched.catalog.session() as db:
        user = db.scalar(select(User).where(User.username == "admin"))
        for query in queries:
            search(db, query, user)
        generic, custom = db.execute(
            text(
                "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements"
                " WHERE statement LIKE 'WITH newest%'"
            )
        ).one()
    assert custom > 0  # the searches were prepared statements ...
    assert generic == 0  # ... each planned for its own words


def test_an_existing_sqlite_catalogue_gets_the_covering_url_index(tmp_path):
    """Migration 0007 on a catalogue made before it: the URL-prefix index covers the
    captures' record links, and URL-prefix search still finds the records."""
    from search_data import add_libraries_and_users, fill

    from diancang.catalog.db import Catalog, upgrade
    from diancang.catalog.search_index import URL_INDEX

    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    upgrade(url, "0006")
    catalog = Catalog(url, migrate=False)
    with catalog.session() as db:  # the URL index as migration 0005 made it before 0007
        db.execute(text(f"DROP INDEX {URL_INDEX}"))
        db.execute(text(f"CREATE INDEX {URL_INDEX} ON catalog_captures (url)"))
        fill(db, 30, add_libraries_and_users(db))
    upgrade(url)
    with catalog.session() as db:
        columns = [row[2] for row in db.execute(text(f"PRAGMA index_info({URL_INDEX})"))]
        assert columns == ["url", "record_id", "site_record_id"]
        user = db.scalar(select(User).where(User.username == "admin"))
        found = search(db, SearchQuery.from_args({"q": "http://www.sjz.gov.cn/zwgk/"}), user)
        expected = db.scalar(
            select(func.count()).where(
                Record.source_url.startswith("http://www.sjz.gov.cn/zwgk/"),
                Record.deleted.is_(False),
                Record.review_state != REJECTED,
            )
        )
        assert found.total == expected > 0
    catalog.dispose()


def test_latin_letters_match_in_either_case(searched):
    """A word with letter case is matched ignoring it (ILIKE), a Chinese one by LIKE."""
    with added_record(searched, "关于推广WiFi6校园覆盖的通知", "正文") as record_id:
        for q in ("wifi6", "WIFI6校园", "推广WiFi6"):
            hits = run(searched, q=q).hits
            assert [h.record.id for h in hits] == [record_id], q
            assert "<mark>" in str(hits[0].title), q


@contextmanager
def added_record(searched, title: str, body: str) -> Iterator[int]:
    """A record of Hebei with ``title`` and ``body`` in the catalogue while inside."""
    with searched.catalog.session() as db:
        first = db.get(Record, 1)
        record = Record(
            kind="govinfo", datestamp=first.datestamp, created_at=first.created_at,
            title=title, body=body, province_code="130000", jurisdiction_code="130000",
        )  # fmt: skip
        db.add(record)
    try:
        yield record.id
    finally:
        with searched.catalog.session() as db:
            db.delete(db.get(Record, record.id))


@pytest.fixture
def odd_pairs(searched):
    """A record whose title is one pair and whose body ends in one, with characters the
    indexes' query syntax and LIKE give a meaning to."""
    with added_record(searched, "甾甿", '第1号"令%_\\乂乃') as record_id:
        yield record_id


@pytest.mark.parametrize(
    "q", ["甾甿", "乂乃", "甾甿 乂乃", '"令', "%_", "_\\", "1号", '号" 乃'], ids=repr
)
def test_two_character_terms_anywhere_in_the_text(searched, rows, odd_pairs, q):
    """At the end of a column, as a whole title, with quotes, LIKE's wildcards and escape,
    digits: found exactly where the characters stand side by side."""
    found = {hit.record.id for hit in run(searched, q=q).hits}
    assert odd_pairs in found
    expected = {r.id for r in rows if live(r) and has_words(r, *q.split())}
    assert found - {odd_pairs} <= expected


def test_two_character_terms_split_across_title_and_body_are_not_found(searched, odd_pairs):
    assert odd_pairs not in {hit.record.id for hit in run(searched, q="甿第").hits}
    assert odd_pairs not in {hit.record.id for hit in run(searched, q="乃甾").hits}


# 𠀀 (U+20000) and 𠁀 (U+20040): rare characters of names, outside the BMP (4 bytes in
# UTF-8, a surrogate pair in UTF-16); 〇 and ㄅ are BMP characters of other blocks
@pytest.mark.parametrize("q", ["𠀀𠁀", "于𠀀", "𠁀村", "村〇", "ㄅㄆ", "𠀀𠁀村"], ids=repr)
def test_words_of_characters_outside_the_basic_plane_are_found(searched, q):
    title = "关于𠀀𠁀村〇号的公告"
    with added_record(searched, title, "注音ㄅㄆ") as record_id:
        hits = {hit.record.id: hit for hit in run(searched, q=q).hits}
        assert record_id in hits
        assert (f"<mark>{q}</mark>" in str(hits[record_id].title)) == (q in title)
        assert record_id not in {hit.record.id for hit in run(searched, q=q[::-1]).hits}


def test_a_rare_two_character_word_is_found_in_every_record_holding_it(searched, rows):
    """The pairs index, not a scan of the newest records, answers a pair in few records."""
    holders = Counter(
        pair
        for r in rows
        if live(r)
        for pair in {t[i : i + 2] for t in (r.title, r.body) for i in range(len(t) - 1)}
        if not any(c.isspace() for c in pair)
    )
    rare = min(holders, key=lambda pair: (holders[pair], pair))
    expected = {r.id for r in rows if live(r) and has_words(r, rare)}
    results = run(searched, q=rare)
    assert results.total == len(expected) == holders[rare] < len(rows) / 100
    assert {hit.record.id for hit in results.hits} <= expected


@pytest.mark.parametrize("searched", ["sqlite"], indirect=True)
def test_a_shell_that_cannot_keep_the_pairs_index_in_step_is_refused(searched):
    """SQLite: a write to the records by a program without ``diancang_pairs`` (the sqlite3
    shell) fails and changes nothing, rather than leaving the index behind."""
    import sqlite3

    path = searched.catalog.url.split("///", 1)[1]
    with sqlite3.connect(path) as shell:
        with pytest.raises(sqlite3.OperationalError, match="no such function: diancang_pairs"):
            shell.execute("UPDATE catalog_records SET title = '甾甿新' WHERE id = 1")
    shell.close()
    assert 1 not in {hit.record.id for hit in run(searched, q="甿新").hits}


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_an_existing_catalogue_gets_the_pairs_index(empty_database_url):
    """Migration 0012 on a catalogue made before it: two-character words are found as by
    LIKE, and the records' later changes follow; down again, the index is gone."""
    from alembic import command

    from diancang.catalog.db import alembic_config, upgrade

    url, catalog = _catalogue_at(empty_database_url, "0011", records=120)
    postgres = catalog.engine.dialect.name == "postgresql"
    with catalog.engine.begin() as connection:  # migration 0005 makes the index of today
        if postgres:
            drop_pg_text(connection)
            create_pg_text(connection, pairs=False)
        else:
            drop_pairs(connection)

    def has_pairs(db):
        if postgres:
            return PG_PAIRS_COLUMN in {
                c["name"] for c in inspect(db.connection()).get_columns(PG_TEXT_TABLE)
            }
        return PAIRS_TABLE in inspect(db.connection()).get_table_names()

    def by_like(db, word):
        return db.scalar(
            select(func.count()).where(
                (Record.title + " " + Record.body).contains(word),
                Record.deleted.is_(False),
                Record.review_state != REJECTED,
            )
        )

    with catalog.session() as db:
        assert not has_pairs(db)
    upgrade(url)
    with catalog.session() as db:
        assert has_pairs(db)
        found = _words_found(db, ("公开", "发展", "通知"))
        assert found == {word: by_like(db, word) for word in found}
        assert all(found.values())
        live_id = db.scalar(
            select(Record.id).where(Record.deleted.is_(False), Record.review_state != REJECTED)
        )
        db.get(Record, live_id).title = "甾甿"
    with catalog.session() as db:
        admin = db.scalar(select(User).where(User.username == "admin"))
        hits = search(db, SearchQuery.from_args({"q": "甾甿"}), admin).hits
        assert [h.record.id for h in hits] == [live_id]
    command.downgrade(alembic_config(url), "0011")
    with catalog.session() as db:
        assert not has_pairs(db)
    catalog.dispose()


def test_an_existing_sqlite_catalogue_gets_the_scope_keys(tmp_path):
    """Migration 0009 on a catalogue made before it: the index is rebuilt with each record's
    scope, so a librarian's word search finds what it did, and back down again."""
    from alembic import command

    from diancang.catalog.db import alembic_config, upgrade

    url, catalog = _catalogue_at(f"sqlite:///{tmp_path / 'c.sqlite'}", "0008", records=120)

    def librarians_total(db):
        user = db.scalar(select(User).where(User.username == "sjz-librarian"))
        return search(db, SearchQuery.from_args({"q": "政务公开"}), user).total

    def expected(db):  # by LIKE over the records, past the index
        user = db.scalar(select(User).where(User.username == "sjz-librarian"))
        return db.scalar(
            select(func.count()).where(
                visible_records(db, user),
                (Record.title + Record.body).contains("政务公开"),
                Record.deleted.is_(False),
                Record.review_state != REJECTED,
            )
        )

    def fts_columns(db):
        return [row[1] for row in db.execute(text(f"PRAGMA table_info({FTS_TABLE})"))]

    upgrade(url)
    with catalog.session() as db:
        assert fts_columns(db) == ["title", "body", "scope"]
        assert librarians_total(db) == expected(db) > 0
    command.downgrade(alembic_config(url), "0008")
    with catalog.session() as db:
        assert fts_columns(db) == ["title", "body"]
    upgrade(url)
    with catalog.session() as db:
        assert librarians_total(db) == expected(db) > 0
    catalog.dispose()


def test_sqlite_catalogues_are_read_through_mmap(tmp_path):
    """Searches read scattered record pages: SQLite maps the file rather than copying each
    page into its cache by a read()."""
    from diancang.catalog.db import Catalog

    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with catalog.session() as db:
        assert db.execute(text("PRAGMA mmap_size")).scalar() > 0
    catalog.dispose()
