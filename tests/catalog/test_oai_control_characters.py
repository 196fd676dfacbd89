"""One page with a character XML cannot carry must cost nothing: the site of such pages is
crawled and catalogued, then harvested completely in both formats by an independent
harvester, every response valid against the official OAI-PMH schema. Odd requests answer
with OAI-PMH errors, never HTTP 500."""

from __future__ import annotations

import base64
import json
import os
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from crawl_helpers import BIN, warc_files
from sites.control_characters import BAD_CHARACTERS
from sqlalchemy import func, select, update

from diancang.catalog.models import Attachment, Capture, Record

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
G = "{urn:x-diancang:govinfo:1.0}"
FORMATS = ("oai_dc", "govinfo")


def catalog_ingest(database_url: str, warcs) -> None:
    import subprocess

    env = {**os.environ, "DIANCANG_DATABASE_URL": database_url}
    result = subprocess.run(
        [str(BIN / "diancang"), "catalog", "ingest", *map(str, warcs)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(autouse=True)
def every_record_served(monkeypatch):
    """About characters, not review: every catalogued record is served."""
    monkeypatch.setenv("DIANCANG_PUBLISH_POLICY", "all")


@pytest.fixture
def catalogued(catalog, database_url, control_character_crawl):
    catalog_ingest(database_url, warc_files(control_character_crawl.data_dir))
    return catalog


def record_count(catalog) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count(Record.id)))


def harvest(server, validate, metadata_prefix: str, verb: str = "ListRecords") -> list:
    """Every record with sickle; every response it reads is validated against the schema."""
    from sickle import Sickle

    responses = []

    def check(response, *args, **kwargs):
        assert response.status_code == 200, response.text[-2000:]
        validate(response.content)
        responses.append(response.url)

    harvester = Sickle(f"{server.url}/oai", max_retries=1, timeout=30, hooks={"response": check})
    items = list(getattr(harvester, verb)(metadataPrefix=metadata_prefix))
    assert len(responses) > 1, "the harvest spans several pages"
    return items


def get(server, validate, **params):
    with urlopen(f"{server.url}/oai?{urlencode(params, doseq=True)}", timeout=30) as response:
        assert response.status == 200
        return validate(response.read())


def error_code(doc) -> str | None:
    error = doc.find(f"{OAI}error")
    return error.get("code") if error is not None else None


def test_a_site_of_control_characters_is_harvested_completely(
    catalogued, oai_server, oai_validator
):
    records = record_count(catalogued)
    assert records == len(BAD_CHARACTERS)  # each page is its own record
    for prefix in FORMATS:
        harvested = harvest(oai_server, oai_validator, prefix)
        identifiers = [r.header.identifier for r in harvested]
        assert len(identifiers) == len(set(identifiers)) == records
        headers = harvest(oai_server, oai_validator, prefix, "ListIdentifiers")
        assert len(headers) == records
    by_title = {}
    for r in harvest(oai_server, oai_validator, "oai_dc"):
        by_title[r.metadata["title"][0]] = r
        for identifier in r.metadata["identifier"]:  # 索引号 and replay URL, never broken
            assert "\x01" not in identifier
    # the raw character is gone from the record's text, the page's words are kept
    assert "关于第0批重点项目的通知" in by_title  # \x01 removed
    assert "关于第4批 重点项目的通知" in by_title  # form feed: a space between words
    with catalogued.session() as session:
        raw = {r.index_no: r.raw_values for r in session.scalars(select(Record))}
    assert raw["130400-2024-00000"]["agency"] == "邯郸市\x01人民政府", "raw value kept"


def test_get_record_serves_each_record_in_both_formats(catalogued, oai_server, oai_validator):
    with catalogued.session() as session:
        ids = list(session.scalars(select(Record.id)))
    for record_id in ids:
        for prefix in FORMATS:
            identifier = f"oai:diancang.local:{record_id}"
            doc = get(oai_server, oai_validator, verb="GetRecord", identifier=identifier,
                      metadataPrefix=prefix)  # fmt: skip
            assert error_code(doc) is None
            assert doc.find(f".//{OAI}metadata") is not None


