"""Idempotent ingest, and 查重 across re-captures, a second site and near-duplicates."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

from catalog_expected import EXPECTED
from catalog_helpers import counts, ingest, records_by_path
from click.testing import CliRunner
from databases import statements_seen
from sqlalchemy import select
from warc_files import write_warc

from diancang.catalog.dedup import hamming, simhash64
from diancang.catalog.duplicates import duplicate_groups
from diancang.catalog.models import Capture, WarcFile


def test_ingesting_the_same_warc_again_adds_nothing(catalog, demo_warc, tmp_path, read_by):
    first = ingest(catalog, demo_warc)
    assert first.captures > 50 and first.records == len(EXPECTED)
    before = counts(catalog)
    again = ingest(catalog, demo_warc)
    assert again.skipped and counts(catalog) == before
    copy = tmp_path / "elsewhere" / demo_warc.name  # the same file found under another path
    copy.parent.mkdir()
    shutil.copy(demo_warc, copy)
    assert ingest(catalog, copy).skipped
    assert counts(catalog) == before


def test_a_file_interrupted_part_way_is_resumed_without_repeats(catalog, demo_warc, read_by):
    ingest(catalog, demo_warc)
    before = counts(catalog)
    with catalog.session() as session:
        warc = session.scalars(select(WarcFile)).one()
        warc.complete = False  # as if the previous run had stopped before the end
        last = session.scalars(select(Capture).order_by(Capture.offset.desc()).limit(1)).one()
        session.delete(last)
    assert counts(catalog)[1] == before[1] - 1
    result = ingest(catalog, demo_warc)
    assert result.captures == 1 and counts(catalog) == before


def test_a_recapture_and_a_copy_on_a_second_site_are_grouped(
    catalog, demo_warc, demo_recrawl_warc, mirror_warc
):
    ingest(catalog, demo_warc)
    ingest(catalog, demo_recrawl_warc)
    ingest(catalog, mirror_warc)
    records = records_by_path(catalog)
    assert len({r.id for r in records.values()}) == len(EXPECTED)
    with catalog.session() as session:
        groups = {g.record_id: g for g in duplicate_groups(session)}
    record = records["/xxgk/2022/06/t20220615_1016.html"]
    group = groups[record.id]
    hosts = {urlsplit(m.url).hostname for m in group.members}
    assert hosts == {"127.0.0.1", "127.0.0.5"}
    assert {"same-url", "index-number"} <= set(group.reasons)
    assert len(group.members) >= 3  # first capture, re-capture, copy on the mirror


def _page(index_no: str, agency: str, doc_number: str, title: str, body: str) -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<table class="xxgk_table"><tr><th>索引号：</th><td>{index_no}</td>
<th>发布机构：</th><td>{agency}</td></tr><tr><th>发文字号：</th><td>{doc_number}</td>
<th>发布日期：</th><td>2024-03-05</td></tr></table><h1>{title}</h1>
<div id="zoom"><p>{body}</p></div></body></html>""".encode()


BODY = (
    "为进一步做好本市城镇老旧小区改造工作，现就有关事项通知如下：一、明确改造内容。"
    "重点改造小区内道路、供排水、供电、燃气、消防等设施，同步推进加装电梯和无障碍设施建设。"
    "二、完善资金保障。统筹中央补助资金、地方财政资金和社会资本，鼓励居民合理分担改造费用，"
    "探索金融机构参与改造的可持续模式。三、加强组织实施。各区县要建立政府统筹、部门协同、"
    "街道负责、居民参与的工作机制，制定年度计划，按期完成改造任务。四、强化监督检查。"
    "市住房城乡建设委会同有关部门定期开展督导，对工作推进不力的区县进行通报，确保改造质量和安全。"
)


def test_agency_and_document_number_and_near_duplicate_text_are_matched(catalog, tmp_path):
    pages = [
        {"url": "http://a.example/doc/1.html",
         "body": _page("A-1", "某市住建委", "某建发〔2024〕3号", "关于老旧小区改造的通知", BODY)},
        # another site, its own index number, same agency and document number
        {"url": "http://b.example/art/9.html",
         "body": _page("B-77", "某市住建委", "某建发〔2024〕3号", "关于老旧小区改造的通知", BODY)},
        # a third site, no document number, the same text with one sentence changed
        {"url": "http://c.example/x.html",
         "body": _page("C-5", "某市住房和城乡建设委员会", "无", "关于老旧小区改造的通知",
                       BODY.replace("按期完成", "按时完成") + "（此件公开发布）")},
        # unrelated document: a record of its own
        {"url": "http://a.example/doc/2.html",
         "body": _page("A-2", "某市住建委", "某建发〔2024〕4号", "关于物业服务收费的通知",
                       "物业服务收费实行政府指导价和市场调节价，具体标准由各区县确定并公布。")},
    ]  # fmt: skip
    ingest(catalog, write_warc(tmp_path / "synthetic.warc.gz", pages))
    with catalog.session() as session:
        groups = duplicate_groups(session)
        assert len(groups) == 1
        reasons = {m.url: m.reason for m in groups[0].members}
    assert reasons == {
        "http://a.example/doc/1.html": "first",
        "http://b.example/art/9.html": "agency+document-number",
        "http://c.example/x.html": "near-duplicate",
    }
    assert len({r.id for r in records_by_path(catalog).values()}) == 2


