"""One bad record costs that record: bad URLs, failing extraction, torn files, huge pages, and
template pages that 查重 must keep apart."""

from __future__ import annotations

import shutil

from catalog_helpers import counts
from click.testing import CliRunner
from sqlalchemy import func, select
from warc_files import write_warc
from warcio.archiveiterator import ArchiveIterator

import diancang.catalog.ingest
from diancang.catalog.duplicates import duplicate_groups
from diancang.catalog.extract.visible import BAD_LINK
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.models import Attachment, Capture, Record, WarcFile
from diancang.catalog.warc_records import MAX_HTML_BYTES
from diancang.catalog.warc_source import local_warc

PAGE = """<html><head><meta charset="utf-8"><title>{t}_某区政府</title></head><body>
<table class="xxgk_table"><tr><th>索引号：</th><td>{i}</td><th>发布机构：</th><td>{a}</td></tr>
<tr><th>发文字号：</th><td>{n}</td><th>发布日期：</th><td>2024-03-05</td></tr></table>
<h1>{t}</h1><div id="zoom"><p>{body}</p>{links}</div></body></html>"""
TEXT = (
    "为进一步做好本区政府信息公开工作，现将有关事项通知如下：各单位要按期完成信息发布、"
    "政策解读和依申请公开答复，确保公开内容准确、及时、完整，并于每季度末报送工作情况。"
)


def _page(i: str, title: str = "关于做好政府信息公开工作的通知", agency: str = "某区政府",
          number: str = "无", body: str = TEXT, links: str = "") -> bytes:  # fmt: skip
    return PAGE.format(t=title, i=i, a=agency, n=number, body=body, links=links).encode()


def test_bad_urls_are_skipped_and_counted_and_the_rest_is_ingested(
    sqlite_catalog, tmp_path, read_by
):
    links = (
        '<a href="//[::1">坏链接</a><a href="http://[127.0.0.1]/a.pdf">坏附件</a>'
        '<a href="/files/good.pdf">附件一</a>'
    )
    pages = [{"url": "http://a.example/1.html", "body": _page("A-1", links=links)}]
    other = "道路交通管理办法修订稿公开征求意见，意见反馈截止日期为本月底，欢迎社会各界参与。"
    bad_target = {
        "url": "http://[127.0.0.1]/2.html",
        "body": _page("A-2", "另一份通知", body=other),
    }
    pages.append(bad_target)
    pages += [
        {"url": f"http://a.example/{n}.html", "body": _page(f"A-{n}", title=f"第{n}号通知")}
        for n in range(3, 8)
    ]
    warc = write_warc(tmp_path / "links.warc.gz", pages)
    result = ingest_warc(sqlite_catalog, local_warc(warc), IngestOptions())
    assert result.error is None, result.error
    assert result.captures == 7 and result.records == 7
    assert result.problems == {BAD_LINK: 2}
    with sqlite_catalog.session() as session:
        urls = session.scalars(select(Attachment.url)).all()
        assert urls == ["http://a.example/files/good.pdf"]


def test_cli_summary_names_the_skipped_links(sqlite_catalog, tmp_path, monkeypatch):
    from diancang.console.catalog_commands import catalog as catalog_group

    links = '<a href="//[::1">坏链接</a>'
    pages = [{"url": "http://a.example/1.html", "body": _page("A-1", links=links)}]
    warc = write_warc(tmp_path / "one.warc.gz", pages)
    monkeypatch.setenv("DIANCANG_DATABASE_URL", sqlite_catalog.url)
    result = CliRunner().invoke(catalog_group, ["ingest", str(warc)])
    assert result.exit_code == 0, result.output
    assert f"one.warc.gz: 1 × {BAD_LINK}" in result.output
    assert "1 problems" in result.output


def test_a_record_whose_extraction_fails_costs_only_that_record(
    sqlite_catalog, tmp_path, monkeypatch
):
    real = diancang.catalog.ingest.extract_page

    def failing(body, url, *args, **kwargs):
        if url.endswith("/2.html"):
            raise RuntimeError("extractor bug")
        return real(body, url, *args, **kwargs)

    monkeypatch.setattr(diancang.catalog.ingest, "extract_page", failing)
    pages = [
        {"url": f"http://a.example/{n}.html", "body": _page(f"A-{n}", title=f"第{n}号通知")}
        for n in range(1, 6)
    ]
    warc = write_warc(tmp_path / "x.warc.gz", pages)
    result = ingest_warc(sqlite_catalog, local_warc(warc), IngestOptions())
    assert result.error is None and result.captures == 5 and result.records == 4
    assert result.problems == {"page not extracted (RuntimeError: extractor bug)": 1}


def _inside_a_record(path, near: int) -> int:
    """An offset in the middle of the record that holds ``near``, never on a boundary
    (record sizes vary with their random ids, so a fixed fraction may land between two)."""
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            record.content_stream().read()
            start, end = records.get_record_offset(), records.offset
            if end > near:
                return (start + end) // 2
    raise AssertionError(f"{path} is shorter than {near} bytes")


