"""OAI-PMH under the default publish policy, ``reviewed``: only records a curator approved
are served (every verb: lists, GetRecord, Identify's earliestDatestamp, sets); a published
record that review rejects is served as a deleted record; a patch keeps an approved record
published. ``all`` serves every record as before. Every response is validated against the
official OAI-PMH schema, and an independent harvester (sickle) reads the same."""

from __future__ import annotations

from datetime import datetime

import pytest
from catalog_helpers import ingest, records_by_path
from console.console_helpers import add_accounts
from review_rows import decide_now, items_of_records, library
from sqlalchemy import func, select, update
from test_oai import OAI, all_headers, error_code, hebei_warc, request

from diancang.catalog.models import Record
from diancang.catalog.oai.provider import Provider, format_datestamp
from diancang.review.states import APPROVE, PATCH, REJECT

CURATOR = "sjz-curator"
SJZ = "石家庄市图书馆"


@pytest.fixture(autouse=True)
def reviewed_policy(monkeypatch):
    monkeypatch.setenv("DIANCANG_PUBLISH_POLICY", "reviewed")


@pytest.fixture
def pages(catalog, database_url, tmp_path):
    """Handan city 130400 (records c1–c3) and its district 130402 (d10, d11), each with a
    pending review item of 石家庄市图书馆 (whose curator decides)."""
    ingest(catalog, hebei_warc(tmp_path / "hd-city.warc.gz", "130400", range(1, 4)))
    ingest(catalog, hebei_warc(tmp_path / "hd-district.warc.gz", "130402", range(10, 12)))
    add_accounts(database_url)
    by_path = records_by_path(catalog)
    ids = {
        name: by_path[f"/xxgk/{code}/{n}.html"].id
        for name, code, n in [("c1", "130400", 1), ("c2", "130400", 2), ("c3", "130400", 3),
                              ("d10", "130402", 10), ("d11", "130402", 11)]
    }  # fmt: skip
    with catalog.session() as session:
        items = items_of_records(session, library(session, SJZ).id, list(ids.values()))
        item_of = {name: items[record_id].id for name, record_id in ids.items()}
    return ids, item_of


def oai_id(record_id: int) -> str:
    return f"oai:diancang.local:{record_id}"


def headers_by_id(server, validate, **params) -> dict[str, object]:
    headers = all_headers(server, validate, "ListIdentifiers", metadataPrefix="oai_dc", **params)
    return {h.findtext(f"{OAI}identifier"): h for h in headers}


def set_specs(server, validate) -> set[str]:
    return {e.text for e in request(server, validate, verb="ListSets").iter(f"{OAI}setSpec")}


def get_record(server, validate, record_id: int, prefix: str = "oai_dc"):
    return request(
        server, validate, verb="GetRecord", identifier=oai_id(record_id), metadataPrefix=prefix
    )


def test_nothing_is_served_before_review(catalog, pages, oai_server, oai_validator):
    ids, _ = pages
    for verb in ("ListRecords", "ListIdentifiers"):
        doc = request(oai_server, oai_validator, verb=verb, metadataPrefix="oai_dc")
        assert error_code(doc) == "noRecordsMatch"
    assert error_code(request(oai_server, oai_validator, verb="ListSets")) == "noSetHierarchy"
    doc = request(oai_server, oai_validator, verb="ListIdentifiers", metadataPrefix="oai_dc",
                  set="jurisdiction:130400")  # fmt: skip
    assert error_code(doc) == "noSetHierarchy"
    assert error_code(get_record(oai_server, oai_validator, ids["c1"])) == "idDoesNotExist"
    doc = request(
        oai_server, oai_validator, verb="ListMetadataFormats", identifier=oai_id(ids["c1"])
    )
    assert error_code(doc) == "idDoesNotExist"
    identify = request(oai_server, oai_validator, verb="Identify")
    assert identify.find(f"{OAI}Identify") is not None


