"""The OAI-PMH provider over real HTTP: every verb, every error, sets, dates, resumption,
deleted records; every response validated against the official OAI-PMH schema.

These tests are about the protocol: they serve every record (``DIANCANG_PUBLISH_POLICY=all``).
What the default policy, ``reviewed``, serves is tested in test_oai_publishing.py."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from catalog_helpers import ingest, records_by_path
from sqlalchemy import select, update
from warc_files import write_warc

from diancang.catalog.duplicates import withdraw
from diancang.catalog.models import Record

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
G = "{urn:x-diancang:govinfo:1.0}"


def hebei_page(n: int, title: str) -> bytes:
    return f"""<html><head><meta charset="gb2312"><meta name="SiteIDCode" content="1304000009">
<title>{title}</title></head><body>
<p><strong>索引号</strong>：130400-2024-{n:05d}</p><p><strong>发布机构</strong>：邯郸市人民政府</p>
<p><strong>文号</strong>：无</p><p><strong>发布日期</strong>：2024年3月{n % 28 + 1}日</p>
<h1>{title}</h1><div class="content"><p>{title}，特此通知。第{n}号。</p></div>
</body></html>""".encode("gb18030")


def hebei_warc(path, jurisdiction: str, numbers: range):
    pages = [
        {"url": f"http://www.hd.gov.cn/xxgk/{jurisdiction}/{n}.html",
         "body": hebei_page(n, f"邯郸市关于第{n}项工作安排的通知"), "content_type": "text/html"}
        for n in numbers
    ]  # fmt: skip
    info = {"collection": "govinfo", "jurisdiction": jurisdiction, "seed": f"hd-{jurisdiction}"}
    return write_warc(path, pages, info)


@pytest.fixture(autouse=True)
def every_record_served(monkeypatch):
    monkeypatch.setenv("DIANCANG_PUBLISH_POLICY", "all")


@pytest.fixture
def harvestable(catalog, demo_warc, tmp_path):
    """The demo portal (重庆市 500000), Handan city 130400 and its district 130402."""
    ingest(catalog, demo_warc)
    ingest(catalog, hebei_warc(tmp_path / "hd-city.warc.gz", "130400", range(1, 4)))
    ingest(catalog, hebei_warc(tmp_path / "hd-district.warc.gz", "130402", range(10, 12)))
    return catalog


def request(server, validate, **params):
    with urlopen(f"{server.url}/oai?{urlencode(params)}", timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/xml")
        return validate(response.read())


def error_code(doc) -> str | None:
    error = doc.find(f"{OAI}error")
    return error.get("code") if error is not None else None


def identifiers(doc) -> list[str]:
    return [e.text for e in doc.iter(f"{OAI}identifier")]


def all_headers(server, validate, verb: str, **params) -> list:
    """Headers of every page of a list request, following resumption tokens."""
    headers, query = [], {"verb": verb, **params}
    while True:
        doc = validate_get(server, validate, query)
        headers += list(doc.iter(f"{OAI}header"))
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return headers
        query = {"verb": verb, "resumptionToken": token.text}


def validate_get(server, validate, query: dict):
    return request(server, validate, **query)


def test_identify(harvestable, oai_server, oai_validator):
    doc = request(oai_server, oai_validator, verb="Identify")
    identify = doc.find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}baseURL") == f"{oai_server.url}/oai"
    assert identify.findtext(f"{OAI}protocolVersion") == "2.0"
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"


def test_list_metadata_formats_and_sets(harvestable, oai_server, oai_validator):
    doc = request(oai_server, oai_validator, verb="ListMetadataFormats")
    assert {e.text for e in doc.iter(f"{OAI}metadataPrefix")} == {"oai_dc", "govinfo"}
    doc = request(oai_server, oai_validator, verb="ListSets")
    specs = {e.text for e in doc.iter(f"{OAI}setSpec")}
    assert {"collection:govinfo", "jurisdiction:500000", "jurisdiction:130000",
            "jurisdiction:130400", "jurisdiction:130402", "type:govinfo"} <= specs  # fmt: skip
    names = {
        s.findtext(f"{OAI}setSpec"): s.findtext(f"{OAI}setName") for s in doc.iter(f"{OAI}set")
    }
    assert names["jurisdiction:130400"] == "河北省邯郸市"


def test_get_record_in_oai_dc_and_govinfo(harvestable, oai_server, oai_validator):
    record = records_by_path(harvestable)["/xxgk/2018/08/t20180814_1024.html"]
    identifier = f"oai:diancang.local:{record.id}"
    doc = request(
        oai_server, oai_validator, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc"
    )
    dc = doc.find(".//{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
    assert dc.findtext(f"{DC}title").startswith("国务院办公厅关于印发全国深化“放管服”改革")
    assert dc.findtext(f"{DC}creator") == "国务院办公厅"
    assert dc.findtext(f"{DC}date") == "2018-08-14"
    dc_ids = [e.text for e in dc.iter(f"{DC}identifier")]
    assert "000014349/2018-00222" in dc_ids
    assert any("/govinfo-500000/" in i and i.endswith("/xxgk/2018/08/t20180814_1024.html")
               for i in dc_ids)  # fmt: skip
    assert dc.findtext(f"{DC}language") == "zh"
    assert dc.findtext(f"{DC}coverage") == "重庆市 (500000)"
    doc = request(
        oai_server, oai_validator, verb="GetRecord", identifier=identifier, metadataPrefix="govinfo"
    )
    g = doc.find(f".//{G}record")
    assert g.findtext(f"{G}documentNumber") == "国办发〔2018〕79号"
    assert g.findtext(f"{G}dateWritten") == "2018-08-05"
    assert g.find(f"{G}jurisdiction").get("code") == "500000"
    rules = {f.get("name"): f.get("rule") for f in g.iter(f"{G}field")}
    assert rules["index_no"] == "label:td>b"


def test_sets_select_province_city_and_county(harvestable, oai_server, oai_validator):
    def count(spec: str) -> int:
        headers = all_headers(
            oai_server, oai_validator, "ListIdentifiers", metadataPrefix="oai_dc", set=spec
        )
        return len(headers)

    assert count("jurisdiction:130000") == 5  # province: the city and its district
    assert count("jurisdiction:130400") == 5
    assert count("jurisdiction:130402") == 2
    assert count("jurisdiction:500000") == 24
    assert count("collection:govinfo") == 29
    assert count("jurisdiction") == 29


def test_from_and_until_select_by_datestamp(harvestable, oai_server, oai_validator):
    with harvestable.session() as session:
        ids = sorted(session.scalars(select(Record.id)))
        session.execute(update(Record).values(datestamp=datetime(2024, 1, 1, 12, 0, 0)))
        session.execute(
            update(Record)
            .where(Record.id.in_(ids[:3]))
            .values(datestamp=datetime(2024, 2, 1, 8, 30, 15))
        )
    ask = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    doc = request(oai_server, oai_validator, **ask, **{"from": "2024-02-01"})
    assert len(identifiers(doc)) == 3
    doc = request(oai_server, oai_validator, **ask, until="2024-01-01")
    assert len(identifiers(doc)) == 7  # the first page of 26
    doc = request(oai_server, oai_validator, **ask,
                  **{"from": "2024-02-01T08:30:15Z", "until": "2024-02-01T08:30:15Z"})  # fmt: skip
    assert sorted(int(i.rsplit(":", 1)[1]) for i in identifiers(doc)) == ids[:3]
    doc = request(oai_server, oai_validator, **ask, **{"from": "2024-02-01T08:30:16Z"})
    assert error_code(doc) == "noRecordsMatch"


ERROR_CASES = [
    ({}, "badVerb"),
    ({"verb": "Frobnicate"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "govinfo"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01",
      "until": "2024-02-01T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01",
      "until": "2024-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:diancang.local:1"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:diancang.local:1", "metadataPrefix": "mods"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:diancang.local:999999", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:diancang.local:999999"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2001-01-01"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "collection:none"},
     "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "jurisdiction:990000"},
     "noRecordsMatch"),
]  # fmt: skip


def test_every_bad_request_gets_its_error_code(harvestable, oai_server, oai_validator):
    wrong = []
    for params, code in ERROR_CASES:
        query = urlencode(params, doseq=True)
        with urlopen(f"{oai_server.url}/oai?{query}", timeout=30) as response:
            doc = oai_validator(response.read())
        if error_code(doc) != code:
            wrong.append((params, code, error_code(doc)))
        echoed = dict(doc.find(f"{OAI}request").attrib)
        if code in {"badVerb", "badArgument"} and echoed:
            wrong.append((params, "no request attributes", echoed))
    assert wrong == []
    assert {code for _, code in ERROR_CASES} | {"noSetHierarchy", "noMetadataFormats"} == {
        "badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat",
        "idDoesNotExist", "noRecordsMatch", "noMetadataFormats", "noSetHierarchy",
    }  # fmt: skip


def test_no_set_hierarchy_and_no_records_in_an_empty_repository(catalog, oai_server, oai_validator):
    assert error_code(request(oai_server, oai_validator, verb="ListSets")) == "noSetHierarchy"
    doc = request(oai_server, oai_validator, verb="ListRecords", metadataPrefix="oai_dc",
                  set="collection:govinfo")  # fmt: skip
    assert error_code(doc) == "noSetHierarchy"
    doc = request(oai_server, oai_validator, verb="ListRecords", metadataPrefix="oai_dc")
    assert error_code(doc) == "noRecordsMatch"


def test_deleted_records_stay_visible_as_deleted(harvestable, oai_server, oai_validator):
    record = records_by_path(harvestable)["/xxgk/2024/01/t20240112_1005.html"]
    identifier = f"oai:diancang.local:{record.id}"
    with harvestable.session() as session:
        assert withdraw(session, [record.id, 123456]) == [123456]
    doc = request(oai_server, oai_validator, verb="GetRecord", identifier=identifier,
                  metadataPrefix="oai_dc")  # fmt: skip
    header = doc.find(f".//{OAI}header")
    assert header.get("status") == "deleted"
    assert doc.find(f".//{OAI}metadata") is None
    doc = request(oai_server, oai_validator, verb="ListMetadataFormats", identifier=identifier)
    assert error_code(doc) == "noMetadataFormats"
    headers = all_headers(oai_server, oai_validator, "ListRecords", metadataPrefix="govinfo",
                          set="jurisdiction:500000",
                          **{"from": header.findtext(f"{OAI}datestamp")})  # fmt: skip
    deleted = [h for h in headers if h.get("status") == "deleted"]
    assert [h.findtext(f"{OAI}identifier") for h in deleted] == [identifier]


def test_resumption_pages_are_valid_and_cover_every_record(harvestable, oai_server, oai_validator):
    seen, params, pages = [], {"verb": "ListRecords", "metadataPrefix": "govinfo"}, 0
    while True:
        doc = request(oai_server, oai_validator, **params)
        pages += 1
        seen += [h.findtext(f"{OAI}identifier") for h in doc.iter(f"{OAI}header")]
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        assert int(token.get("cursor")) == len(seen) - len(identifiers(doc))
        params = {"verb": "ListRecords", "resumptionToken": token.text}
    assert pages == 5 and len(seen) == len(set(seen)) == 29


def test_sickle_harvests_every_record_exactly_once_while_records_are_added(
    harvestable, oai_server, tmp_path
):
    from sickle import Sickle

    with harvestable.session() as session:
        before = {f"oai:diancang.local:{i}" for i in session.scalars(select(Record.id))}
    harvester = Sickle(f"{oai_server.url}/oai", max_retries=1, timeout=30)
    seen: list[str] = []
    added = 0
    for n, record in enumerate(harvester.ListRecords(metadataPrefix="oai_dc")):
        seen.append(record.header.identifier)
        assert record.metadata["language"] == ["zh"]
        if n % 7 == 3 and added < 4:  # between pages, new documents are catalogued
            warc = hebei_warc(tmp_path / f"new-{added}.warc.gz", "130402",
                              range(100 + 10 * added, 103 + 10 * added))  # fmt: skip
            ingest(harvestable, warc)
            added += 1
    assert added == 4
    assert len(seen) == len(set(seen)), "no record is sent twice"
    assert before <= set(seen), "every record that existed is harvested"
    assert len(seen) == len(before) + 12  # records added during the harvest come at the end


def test_sickle_reads_the_govinfo_format_and_sets(harvestable, oai_server):
    from sickle import Sickle

    harvester = Sickle(f"{oai_server.url}/oai", max_retries=1, timeout=30)
    records = list(harvester.ListRecords(metadataPrefix="govinfo", set="jurisdiction:130402"))
    assert len(records) == 2
    assert all(r.metadata["indexNumber"][0].startswith("130400-2024-") for r in records)
    assert {r.metadata["agency"][0] for r in records} == {"邯郸市人民政府"}
    assert [s.setSpec for s in harvester.ListSets()][:3] == ["collection", "jurisdiction", "type"]
