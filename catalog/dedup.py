"""查重: decide whether a newly captured document is one the catalogue already holds.

Rules, in order: the same source URL (a re-capture), the same index number (索引号), the same
issuing agency and document number (发文字号), then a near-duplicate SimHash of title, date
and body: Hamming distance ≤ ``MAX_DISTANCE`` found through four 16-bit bands kept in indexed
columns (pigeonhole: one band is equal), or ≤ ``SAME_TITLE_DISTANCE`` among records with the
same normalised title (short texts move more bits per edit). Every lookup is an index probe.

A near-duplicate never joins records that contradict each other, however alike their text
(the pages of one portal share a template and differ in little else): two different
(issuing agency, 发文字号) pairs are two documents, and so are two different 索引号 on the same
site. Each portal numbers what it publishes, so a document reposted elsewhere carries another
site's 索引号; across sites a different 索引号 does not contradict.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, literal_column, select, union_all
from sqlalchemy.orm import Session

from diancang.catalog.models import KIND_GOVINFO, Capture, Record
from diancang.catalog.site_rules import host_of

MAX_DISTANCE = 3
SAME_TITLE_DISTANCE = 12
SHINGLE = 3
_NON_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)
_NO_DOC_NUMBER = {"无", "暂无"}


_MAX_CHARS = 20000
# _BIT_OF[i] maps a byte to 1 when its bit i is set, else to 0 (for bytes.translate).
_BIT_OF = [bytes((byte >> i) & 1 for byte in range(256)) for i in range(8)]


def simhash64(text: str, shingle: int = SHINGLE) -> int:
    """64-bit SimHash over character ``shingle``-grams (works for unsegmented Chinese)."""
    text = _NON_TEXT.sub("", text)[:_MAX_CHARS]
    if not text:
        return 0
    grams = (
        {text[i : i + shingle] for i in range(len(text) - shingle + 1)}
        if len(text) > shingle
        else {text}
    )
    # The grams' 8-byte hashes side by side (bit 8j+i of a hash is bit i of its byte j):
    # a slice takes byte j of every hash and a translate and a count tell how many set
    # bit i, in C, with no loop per gram.
    blake2b = hashlib.blake2b
    hashes = b"".join([blake2b(gram.encode(), digest_size=8).digest() for gram in grams])
    half = len(grams) / 2
    value = 0
    for j in range(8):
        column = hashes[j::8]
        for i in range(8):
            if column.translate(_BIT_OF[i]).count(1) > half:
                value |= 1 << (8 * j + i)
    return value


def to_signed(value: int) -> int:
    """Store an unsigned 64-bit value in a signed BIGINT column."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def bands(fingerprint: int) -> tuple[int, int, int, int]:
    return tuple((fingerprint >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def hamming(a: int, b: int) -> int:
    return bin(to_unsigned(a) ^ to_unsigned(b)).count("1")


def title_key(title: str | None) -> str | None:
    """Hash of the title without spaces and punctuation, for the same-title lookup."""
    text = _NON_TEXT.sub("", title or "")
    return hashlib.sha1(text.encode()).hexdigest() if len(text) >= 6 else None


def fingerprint_text(title: str | None, date: str | None, body: str | None) -> str:
    return f"{title or ''}{date or ''}{body or ''}"


BAND_COLUMNS = (Record.band0, Record.band1, Record.band2, Record.band3)


@dataclass(frozen=True)
class Match:
    record: Record
    reason: str
    detail: str


def _compatible(
    record: Record, host: str, index_no: str | None, agency: str | None, doc_number: str | None
) -> bool:
    """False when ``record`` and the new document (on ``host``) name different documents."""
    if index_no and record.index_no and index_no != record.index_no:
        if host_of(record.source_url or "") == host:
            return False
    numbered = doc_number and doc_number not in _NO_DOC_NUMBER
    if numbered and agency and record.agency and record.doc_number not in (None, *_NO_DOC_NUMBER):
        return (agency, doc_number) == (record.agency, record.doc_number)
    return True


# find_duplicate's probes, in the order of its rules. One statement runs them all (a
# UNION ALL of index probes), one more loads the near-duplicate candidates.
SAME_URL, INDEX_NO, DOC_NUMBER, SAME_TITLE, BAND = range(5)
CANDIDATES = 50  # records read per near-duplicate probe


@functools.cache
def _probes(index_no: bool, numbered: bool, same_title: bool, fingerprint: bool) -> Select:
    """(rule, record id) of the live records each probe finds; the values are bound."""
    live = (Record.kind == KIND_GOVINFO) & (Record.deleted.is_(False))

    def probe(rule: int) -> Select:
        return select(literal_column(str(rule)).label("rule"), Record.id)

    probes = [
        probe(SAME_URL)
        .join(Capture, Capture.record_id == Record.id)
        .where(live, Capture.url_hash == bindparam("url_hash"))
        .limit(1)
    ]
    if index_no:
        probes.append(
            probe(INDEX_NO)
            .where(live, Record.index_no == bindparam("index_no"))
            .order_by(Record.id)
            .limit(1)
        )
    if numbered:
        probes.append(
            probe(DOC_NUMBER)
            .where(live, Record.agency == bindparam("agency"))
            .where(Record.doc_number == bindparam("doc_number"))
            .order_by(Record.id)
            .limit(1)
        )
    if same_title:
        probes.append(
            probe(SAME_TITLE)
            .where(live, Record.title_key == bindparam("title_key"), Record.simhash.is_not(None))
            .order_by(Record.id)
            .limit(CANDIDATES)
        )
    if fingerprint:  # one indexed probe per band (an OR across four columns would scan)
        probes += [
            probe(BAND).where(live, column == bindparam(f"band{i}")).limit(CANDIDATES)
            for i, column in enumerate(BAND_COLUMNS)
        ]
    return union_all(*(p.subquery().select() for p in probes))


def find_duplicate(
    session: Session,
    *,
    url: str,
    url_hash: str,
    index_no: str | None,
    agency: str | None,
    doc_number: str | None,
    fingerprint: int | None,
    title: str | None = None,
) -> Match | None:
    """The government-information record this document duplicates, with the rule that matched."""
    numbered = bool(agency and doc_number and doc_number not in _NO_DOC_NUMBER)
    same_title = title_key(title) if fingerprint else None
    params = {"url_hash": url_hash, "index_no": index_no, "agency": agency,
              "doc_number": doc_number, "title_key": same_title}  # fmt: skip
    if fingerprint:
        params.update({f"band{i}": band for i, band in enumerate(bands(to_unsigned(fingerprint)))})
    statement = _probes(bool(index_no), numbered, bool(same_title), bool(fingerprint))
    found: dict[int, set[int]] = {}
    for rule, record_id in session.execute(statement, params):
        found.setdefault(rule, set()).add(record_id)
    for rule, reason, detail in (
        (SAME_URL, "same-url", "re-capture of the same URL"),
        (INDEX_NO, "index-number", f"索引号 {index_no}"),
        (DOC_NUMBER, "agency+document-number", f"{agency} {doc_number}"),
    ):
        if rule in found:
            return Match(session.get(Record, min(found[rule])), reason, detail)
    titled, banded = found.get(SAME_TITLE, set()), found.get(BAND, set())
    if not titled | banded:
        return None
    records = session.scalars(select(Record).where(Record.id.in_(sorted(titled | banded))))
    by_id = {record.id: record for record in records}
    host = host_of(url)
    for limit, ids, detail in (
        (SAME_TITLE_DISTANCE, titled, "same title, SimHash distance {}"),
        (MAX_DISTANCE, banded, "SimHash distance {}"),
    ):
        for record in (by_id[record_id] for record_id in sorted(ids)):
            if record.simhash is None or not _compatible(
                record, host, index_no, agency, doc_number
            ):
                continue
            distance = hamming(record.simhash, fingerprint)
            if distance <= limit:
                return Match(record, "near-duplicate", detail.format(distance))
    return None