STORED_BAD = "甲\x01乙\x08丙\x1b丁\ufffe戊\uffff己\x1f庚"  # PostgreSQL text cannot hold \x00


def test_records_stored_with_control_characters_still_serve(catalogued, oai_server, oai_validator):
    """A catalogue built before the cleaning holds raw characters: output cleans them."""
    with catalogued.session() as session:
        session.execute(
            update(Record).values(
                title=STORED_BAD, agency=STORED_BAD, body=STORED_BAD, keywords=STORED_BAD,
                collection="govinfo\x1b", raw_values={"title": "a\ud800b" + STORED_BAD},
                provenance={"title": "label:\x01", "agency": "meta:\ufffe"},
            )
        )  # fmt: skip
        session.execute(update(Attachment).values(name=STORED_BAD))
        session.execute(update(Capture).values(mime="text/html\x01"))
        session.commit()
    for prefix in FORMATS:
        harvested = harvest(oai_server, oai_validator, prefix)
        assert len(harvested) == record_count(catalogued)
    doc = get(oai_server, oai_validator, verb="ListRecords", metadataPrefix="govinfo")
    assert doc.findtext(f".//{G}title") == "甲乙丙丁戊己 庚"
    printed = {f.get("name"): f.get("printed") for f in doc.iter(f"{G}field")}
    assert printed["title"].startswith("a\ufffdb甲乙丙")
    doc = get(oai_server, oai_validator, verb="ListSets")
    assert "collection:govinfo" in {e.text for e in doc.iter(f"{OAI}setSpec")}


def token(**fields) -> str:
    position = {
        "verb": "ListRecords", "prefix": "oai_dc", "set_spec": None, "from_": None,
        "until": None, "after_datestamp": "2024-01-01T00:00:00", "after_id": 1, "cursor": 7,
    }  # fmt: skip
    position.update(fields)
    data = json.dumps(position).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
