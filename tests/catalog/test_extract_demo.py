"""Records extracted from the demo portal's disclosure pages, as crawled by wget."""

from __future__ import annotations

from urllib.parse import urlsplit

from catalog_expected import (
    EXPECTED,
    FIELDS,
    GBK_PAGES,
    JURISDICTION,
    REPUBLISHED,
)
from catalog_helpers import ingest, records_by_path
from sqlalchemy import select

from diancang.catalog.models import Capture
from diancang.catalog.site_rules import SiteRule, SiteRules


def test_every_field_of_every_disclosure_page_matches_the_hand_written_table(catalog, demo_warc):
    ingest(catalog, demo_warc)
    records = records_by_path(catalog)
    assert set(records) == set(EXPECTED) | set(REPUBLISHED)
    assert len({r.id for r in records.values()}) == len(EXPECTED), "copies are merged"
    mismatches = []
    for path, expected in EXPECTED.items():
        record = records[path]
        for name, value in zip(FIELDS, expected, strict=True):
            if getattr(record, name) != value:
                mismatches.append((path, name, getattr(record, name), value))
        if (record.jurisdiction_code, record.jurisdiction_name) != JURISDICTION:
            mismatches.append((path, "jurisdiction", record.jurisdiction_code, JURISDICTION))
    assert mismatches == []


def test_each_field_keeps_the_rule_that_produced_it(catalog, demo_warc):
    ingest(catalog, demo_warc)
    records = records_by_path(catalog)
    govcn = records["/xxgk/2018/08/t20180814_1024.html"]
    assert govcn.provenance["title"] == "meta:ArticleTitle"
    assert govcn.provenance["index_no"] == "label:td>b"
    assert govcn.provenance["agency"] == "label:td>b"  # not meta ContentSource (中国政府网)
    assert govcn.raw_values["written_date"] == "2018年8月5日"
    assert govcn.provenance["body"] == "visible:#UCAP-CONTENT"
    assert "现印发给你们" in govcn.body
    dl = records["/xxgk/2023/12/t20231228_1006.html"]
    assert dl.provenance["index_no"] == "label:dt"
    city = records["/xxgk/2024/01/t20240112_1005.html"]
    assert city.provenance["index_no"] == "label:p>strong"
    assert city.provenance["written_date"] == "comment:p>strong"
    assert city.raw_values["doc_number"] == "无" and city.doc_number is None
    for record in records.values():
        for name in FIELDS:
            if getattr(record, name) is not None:
                assert record.provenance.get(name), (record.source_url, name)


def test_gbk_and_gb2312_pages_are_decoded_as_gb18030(catalog, demo_warc):
    ingest(catalog, demo_warc)
    with catalog.session() as session:
        charsets = {
            urlsplit(c.url).path: c.charset
            for c in session.scalars(select(Capture).where(Capture.charset.is_not(None)))
        }
    for path in GBK_PAGES:
        assert charsets[path] == "gb18030", path
    assert charsets["/xxgk/2024/03/t20240305_1001.html"] == "utf-8"
    assert "王喆" in records_by_path(catalog)["/xxgk/2023/06/t20230602_1011.html"].title


def test_republished_copies_join_the_original_record(catalog, demo_warc):
    ingest(catalog, demo_warc)
    with catalog.session() as session:
        for copy, original in REPUBLISHED.items():
            capture = session.scalars(select(Capture).where(Capture.url.endswith(copy))).one()
            assert capture.record is not None
            assert urlsplit(capture.record.source_url).path in {original, copy}
            siblings = {urlsplit(c.url).path for c in capture.record.captures}
            assert {copy, original} <= siblings


def test_the_deviating_layout_is_read_with_the_seed_lists_override(catalog, demo_warc, demo_portal):
    host = urlsplit(demo_portal.base_url).netloc
    rules = SiteRules(
        [
            SiteRule(
                seed_id="cq-gov",
                host=host,
                jurisdiction="500000",
                collection="govinfo",
                extract={
                    "index_no": "css:div.doc-attrs div.attr:nth-child(1) i",
                    "发文单位": "xpath://div[@class='doc-attrs']/div[3]/i",
                    "written_date": "xpath://div[@class='doc-attrs']/div[4]/i/text()",
                    "body": "css:div.view",
                },
            )
        ]
    )
    ingest(catalog, demo_warc, rules=rules)
    records = records_by_path(catalog)
    record = records["/xxgk/2020/03/t20200316_1023.html"]
    assert record.index_no == "01527918X-2020-153077"
    assert record.provenance["index_no"] == "override:css:div.doc-attrs div.attr:nth-child(1) i"
    assert record.agency == "重庆市经济和信息化委员会"
    assert record.provenance["agency"].startswith("override:xpath:")
    assert record.written_date == "2020-03-12"
    assert record.provenance["body"] == "override:css:div.view"
    assert record.body.startswith("各区县（自治县）经济信息委")
    # pages of other layouts: the override matches nothing and the generic rules apply
    other = records["/xxgk/2024/03/t20240305_1001.html"]
    assert other.provenance["index_no"] == "label:td>b"
    assert other.index_no == "11500000009275780L/2024-00051"


def test_ingest_reads_overrides_from_a_seed_list_file(catalog, demo_warc, demo_portal, tmp_path):
    from click.testing import CliRunner

    from diancang.console.catalog_commands import catalog as catalog_group

    seed_list = tmp_path / "seeds.yaml"
    seed_list.write_text(
        f"""seeds:
  - id: demo-cq
    url: {demo_portal.base_url}
    title: 重庆市人民政府（演示）
    jurisdiction: "500000"
    collection: govinfo
    extract:
      index_no: "css:div.doc-attrs div.attr:nth-child(1) i::text"
      date: "xpath://div[@class='doc-attrs']/div[6]/i/text()"
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        catalog_group,
        ["ingest", "--seeds", str(seed_list), str(demo_warc)],
        env={"DIANCANG_DATABASE_URL": catalog.url},
    )
    assert result.exit_code == 0, result.output
    record = records_by_path(catalog)["/xxgk/2020/03/t20200316_1023.html"]
    assert record.provenance["index_no"].startswith("override:css:")
    assert (
        record.provenance["pub_date"] == "override:xpath://div[@class='doc-attrs']/div[6]/i/text()"
    )
    assert (record.index_no, record.pub_date) == ("01527918X-2020-153077", "2020-03-16")
    assert record.raw_values["pub_date"] == "2020-03-16 11:00"