def test_a_torn_warc_is_reported_and_resumed_without_duplicates(sqlite_catalog, tmp_path, read_by):
    pages = [
        {"url": f"http://t.example/{n}.html", "body": _page(f"T-{n}", title=f"第{n}号通知")}
        for n in range(50)
    ]
    whole = write_warc(tmp_path / "whole.warc.gz", pages)
    data = whole.read_bytes()
    arriving = tmp_path / "store" / "crawl.warc.gz"
    arriving.parent.mkdir()
    arriving.write_bytes(data[: _inside_a_record(whole, len(data) * 3 // 5)])
    for _ in range(2):  # a rerun on the torn file changes nothing and says the same
        torn = ingest_warc(sqlite_catalog, local_warc(arriving), IngestOptions())
        assert torn.error is not None and "crawl.warc.gz" in torn.error
        assert "cut short inside the record at offset" in torn.error
        with sqlite_catalog.session() as session:
            assert session.scalars(select(WarcFile.complete)).one() is False
    _, first = counts(sqlite_catalog)
    assert 0 < first < 50

    shutil.copy(whole, arriving)  # the whole file arrives under the same name
    result = ingest_warc(sqlite_catalog, local_warc(arriving), IngestOptions())
    assert result.error is None and result.captures == 50 - first
    with sqlite_catalog.session() as session:
        assert session.scalar(select(func.count(func.distinct(Capture.url)))) == 50
        assert session.scalar(select(func.count(Capture.id))) == 50
        row = session.scalars(select(WarcFile)).one()
        assert row.complete and row.size == len(data) and row.captures_count == 50
    again = ingest_warc(sqlite_catalog, local_warc(arriving), IngestOptions())
    assert again.skipped


def test_a_copy_cut_between_records_is_resumed_when_the_rest_arrives(
    sqlite_catalog, tmp_path, read_by
):
    pages = [
        {"url": f"http://u.example/{n}.html", "body": _page(f"U-{n}", title=f"第{n}号通知")}
        for n in range(10)
    ]
    whole = write_warc(tmp_path / "whole.warc.gz", pages)
    with whole.open("rb") as fh:
        records = ArchiveIterator(fh)
        starts = [records.get_record_offset() for _ in records]
    arriving = tmp_path / "store" / "crawl.warc.gz"
    arriving.parent.mkdir()
    arriving.write_bytes(whole.read_bytes()[: starts[4]])  # cut between records 4 and 5
    assert ingest_warc(sqlite_catalog, local_warc(arriving), IngestOptions()).captures == 4
    shutil.copy(whole, arriving)
    result = ingest_warc(sqlite_catalog, local_warc(arriving), IngestOptions())
    assert result.error is None and result.captures == 6
    assert counts(sqlite_catalog)[1] == 10


def test_a_page_too_large_to_parse_whole_is_extracted_from_its_start(
    sqlite_catalog, tmp_path, read_by
):
    filler = "<p>正文段落。</p>" * (MAX_HTML_BYTES // 10)
    pages = [{"url": "http://big.example/1.html", "body": _page("BIG-1", body=filler)}]
    result = ingest_warc(
        sqlite_catalog, local_warc(write_warc(tmp_path / "big.warc.gz", pages)), IngestOptions()
    )
    assert result.error is None and result.records == 1
    assert [reason for reason in result.problems] == [
        f"page larger than {MAX_HTML_BYTES} bytes decoded: first part extracted"
    ]
    with sqlite_catalog.session() as session:
        record = session.scalars(select(Record)).one()
        assert record.index_no == "BIG-1"
        assert "larger than" in record.provenance["truncated"]
        assert len(record.body) < MAX_HTML_BYTES


def test_template_pages_with_different_index_numbers_stay_apart(sqlite_catalog, tmp_path):
    agencies = ["某区发展改革委", "某区教委", "某区财政局", "某区民政局", "某区住建委"]
    words = ["按期", "按时", "如期", "及时"]
    pages = [
        {
            "url": f"http://portal.example/xxgk/{n}.html",
            "body": _page(
                f"11500103MB{n:04d}-2024-{n:04d}",
                agency=agencies[n % 5],
                number=f"某府发〔2024〕{n}号",
                body=TEXT.replace("按期", words[n % 4]),
            ),
        }  # fmt: skip
        for n in range(300)
    ]
    # The same notice reposted by another portal, with that portal's own index number.
    pages.append(
        {"url": "http://other.example/a/1.html", "body": _page("OTHER-9", agency="某区发展改革委")}
    )
    result = ingest_warc(
        sqlite_catalog, local_warc(write_warc(tmp_path / "t.warc.gz", pages)), IngestOptions()
    )
    assert result.error is None
    with sqlite_catalog.session() as session:
        groups = duplicate_groups(session)
    assert result.records == 300, [(g.index_no, [m.url for m in g.members]) for g in groups][:3]
    assert [[m.url for m in g.members][-1] for g in groups] == ["http://other.example/a/1.html"]