def test_simhash_distance_is_small_for_edits_and_large_for_other_texts():
    a = simhash64(BODY)
    assert hamming(a, simhash64(BODY + "（此件公开发布）")) <= 12
    assert (
        hamming(a, simhash64("物业服务收费实行政府指导价和市场调节价，具体标准由各区县确定。")) > 10
    )


def test_simhash_gives_the_fingerprints_records_were_stored_with():
    """New pages are compared with fingerprints stored by earlier versions: the values must
    not drift when the function is made faster (these are the first version's)."""
    assert simhash64("物业服务收费实行政府指导价和市场调节价，具体标准由各区县确定。") == (
        16781377145081912416
    )
    assert simhash64("政务") == 6879729327409060661  # shorter than a shingle
    notice = "关于做好2024年政务公开工作的通知 各区县人民政府，市政府各部门：" * 40
    assert simhash64(notice) == 9780644258141325468


def test_duplicates_command_lists_groups_with_their_reasons(
    catalog, demo_warc, demo_recrawl_warc, monkeypatch
):
    from diancang.console.catalog_commands import catalog as catalog_group

    monkeypatch.setenv("DIANCANG_DATABASE_URL", catalog.url)
    runner = CliRunner()
    for warc in (demo_warc, demo_recrawl_warc, demo_warc):
        result = runner.invoke(catalog_group, ["ingest", str(warc)])
        assert result.exit_code == 0, result.output
    assert "already catalogued" in result.output
    result = runner.invoke(catalog_group, ["duplicates"])
    assert result.exit_code == 0, result.output
    assert "same-url" in result.output and "index-number" in result.output
    assert f"{len(EXPECTED)} duplicate groups" in result.output  # every document re-captured


def test_records_are_owned_by_the_library_told_and_an_owned_record_keeps_its_owner(
    sqlite_catalog, tmp_path
):
    from diancang.accounts.libraries import add_library
    from diancang.catalog.models import Record

    with sqlite_catalog.session() as session:
        first = add_library(session, "河北省图书馆", "province", "130000")
        second = add_library(session, "辽宁省图书馆", "province", "210000")
        session.flush()
        first, second = first.id, second.id
    notice = _page("A-1", "某市住建委", "某建发〔2024〕3号", "关于老旧小区改造的通知", BODY)
    fee = _page("A-2", "某市住建委", "某建发〔2024〕4号", "关于物业服务收费的通知",
                "物业服务收费实行政府指导价和市场调节价，具体标准由各区县确定并公布。")  # fmt: skip
    ingest(sqlite_catalog, write_warc(tmp_path / "first.warc.gz", [
        {"url": "http://a.example/doc/1.html", "body": notice},
    ]), library_id=first)  # fmt: skip
    ingest(sqlite_catalog, write_warc(tmp_path / "second.warc.gz", [
        {"url": "http://b.example/art/9.html", "body": notice},  # the same document again
        {"url": "http://a.example/doc/2.html", "body": fee},
    ]), library_id=second)  # fmt: skip
    with sqlite_catalog.session() as session:
        owners = {r.title: r.library_id for r in session.scalars(select(Record))}
    assert owners == {"关于老旧小区改造的通知": first, "关于物业服务收费的通知": second}


def test_a_new_record_is_written_with_its_owner(catalog, tmp_path):
    """A library's new records, documents and the site record, get their owner in their
    INSERT: an UPDATE after it would write the row again (on PostgreSQL a new row version,
    whose text the trigram index takes again)."""
    from diancang.accounts.libraries import add_library
    from diancang.catalog.models import Record

    with catalog.session() as session:
        library = add_library(session, "河北省图书馆", "province", "130000")
        session.flush()
        library = library.id
    notice = _page("A-1", "某市住建委", "某建发〔2024〕3号", "关于老旧小区改造的通知", BODY)
    govinfo = write_warc(
        tmp_path / "g.warc.gz", [{"url": "http://a.example/1.html", "body": notice}]
    )
    site = write_warc(tmp_path / "w.warc.gz", [{"url": "http://w.example/", "body": notice}],
                      {"collection": "webarchive", "seed-url": "http://w.example/"})  # fmt: skip
    statements = []
    with statements_seen(catalog.engine, statements.append):
        for warc in (govinfo, site):
            ingest(catalog, warc, library_id=library)
    with catalog.session() as session:
        owners = {(r.kind, r.library_id) for r in session.scalars(select(Record))}
    assert owners == {("govinfo", library), ("website", library)}
    updates = [s for s in statements if s.startswith("UPDATE catalog_records SET library_id")]
    assert updates == []