ID = "oai:diancang.local:1"
ODD_REQUESTS = [
    ({"verb": "Identify\x01"}, "badVerb"),
    ({"verb": "\ufffe"}, "badVerb"),
    ({"verb": "x" * 10_000}, "badVerb"),
    ({**LIST, "metadataPrefix": "oai_dc\x1b"}, "badArgument"),
    ({**LIST, "set": "collection:govinfo\x00"}, "badArgument"),
    ({**LIST, "from": "2024-01-01\x08"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": ID + "\x01", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "Identify", "x\x01": "1"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": token() + "\x01"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:" + "x" * 5000, "metadataPrefix": "oai_dc"},
     "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "A" * 5000}, "badArgument"),
    ({**LIST, "set": ["collection:govinfo", "type:govinfo"]}, "badArgument"),
    ({"verb": "GetRecord", "identifier": [ID, ID], "metadataPrefix": "oai_dc"}, "badArgument"),
    ({**LIST, "from": "2024-02-01", "until": "2024-01-01"}, "badArgument"),
    ({**LIST, "from": "２０２４-01-01"}, "badArgument"),
    ({**LIST, "from": "2024-1-1"}, "badArgument"),
    ({**LIST, "until": "9999-12-31T23:59:60Z"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": token(after_id=10**30)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(after_id=2**31)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(after_id="1")}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(after_id=True)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(cursor=-1)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(prefix=["oai_dc"])}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(set_spec=7)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(from_=20240101)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(from_="junk")}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(after_datestamp=5)}, "badResumptionToken"),
    ({"verb": "ListRecords",
      "resumptionToken": token(after_datestamp="2024-01-01T00:00:00+08:00")},
     "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(verb=None)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": token(extra=1)}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": base64.urlsafe_b64encode(b"[1,2]").decode()},
     "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": base64.urlsafe_b64encode(b"[" * 700).decode()},
     "badResumptionToken"),
    ({"verb": "GetRecord", "identifier": "oai:diancang.local:" + "9" * 30,
      "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:diancang.local:١", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:diancang.local:²", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:diancang.local:01", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:diancang.local:" + "9" * 30},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": ":", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:a b", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({**LIST, "set": "jurisdiction:１３０４００"}, "badArgument"),
    ({**LIST, "set": "collection:网事典藏"}, "badArgument"),
    ({**LIST, "metadataPrefix": "oai dc"}, "badArgument"),
    ({**LIST, "set": "jurisdiction:990000"}, "noRecordsMatch"),
]  # fmt: skip


def test_odd_requests_answer_with_oai_errors(catalogued, oai_server, oai_validator):
    wrong = []
    for params, code in ODD_REQUESTS:
        doc = get(oai_server, oai_validator, **params)
        if error_code(doc) != code:
            wrong.append((params, code, error_code(doc), doc.findtext(f"{OAI}error")))
    assert wrong == []


def test_until_the_end_of_time_lists_every_record(catalogued, oai_server, oai_validator):
    for until in ("9999-12-31", "9999-12-31T23:59:59Z"):
        seen, params = 0, {**LIST, "until": until}
        while True:
            doc = get(oai_server, oai_validator, **params)
            assert error_code(doc) is None
            seen += len(list(doc.iter(f"{OAI}record")))
            token_el = doc.find(f".//{OAI}resumptionToken")
            if token_el is None or not token_el.text:
                break
            params = {"verb": "ListRecords", "resumptionToken": token_el.text}
        assert seen == record_count(catalogued)
    doc = get(oai_server, oai_validator, **LIST, **{"from": "9999-12-31T23:59:59Z"})
    assert error_code(doc) == "noRecordsMatch"


def forged_tokens():
    from hypothesis import strategies as st

    anything = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
        st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers()),
    )  # fmt: skip
    plausible = {
        "verb": st.sampled_from(["ListRecords", "ListIdentifiers"]),
        "prefix": st.sampled_from(FORMATS),
        "set_spec": st.sampled_from([None, "collection:govinfo", "jurisdiction:130400"]),
        "from_": st.sampled_from([None, "2024-01-01", "9999-12-31T23:59:59Z"]),
        "until": st.sampled_from([None, "9999-12-31", "0001-01-01"]),
        "after_datestamp": st.datetimes().map(lambda d: d.isoformat()),
        "after_id": st.integers(min_value=-(2**64), max_value=2**64),
        "cursor": st.integers(min_value=-10, max_value=2**40),
    }
    fields = {name: st.one_of(value, anything) for name, value in plausible.items()}
    return st.fixed_dictionaries(fields).map(
        lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    )


def test_fuzzed_requests_never_break_the_provider(catalogued, oai_validator):
    """Arbitrary arguments (any text, forged tokens) through Flask's test client: every
    answer is HTTP 200 and a schema-valid OAI-PMH response."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from werkzeug.datastructures import MultiDict

    from diancang.catalog.oai.provider import VERBS
    from diancang.console.web import create_app

    client = create_app(catalogued, oai_page_size=3).test_client()
    text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
    value = st.one_of(
        text,
        forged_tokens(),
        st.sampled_from([*VERBS, *FORMATS, "oai:diancang.local:1", "oai:diancang.local:" + "9" * 30,
                         "2024-01-01", "9999-12-31", "9999-12-31T23:59:59Z", "collection:govinfo",
                         "jurisdiction:130400", "type:website"]),
    )  # fmt: skip
    names = st.sampled_from(
        ["verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken", "x"]
    )
    arguments = st.lists(st.tuples(names, value), max_size=5)

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(verb=st.one_of(st.sampled_from(list(VERBS)), text), pairs=arguments,
           post=st.booleans())  # fmt: skip
    def answer(verb, pairs, post):
        args = MultiDict([("verb", verb), *pairs])
        response = client.post("/oai", data=args) if post else client.get("/oai", query_string=args)
        assert response.status_code == 200, response.data[-500:]
        oai_validator(response.data)

    answer()
