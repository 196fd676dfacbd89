"""Search over the catalogue: words, exact 索引号 / 发文字号, URL prefixes; facets; 查重.

A query's text is read in one of two ways:

- it starts with ``http://`` or ``https://``: records with a capture whose URL starts with
  it (one page, or a whole site or folder);
- otherwise its whitespace-separated terms must all occur in the title or body (substring
  match, so Chinese needs no segmentation), or the whole text equals a record's 索引号 or
  发文字号 exactly (B-tree indexes). Terms of three characters or more use the trigram index
  (``diancang.catalog.search_index``), two-character terms the index of character pairs;
  one-character terms are matched by ``LIKE`` while the records are read newest first,
  which stops at the count limit for a common term but reads every record for a rare one.

Cost is bounded by ``COUNT_LIMIT``: the facts of at most that many matching records (the
exact matches, then the newest) are read, following an index in id order, and the filters,
facet counts and ranking are worked out from them. Up to the limit every count is exact;
beyond it ``Results.capped`` is set and the total and counts are those among the newest
``COUNT_LIMIT`` matches (lower bounds, shown as such), as a search engine's "5,000+".

Ranking: exact 索引号 / 发文字号 matches first, then records whose title holds every term,
then the newest publication date. Withdrawn records (``Record.deleted``) and rejected ones
(``review_state``) are left out unless the withdrawn or review-state filter asks for them.

Facets count the results under the query and every other filter (not their own, so another
value can be picked); the jurisdiction facet counts the level below the chosen place
(province → city → county); records of the chosen place's own level (a province's own
agencies, ``jurisdiction_code`` equal to the chosen code) are in its total but under no
place below it.

Who sees what (``visible_records``): an admin every record; others the records of the
libraries ``accounts.visibility.access`` lets them see, and the records of no library
(catalogued from command-line seed lists) whose jurisdiction lies within one of those
libraries' jurisdictions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.util import ClauseAdapter

from diancang import jurisdictions
from diancang.accounts.models import ADMIN, Library
from diancang.accounts.visibility import access
from diancang.catalog.highlight import highlight, snippet
from diancang.catalog.jurisdiction import set_level
from diancang.catalog.models import Capture, Record
from diancang.catalog.search_index import (
    FTS_TABLE,
    PAIR,
    PAIRS_TABLE,
    PG_TEXT_COLUMNS,
    PG_TEXT_TABLE,
    PG_URL_HEAD,
    PG_URL_PREFIX,
    SCOPE_CITY,
    SCOPE_COUNTY,
    SCOPE_LIBRARY,
    SCOPE_PROVINCE,
    pair_token,
    scope_key,
)
from diancang.catalog.views import load_views
from diancang.review.states import REJECTED, STATE_NAMES, STATES
from diancang.seeds.schema import COLLECTION_NAMES

PAGE_SIZE = 20
MAX_QUERY_CHARS = 500
MAX_TERMS = 10
MAX_PAGE = 500  # deeper pages are refined with filters, not paged to
TRIGRAM = 3  # shortest term the trigram indexes can find
AGENCY_FACET_SIZE = 15
NO_LIBRARY = "none"  # the library facet's value for records of no library
URL_SCHEMES = ("http://", "https://")
# matching records read per query: beyond it, results and counts cover the newest this many
COUNT_LIMIT = 5_000
FACETS = ("jurisdiction", "collection", "agency", "year", "review_state", "library", "withdrawn")
FACET_NAMES = {
    "jurisdiction": "行政区划",
    "collection": "馆藏集合",
    "agency": "发布机构",
    "year": "发布年份",
    "review_state": "审核状态",
    "library": "所属馆",
    "withdrawn": "状态",
}
WITHDRAWN_NAMES = {False: "有效", True: "已撤回"}
NO_LIBRARY_NAME = "无所属馆（命令行种子清单）"
SEED_RECORDS_CHECKED = 2000  # a seed's newest records the seed page checks for 查重
SEED_DUPLICATES_SHOWN = 50
DUPLICATE_MATCHES = {"index_no": "索引号相同", "doc_number": "发布机构与发文字号相同"}


class SearchError(ValueError):
    """Search parameters that cannot be read; ``errors`` are (field, zh-CN message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    jurisdiction: str | None = None
    collection: str | None = None
    agency: str | None = None
    year: str | None = None
    review_state: str | None = None  # one of review.states.STATES; None: all but rejected
    library: str | None = None  # a library id, or NO_LIBRARY
    withdrawn: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchQuery:
        """Read request arguments; a bad one raises ``SearchError`` naming it."""
        errors = []
        q = " ".join((args.get("q") or "").split())
        if len(q) > MAX_QUERY_CHARS:
            errors.append(("q", f"检索词不能超过 {MAX_QUERY_CHARS} 个字符"))
        values = {name: (args.get(name) or "").strip() or None for name in FACETS}
        code = values["jurisdiction"]
        if code and not (len(code) == 6 and code.isdigit()):
            errors.append(("jurisdiction", "行政区划须为六位 GB/T 2260 代码"))
        year = values["year"]
        if year and not (len(year) == 4 and year.isdigit()):
            errors.append(("year", "年份须为四位数字"))
        review_state = values["review_state"]
        if review_state and review_state not in STATES:
            errors.append(("review_state", "审核状态须为 " + "、".join(STATES) + " 之一"))
        library = values["library"]
        if library and library != NO_LIBRARY and not library.isdigit():
            errors.append(("library", f"所属馆须为图书馆编号或 {NO_LIBRARY}"))
        withdrawn = values["withdrawn"] or "0"
        if withdrawn not in ("0", "1"):
            errors.append(("withdrawn", "状态须为 0（有效）或 1（已撤回）"))
        page = args.get("page") or "1"
        if not (page.isdigit() and 1 <= int(page) <= MAX_PAGE):
            errors.append(("page", f"页码须为 1 到 {MAX_PAGE} 的整数"))
        if errors:
            raise SearchError(errors)
        return cls(
            q=q,
            jurisdiction=code,
            collection=values["collection"],
            agency=values["agency"],
            year=year,
            review_state=review_state,
            library=library,
            withdrawn=withdrawn == "1",
            page=int(page),
        )

    @property
    def url_prefix(self) -> str | None:
        return self.q if self.q.startswith(URL_SCHEMES) else None

    @property
    def terms(self) -> list[str]:
        if self.url_prefix:
            return []
        return list(dict.fromkeys(self.q.split()))[:MAX_TERMS]

    def args(self, **changes) -> dict[str, str]:
        """Request arguments of this query with ``changes`` (None removes); page 1 unless
        the page is what changes."""
        changes.setdefault("page", 1)
        query = replace(self, **{k: v for k, v in changes.items() if v is not None})
        for name, value in changes.items():
            if value is None:
                query = replace(query, **{name: False if name == "withdrawn" else None})
        out = {
            "q": query.q,
            **{name: getattr(query, name) for name in FACETS if name != "withdrawn"},
            "withdrawn": "1" if query.withdrawn else None,
            "page": str(query.page) if query.page > 1 else None,
        }
        return {k: str(v) for k, v in out.items() if v}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Duplicate:
    """A record of another library that is the same document."""

    record_id: int
    library: str
    match: str  # "index_no" | "doc_number"

    @property
    def match_name(self) -> str:
        return DUPLICATE_MATCHES[self.match]


@dataclass
class Hit:
    record: Record
    captures: list[Capture]
    title: Markup
    snippet: Markup
    library: str | None
    duplicates: list[Duplicate] = field(default_factory=list)


@dataclass
class Results:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    capped: bool = False  # more than COUNT_LIMIT matches: all of this covers the newest

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // PAGE_SIZE)))


def search(db: Session, query: SearchQuery, user) -> Results:
    """One page of the records ``user`` may see that match ``query``, with facet counts.

    The facts (narrow columns) of at most ``COUNT_LIMIT`` matching records are read once
    (a materialized CTE: the exact matches, then the newest), and the page and every count
    are worked out from them. Beyond the limit the results say so (``capped``)."""
    if _is_postgres(db):
        # psycopg prepares a statement run five times, and PostgreSQL then may switch to a
        # generic plan, blind to the pattern: it walks the whole table in id order for a
        # rare word or an exact 索引号 (seconds) where the trigram index answers in a few ms
        db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    sight = _sight(db, user)
    facts, newest = _candidates(db, query, sight)
    ids, total, facets, capped = _read(db, query, facts, newest)
    return Results(query, total, _hits(db, query, ids), facets, capped)


def visible_records(db: Session, user) -> ColumnElement[bool]:
    """The records ``user`` (a ``User`` or console ``Account``) may find (module docstring)."""
    return _visible(_sight(db, user))


def _visible(sight, of=Record) -> ColumnElement[bool]:
    """``sight`` as a condition on the columns of ``of``: the records, or on PostgreSQL the
    copies of their owner and place columns in the text table."""
    if sight is None:
        return true()
    if sight is False:
        return false()
    see, places = sight
    owned = of.library_id.in_(see)
    within = [
        column.in_(codes)
        for column, codes in (
            (of.province_code, places["province"]),
            (of.city_code, places["city"]),
            (of.jurisdiction_code, places["county"]),
        )
        if codes
    ]
    if not within:
        return owned
    return or_(owned, and_(of.library_id.is_(None), or_(*within)))


def _sight(db: Session, user):
    """What ``user`` may see: None for every record, False for none, else the library ids
    and, by level, the jurisdictions of those libraries."""
    if not user.active:
        return False
    if user.role == ADMIN:
        return None
    see = access(db, user).see
    if not see:
        return False
    places = {"province": set(), "city": set(), "county": set()}
    for library in db.scalars(select(Library).where(Library.id.in_(see))):
        places[set_level(library.jurisdiction)].add(library.jurisdiction)
    return see, places


def _scope_match(sight) -> str | None:
    """The FTS5 expression of ``_visible(sight)`` over the indexes' ``scope`` keys (None: no
    filter)."""
    if sight is None or sight is False:
        return None  # every record; or none, which the query's own filter already says
    see, places = sight
    kinds = {"province": SCOPE_PROVINCE, "city": SCOPE_CITY, "county": SCOPE_COUNTY}
    keys = [scope_key(SCOPE_LIBRARY, library_id) for library_id in sorted(see)]
    keys += [scope_key(kinds[level], code) for level in kinds for code in sorted(places[level])]
    return "(" + " OR ".join(f'"{key}"' for key in keys) + ")"


def duplicates_elsewhere(db: Session, record: Record) -> list[Duplicate]:
    """Records of other libraries with the same 索引号, or the same agency and 发文字号
    (the 查重 before building a record); withdrawn records do not count."""
    return duplicates_of(db, [record])[record.id]


def _duplicate_pairs():
    """The statement pairing each record of ``:ids`` with the other libraries' live records
    that share its 索引号, or its agency and 发文字号, in id order (built once)."""
    record, other = aliased(Record, name="record"), aliased(Record, name="other")
    same_index_no = and_(other.index_no == record.index_no, record.index_no != "")
    same_number = and_(
        other.agency == record.agency,
        other.doc_number == record.doc_number,
        record.agency != "",
        record.doc_number != "",
    )
    return (
        select(
            record.id, other.id, Library.name,
            case((same_index_no, "index_no"), else_="doc_number"),  # the stronger match
        )
        .join(other, or_(same_index_no, same_number))
        .join(Library, Library.id == other.library_id)
        .where(
            record.id.in_(bindparam("ids", expanding=True)),
            other.id != record.id,
            other.deleted.is_(False),
            or_(record.library_id.is_(None), other.library_id != record.library_id),
        )
        .order_by(record.id, other.id)
    )  # fmt: skip


DUPLICATE_PAIRS = _duplicate_pairs()


def duplicates_of(db: Session, records: list[Record]) -> dict[int, list[Duplicate]]:
    """``duplicates_elsewhere`` of each record, in one query that pairs the records with
    their duplicates (only those come back, no candidate to sort out here). The records'
    索引号 and 发文字号 are read from the table by id (the session flushes its changes first)."""
    found: dict[int, list[Duplicate]] = {r.id: [] for r in records}
    if records:
        for record_id, other_id, library, match in db.execute(
            DUPLICATE_PAIRS, {"ids": list(found)}
        ):
            found[record_id].append(Duplicate(other_id, library, match))
    return found


def catalogued_elsewhere(
    db: Session, seed_key: str, limit: int = SEED_DUPLICATES_SHOWN
) -> list[tuple[Record, list[Duplicate]]]:
    """The records captured from the seed ``seed_key`` that another library's records
    already hold (``duplicates_elsewhere``), newest first, at most ``limit``; the seed
    page's 查重. Reads the seed's newest ``SEED_RECORDS_CHECKED`` records."""
    captured = select(Capture.record_id).where(
        Capture.seed == seed_key, Capture.record_id.is_not(None)
    )
    records = list(
        db.scalars(
            select(Record)
            .where(Record.id.in_(captured), Record.deleted.is_(False))
            .order_by(Record.id.desc())
            .limit(SEED_RECORDS_CHECKED)
        )
    )
    found = duplicates_of(db, records)
    return [(r, found[r.id]) for r in records if found[r.id]][:limit]


def visible_ids(db: Session, user, ids: set[int]) -> set[int]:
    """Those of the record ``ids`` that ``user`` may see (to link to them)."""
    if not ids:
        return set()
    return set(db.scalars(select(Record.id).where(Record.id.in_(ids), visible_records(db, user))))


# -- the parts of the query -------------------------------------------------------------------


def _is_postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The narrow columns of a matching record that filters, facets and ranking read, by name.
FACT_COLUMNS = {
    "id": Record.id,
    "deleted": Record.deleted,
    "review_state": Record.review_state,
    "library_id": Record.library_id,
    "province_code": Record.province_code,
    "city_code": Record.city_code,
    "jurisdiction_code": Record.jurisdiction_code,
    "collection": Record.collection,
    "agency": Record.agency,
    # literal, not bound: PostgreSQL must see the same expression in SELECT and GROUP BY
    "year": literal_column("substr(catalog_records.pub_date, 1, 4)"),
    "pub_date": Record.pub_date,
    "title": Record.title,
    "index_no": Record.index_no,
    "doc_number": Record.doc_number,
}
FACT_NAMES = tuple(FACT_COLUMNS)


def _candidates(db: Session, query: SearchQuery, sight):
    """The CTEs ``(facts, newest)``: ``newest`` the facts of up to ``COUNT_LIMIT + 1``
    visible records matching the query's text, newest (highest id) first, read along an
    index in id order that stops at the limit, so a broad query costs no more than a narrow
    one; ``facts`` the first ``COUNT_LIMIT`` of them and the exact 索引号 / 发文字号 matches."""
    fact_columns = [c.label(n) for n, c in FACT_COLUMNS.items()]
    visible = _visible(sight)
    newest = select(*fact_columns).where(visible).order_by(Record.id.desc())
    exact = None
    terms = query.terms
    if query.url_prefix:
        ids = _url_record_ids(db, query.url_prefix)
        if _is_postgres(db):
            # each of the prefix's ids, newest first, looked up until the limit: as a join,
            # PostgreSQL merged them with the records' primary key read backwards, every
            # record down to the prefix's 5,000th; LIMIT 1 keeps it from flattening the
            # lookup into such a join
            ordered = ids.order_by(ids.selected_columns.id.desc()).subquery("url_ids")
            record = newest.where(Record.id == ordered.c.id).order_by(None).limit(1)
            record = record.lateral("record")
            newest = select(record).select_from(ordered).join(record, true())
            newest = newest.order_by(ordered.c.id.desc())
        else:  # SQLite reads the IN list in order, newest first, up to the limit
            newest = newest.where(Record.id.in_(ids))
    elif terms:
        # read through the two B-trees, then filtered: beside the visibility filter SQLite
        # would read all of a librarian's records through that filter's indexes instead
        exact_ids = union_all(
            select(Record.id).where(Record.index_no == query.q),
            select(Record.id).where(Record.doc_number == query.q),
        )
        matches = (
            select(*fact_columns)
            .where(Record.id.in_(exact_ids))
            .cte("exact")
            .prefix_with("MATERIALIZED")
        )
        exact = select(matches).where(ClauseAdapter(matches).traverse(visible))
        if _is_postgres(db):
            newest = _pg_word_records(fact_columns, terms, sight)
        else:
            newest = _sqlite_word_match(newest, terms, sight)
    newest = newest.limit(COUNT_LIMIT + 1).cte("newest").prefix_with("MATERIALIZED")
    kept = select(newest).order_by(newest.c.id.desc()).limit(COUNT_LIMIT)
    if exact is not None:
        # the exact matches not among them, rather than a UNION: its dedupe sorted the rows
        kept = kept.cte("kept").prefix_with("MATERIALIZED")
        others = exact.where(exact.selected_columns.id.not_in(select(kept.c.id)))
        kept = union_all(select(kept), select(others.limit(COUNT_LIMIT).subquery()))
    return kept.cte("facts").prefix_with("MATERIALIZED"), newest


def _pg_word_records(fact_columns, terms: list[str], sight):
    """PostgreSQL: the facts of the records holding ``terms`` that ``sight`` sees, newest
    first, the words and the sight both read from the text table.

    With every record in sight, the newest matches are taken before their records are
    joined: a rare word's matches come from the GIN bitmap in no order, and PostgreSQL
    joined each of them (10,000 for a word in 1 % of 10^6 records) before sorting. A limited
    sight keeps the join, of which PostgreSQL makes a parallel backward scan for a common
    word (a city librarian's: wall p50 144 ms, against 184 for the one process it gives
    the ids alone; README, Benchmarks)."""
    texts = table(PG_TEXT_TABLE, *(column(name) for name in PG_TEXT_COLUMNS))
    matching = (_visible(sight, texts.c), *(_pg_word_match(texts.c, t) for t in terms))
    if sight is None:
        texts = (
            select(texts.c.record_id)
            .where(*matching)
            .order_by(texts.c.record_id.desc())
            .limit(COUNT_LIMIT + 1)
            .subquery("matched")
        )
        matching = ()
    return (
        select(*fact_columns)
        .join_from(texts, Record, Record.id == texts.c.record_id)
        .where(*matching)
        .order_by(texts.c.record_id.desc())
    )


def _sqlite_word_match(newest, terms: list[str], sight):
    """SQLite: ``newest`` (records newest first) narrowed to those holding ``terms``,
    through the FTS5 indexes (``search_index``) read newest first (FTS5 walks its doclists
    backwards): terms of three characters or more by the trigram table, two-character terms
    by the pairs table, the reader's visibility (when it limits what they see) by the scope
    keys of the first of them; a one-character term by ``LIKE`` on each record read."""
    scope = _scope_match(sight)
    indexes = []
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if long_terms:
        words = "{title body} : (" + _phrases(long_terms) + ")"
        indexes.append((FTS_TABLE, words + (f" AND scope : {scope}" if scope else "")))
    pair_terms = [pair_token(t) for t in terms if len(t) == PAIR]
    if pair_terms:  # a table without positions has no column filter: keys match anywhere
        words = _phrases(pair_terms)
        indexes.append((PAIRS_TABLE, words + (f" AND {scope}" if scope and not indexes else "")))
    for term in terms:
        if len(term) < PAIR:
            pattern = _like_pattern(term)
            newest = newest.where(
                or_(Record.title.like(pattern, "\\"), Record.body.like(pattern, "\\"))
            )
    for position, (name, expression) in enumerate(indexes):
        index = table(name, column("rowid"))
        matched = literal_column(name).op("MATCH")(bindparam(f"{name}_query", expression))
        newest = newest.join(index, index.c.rowid == Record.id).where(matched)
        if not position:
            newest = newest.order_by(None).order_by(index.c.rowid.desc())
    return newest


def _phrases(terms: list[str]) -> str:
    """``terms`` as FTS5 phrases, all required."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _pg_word_match(texts, term: str) -> ColumnElement[bool]:
    """PostgreSQL: the text table's row holds ``term`` (a pair: in the doubled text)."""
    if len(term) == PAIR:
        return _contains(texts.pairs, pair_token(term))
    return _contains(texts.text, term)


def _contains(column, term: str) -> ColumnElement[bool]:
    """``column`` holds ``term``, case ignored; by ``LIKE`` when the term has no letter case
    (Chinese, digits): PostgreSQL's ``ILIKE`` lowercases the text of every row it reads,
    which made a common word 3-4 times as costly."""
    pattern = _like_pattern(term)
    if term.lower() == term == term.upper():
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _url_record_ids(db: Session, prefix: str):
    """The ids of the records with a capture whose URL starts with ``prefix``, read from the
    covering URL index alone (``search_index``)."""
    if _is_postgres(db):
        head = literal_column(f"catalog_captures.{PG_URL_HEAD}")
        starts = head.like(_like_pattern(prefix[:PG_URL_PREFIX])[1:], escape="\\")
        if len(prefix) > PG_URL_PREFIX:  # longer than the index holds
            starts = and_(starts, Capture.url.like(_like_pattern(prefix)[1:], escape="\\"))
    else:  # a range over the B-tree: SQLite's LIKE ignores case and would scan
        starts = Capture.url >= prefix
        if ord(prefix[-1]) < 0x10FFFF:
            starts = and_(starts, Capture.url < prefix[:-1] + chr(ord(prefix[-1]) + 1))
    # the range read once, then both links of each capture (an OR of two INs made SQLite
    # walk every record newest first, probing both)
    in_range = (
        select(Capture.record_id, Capture.site_record_id)
        .where(starts)
        .cte("in_range")
        .prefix_with("MATERIALIZED")
    )
    return union(select(in_range.c.record_id.label("id")), select(in_range.c.site_record_id))


def _jurisdiction_column(code: str) -> str:
    return {"province": "province_code", "city": "city_code"}.get(
        set_level(code), "jurisdiction_code"
    )


def _filters(query: SearchQuery, columns) -> dict[str, ColumnElement[bool]]:
    """The query's filters by facet name, over the facts' ``columns``."""
    filters = {"withdrawn": columns["deleted"].is_(query.withdrawn)}
    if query.review_state:
        filters["review_state"] = columns["review_state"] == query.review_state
    else:  # a rejected record is gone unless asked for
        filters["review_state"] = columns["review_state"] != REJECTED
    if query.jurisdiction:
        filters["jurisdiction"] = (
            columns[_jurisdiction_column(query.jurisdiction)] == query.jurisdiction
        )
    if query.collection:
        filters["collection"] = columns["collection"] == query.collection
    if query.agency:
        filters["agency"] = columns["agency"] == query.agency
    if query.year:
        filters["year"] = columns["year"] == query.year
    if query.library == NO_LIBRARY:
        filters["library"] = columns["library_id"].is_(None)
    elif query.library:
        filters["library"] = columns["library_id"] == int(query.library)
    return filters


def _ranking(query: SearchQuery, columns) -> list:
    order = []
    if query.terms:
        exact = or_(columns["index_no"] == query.q, columns["doc_number"] == query.q)
        in_title = and_(*(_contains(columns["title"], t) for t in query.terms))
        order += [case((exact, 0), else_=1), case((in_title, 0), else_=1)]
    return [*order, columns["pub_date"].desc().nulls_last(), columns["id"].desc()]


def _facet_column(query: SearchQuery, name: str) -> str | None:
    if name == "jurisdiction":
        if query.jurisdiction is None:
            return "province_code"
        level = set_level(query.jurisdiction)
        return {"province": "city_code", "city": "jurisdiction_code"}.get(level)
    return {
        "collection": "collection",
        "agency": "agency",
        "year": "year",
        "review_state": "review_state",
        "library": "library_id",
        "withdrawn": "deleted",
    }[name]


def _read(db: Session, query: SearchQuery, facts, newest):
    """The page's record ids, the total, every facet's counts and whether the matches were
    capped, in one statement over the facts CTE (so it is read once)."""
    columns = {name: facts.c[name] for name in FACT_NAMES}
    filters = _filters(query, columns)
    start = (query.page - 1) * PAGE_SIZE
    ranked = (
        select(
            columns["id"], func.row_number().over(order_by=_ranking(query, columns)).label("rank")
        )
        .where(*filters.values())
        .subquery()
    )
    branches = [
        select(literal("", String).label("facet"), literal("", String).label("value"), func.count())
        .select_from(facts)
        .where(*filters.values()),
        select(literal("capped", String), literal("", String), func.count()).select_from(newest),
        select(literal("hit", String), cast(ranked.c.id, String), ranked.c.rank).where(
            ranked.c.rank > start, ranked.c.rank <= start + PAGE_SIZE
        ),
    ]
    for name in FACETS:
        column_name = _facet_column(query, name)
        if column_name is None:  # a county: nothing below it
            continue
        col = columns[column_name]
        # the jurisdiction facet drills down within its own filter; the others leave theirs out
        where = [c for f, c in filters.items() if f != name or name == "jurisdiction"]
        branches.append(
            select(literal(name, String), cast(col, String), func.count())
            .select_from(facts)
            .where(*where)
            .group_by(col)
        )
    counts: dict[str, list[tuple[str | None, int]]] = {name: [] for name in FACETS}
    hits: list[tuple[int, int]] = []
    total = capped = 0
    for name, value, n in db.execute(union_all(*branches)):
        if not name:
            total = n
        elif name == "capped":
            capped = n > COUNT_LIMIT
        elif name == "hit":
            hits.append((n, int(value)))
        else:
            counts[name].append((value, n))
    facets = {name: _facet(db, query, name, rows) for name, rows in counts.items()}
    return [record_id for _, record_id in sorted(hits)], total, facets, bool(capped)


def _facet(db: Session, query: SearchQuery, name: str, rows) -> list[FacetValue]:
    if name == "jurisdiction":  # a place's own records are not a place below it
        rows = [(value, n) for value, n in rows if value not in (None, query.jurisdiction)]
    if name == "agency":
        rows = [(value, n) for value, n in rows if value is not None]
    if name == "withdrawn":  # booleans come back as text of the backend's own spelling
        rows = [(value in ("1", "true"), n) for value, n in rows]
    rows.sort(key=lambda row: (-row[1], str(row[0])))
    if name == "agency":
        rows = rows[:AGENCY_FACET_SIZE]
    labels = _facet_labels(db, name, [value for value, _ in rows])
    chosen = _facet_key(name, getattr(query, name))
    return [
        FacetValue(_facet_key(name, value), labels[value], n, _facet_key(name, value) == chosen)
        for value, n in rows
    ]


def _facet_key(name: str, value) -> str:
    if name == "withdrawn":
        return "1" if value else "0"
    if name == "library" and value is None:
        return NO_LIBRARY
    return "" if value is None else str(value)


def _facet_labels(db: Session, name: str, values: list) -> dict:
    if name == "jurisdiction":
        return {v: jurisdictions.full_name(v) or v for v in values}
    if name == "collection":
        return {v: COLLECTION_NAMES.get(v, v or "（未注明）") for v in values}
    if name == "library":
        ids = [int(v) for v in values if v is not None]
        names = dict(db.execute(select(Library.id, Library.name).where(Library.id.in_(ids))).all())
        return {v: names.get(int(v), v) if v is not None else NO_LIBRARY_NAME for v in values}
    if name == "withdrawn":
        return {v: WITHDRAWN_NAMES[bool(v)] for v in values}
    if name == "review_state":
        return {v: STATE_NAMES.get(v, v) for v in values}
    return {v: v if v else "（未注明）" for v in values}


def _hits(db: Session, query: SearchQuery, ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    records = {r.id: r for r in db.scalars(select(Record).where(Record.id.in_(ids)))}
    views = load_views(db, [records[i] for i in ids])
    library_ids = {r.library_id for r in records.values() if r.library_id is not None}
    names = dict(
        db.execute(select(Library.id, Library.name).where(Library.id.in_(library_ids))).all()
    )
    terms = query.terms
    duplicates = duplicates_of(db, list(records.values()))
    return [
        Hit(
            record=view.record,
            captures=view.captures,
            title=highlight(view.record.title or view.record.site_name, terms),
            snippet=snippet(view.record.body or view.record.description, terms),
            library=names.get(view.record.library_id),
            duplicates=duplicates[view.record.id],
        )
        for view in views
    ]