def test_only_approved_records_are_served_a_rejected_published_one_as_deleted(
    catalog, pages, oai_server, oai_validator
):
    ids, item = pages
    with catalog.session() as session:  # a pending record catalogued long ago
        session.execute(
            update(Record).where(Record.id == ids["c3"]).values(datestamp=datetime(2001, 1, 1))
        )
    decide_now(catalog, item["c1"], CURATOR, APPROVE)
    decide_now(catalog, item["c2"], CURATOR, APPROVE)
    decide_now(catalog, item["d10"], CURATOR, REJECT, reason="非本辖区")  # never published

    assert set(headers_by_id(oai_server, oai_validator)) == {oai_id(ids["c1"]), oai_id(ids["c2"])}
    specs = set_specs(oai_server, oai_validator)
    assert "jurisdiction:130400" in specs and "jurisdiction:130402" not in specs
    doc = request(oai_server, oai_validator, verb="ListIdentifiers", metadataPrefix="oai_dc",
                  set="jurisdiction:130402")  # fmt: skip
    assert error_code(doc) == "noRecordsMatch"
    for name in ("c3", "d10"):
        assert error_code(get_record(oai_server, oai_validator, ids[name])) == "idDoesNotExist"
    with catalog.session() as session:
        earliest = session.scalar(select(func.min(Record.datestamp)).where(Record.published))
    identify = request(oai_server, oai_validator, verb="Identify")
    assert identify.findtext(f".//{OAI}earliestDatestamp") == format_datestamp(earliest)
    assert not format_datestamp(earliest).startswith("2001")

    decide_now(catalog, item["d11"], CURATOR, APPROVE)
    approved = get_record(oai_server, oai_validator, ids["d11"])
    approved_at = approved.findtext(f".//{OAI}datestamp")
    assert approved.find(f".//{OAI}metadata") is not None
    decide_now(catalog, item["d11"], CURATOR, REJECT, reason="内容不完整")  # once published

    headers = headers_by_id(oai_server, oai_validator)
    assert set(headers) == {oai_id(ids[n]) for n in ("c1", "c2", "d11")}
    assert [i for i, h in headers.items() if h.get("status") == "deleted"] == [oai_id(ids["d11"])]
    deleted = get_record(oai_server, oai_validator, ids["d11"], "govinfo")
    assert deleted.find(f".//{OAI}header").get("status") == "deleted"
    assert deleted.find(f".//{OAI}metadata") is None
    assert deleted.findtext(f".//{OAI}datestamp") >= approved_at  # an incremental harvest sees it
    doc = request(
        oai_server, oai_validator, verb="ListMetadataFormats", identifier=oai_id(ids["d11"])
    )
    assert error_code(doc) == "noMetadataFormats"
    assert "jurisdiction:130402" in set_specs(oai_server, oai_validator)


def test_sickle_harvests_the_approved_records_and_the_deletion(
    catalog, pages, oai_server, oai_validator
):
    from sickle import Sickle

    ids, item = pages
    for name in ("c1", "c2", "c3", "d11"):
        decide_now(catalog, item[name], CURATOR, APPROVE)
    decide_now(catalog, item["c3"], CURATOR, REJECT, reason="重复采集")
    responses = []

    def check(response, *args, **kwargs):
        assert response.status_code == 200
        oai_validator(response.content)
        responses.append(response.url)

    harvester = Sickle(
        f"{oai_server.url}/oai", max_retries=1, timeout=30, hooks={"response": check}
    )
    records = {r.header.identifier: r for r in harvester.ListRecords(metadataPrefix="govinfo")}
    assert set(records) == {oai_id(ids[n]) for n in ("c1", "c2", "c3", "d11")}
    assert {i for i, r in records.items() if r.header.deleted} == {oai_id(ids["c3"])}
    assert records[oai_id(ids["c1"])].metadata["agency"] == ["邯郸市人民政府"]
    district = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="jurisdiction:130402"))
    assert [h.identifier for h in district] == [oai_id(ids["d11"])]
    assert responses


def test_an_approved_records_patch_keeps_it_published(
    catalog, pages, oai_server, oai_validator, tmp_path
):
    ids, item = pages
    decide_now(catalog, item["c1"], CURATOR, APPROVE)
    decide_now(catalog, item["c1"], CURATOR, PATCH, detail={"job": None, "urls": []})
    # the patch job's capture of the same page joins the record
    ingest(catalog, hebei_warc(tmp_path / "patch.warc.gz", "130400", range(1, 2)))
    with catalog.session() as session:
        record = session.get(Record, ids["c1"])
        assert (record.published, record.review_state) == (True, "approved")
        assert len(record.captures) == 2
    doc = get_record(oai_server, oai_validator, ids["c1"])
    assert doc.find(f".//{OAI}header").get("status") is None
    assert doc.find(f".//{OAI}metadata") is not None
    assert set(headers_by_id(oai_server, oai_validator)) == {oai_id(ids["c1"])}


def test_policy_all_serves_every_record_and_a_rejected_one_as_deleted(
    catalog, pages, oai_validator
):
    ids, item = pages
    decide_now(catalog, item["d10"], CURATOR, REJECT, reason="其他")
    provider = Provider(catalog, publish_policy="all", page_size=100)
    doc = oai_validator(
        provider.handle({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]}, "http://x/oai")
    )
    records = {r.findtext(f".//{OAI}identifier"): r for r in doc.iter(f"{OAI}record")}
    assert set(records) == {oai_id(i) for i in ids.values()}
    deleted = {i for i, r in records.items() if r.find(f"{OAI}header").get("status") == "deleted"}
    assert deleted == {oai_id(ids["d10"])}
    assert records[oai_id(ids["d10"])].find(f"{OAI}metadata") is None
    reviewed = Provider(catalog, publish_policy="reviewed", page_size=100)
    doc = oai_validator(
        reviewed.handle({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]}, "http://x/oai")
    )
    assert error_code(doc) == "noRecordsMatch"
