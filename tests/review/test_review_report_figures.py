"""The review figures of a library's 质检报告, from rows built in the database: share of pages
reviewed, approved, rejected by reason, patched; QA sample coverage and its error rate; the
抽检 error rate in the sampled library's report and in its province's. Both backends."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from console.console_helpers import add_accounts
from review_rows import REASONS, catalogue_pages, decide_now, items_of_records, library, user

from diancang.accounts.visibility import access
from diancang.catalog.db import Catalog
from diancang.catalog.records_builder import commit_with_datestamps, utcnow
from diancang.catalog.report import render_html, write_csv
from diancang.dashboard.reports import library_report
from diancang.jobs.models import CrawlJob
from diancang.review.models import QaRun, QaScore, ReviewItem
from diancang.review.samples import draw_sample, give_verdict
from diancang.review.states import APPROVE, CONFIRM, PATCH, REJECT, SEND_BACK

YEAR = date.today().year
SJZ, HEBEI, LN = "石家庄市图书馆", "河北省图书馆", "辽宁省图书馆"


@pytest.fixture
def reviewed(database_url, tmp_path):
    """石家庄's 10 pages of one job: QA's latest finished run scored 4 of them; decisions
    as the comments say. 辽宁 has one approved page, and 石家庄 one of last year."""
    add_accounts(database_url)
    catalog = Catalog(database_url)
    records = catalogue_pages(catalog, tmp_path / "sjz.warc.gz", "130100", 11)
    other = catalogue_pages(catalog, tmp_path / "ln.warc.gz", "210100", 1)
    now = utcnow()
    with catalog.session() as session:
        sjz = library(session, SJZ).id
        job = CrawlJob(library_id=sjz, state="finished", origin="manual", created_at=now)
        session.add(job)
        session.flush()
        by_record = items_of_records(session, sjz, records[:10])
        last_year = items_of_records(session, sjz, records[10:], datetime(YEAR - 1, 6, 1))
        items = [by_record[r] for r in records[:10]] + list(last_year.values())
        for item in items:
            item.job_id = job.id
        runs = [
            QaRun(job_id=job.id, started_at=now, finished_at=now, population=10, sample_size=2),
            QaRun(job_id=job.id, started_at=now, finished_at=now, population=10, sample_size=4),
            QaRun(job_id=job.id, started_at=now, population=10, sample_size=10),  # unfinished
        ]
        session.add_all(runs)
        session.flush()
        for item in items[:4]:
            score = QaScore(run_id=runs[1].id, capture_id=item.capture_id, computed_at=now,
                            screenshot_match=None, text_match=0.8, severity="moderate")  # fmt: skip
            session.add(score)
            session.flush()
            item.score_id, item.score = score.id, 0.8
        ln = items_of_records(session, library(session, LN).id, other)
        ids = [item.id for item in items]
        ln_id = next(iter(ln.values())).id
    curator = "sjz-curator"
    for n in (0, 1, 2):
        decide_now(catalog, ids[n], curator, APPROVE)
    decide_now(catalog, ids[3], curator, REJECT, reason="内容不完整")  # scored, rejected
    decide_now(catalog, ids[4], curator, REJECT, reason="其他")
    decide_now(catalog, ids[5], curator, REJECT, reason="非本辖区")
    decide_now(catalog, ids[5], curator, APPROVE)  # rejected, then approved: approved
    decide_now(catalog, ids[6], curator, APPROVE)
    decide_now(catalog, ids[6], curator, REJECT, reason="重复采集")
    decide_now(catalog, ids[7], curator, PATCH, detail={"job": None, "urls": []})
    decide_now(catalog, ids[7], curator, PATCH, detail={"job": None, "urls": []})
    decide_now(catalog, ids[10], curator, APPROVE)  # last year's page
    decide_now(catalog, ln_id, "admin", APPROVE)
    yield catalog
    catalog.dispose()


def test_the_report_gives_the_review_figures_of_the_librarys_pages(reviewed, tmp_path):
    with reviewed.session() as session:
        report = library_report(session, library(session, SJZ), YEAR)
    figures = report.review
    assert figures.pages == 10
    assert (figures.approved, figures.rejected, figures.reviewed) == (4, 3, 7)
    assert figures.percent(figures.reviewed) == 70.0
    assert figures.rejected_by_reason == {"内容不完整": 1, "其他": 1, "重复采集": 1}
    assert figures.patched == 1
    assert (figures.qa_population, figures.qa_scored, figures.qa_coverage) == (10, 4, 40.0)
    assert (figures.qa_decided, figures.qa_rejected, figures.qa_error_rate) == (4, 1, 25.0)
    assert figures.sampled.samples == 0 and figures.drawn == []

    path = tmp_path / "report.csv"
    write_csv(report, path)
    rows = {(r[0], r[1]): r[2:] for r in csv.reader(path.open(encoding="utf-8-sig"))}
    assert rows[("review", "reviewed")] == ["7", "70.0"]
    assert rows[("review", "rejected:重复采集")] == ["1", "10.0"]
    assert rows[("review", "patched")] == ["1", "10.0"]
    assert rows[("review", "qa-scored")] == ["4", "40.0"]
    assert rows[("review", "qa-rejected")] == ["1", "25.0"]
    html = render_html(report)
    assert 'id="qa-coverage">40.0%<' in html and 'id="qa-error-rate">25.0%<' in html
    assert "退回原因：重复采集" in html and "本年未被抽检" in html


def test_the_sample_error_rate_is_in_both_libraries_reports(reviewed, tmp_path):
    with reviewed.session() as session:
        auditor = user(session, "hebei-auditor")
        rights = access(session, auditor)
        sample = draw_sample(session, auditor, rights, library(session, SJZ).id, 3)
        for entry, verdict in zip(sample.items, (CONFIRM, SEND_BACK), strict=False):
            give_verdict(session, entry, auditor, verdict, reason="其他", comment=None,
                         reasons=REASONS)  # fmt: skip
        commit_with_datestamps(session)
    with reviewed.session() as session:
        report = library_report(session, library(session, SJZ), YEAR)
        province = library_report(session, library(session, HEBEI), YEAR)
    figures = report.review
    sampled = figures.sampled
    assert (sampled.samples, sampled.items, sampled.decided, sampled.sent_back) == (1, 3, 2, 1)
    assert sampled.error_rate == 50.0
    assert (figures.approved, figures.rejected) == (3, 4)  # the page sent back is rejected
    assert figures.rejected_by_reason["其他"] == 2
    assert figures.drawn == []
    assert province.review.sampled.samples == 0
    assert [(s.library, s.decided, s.error_rate) for s in province.review.drawn] == [(SJZ, 2, 50.0)]
    path = tmp_path / "report.csv"
    write_csv(report, path)
    rows = {(r[0], r[1]): r[2:] for r in csv.reader(path.open(encoding="utf-8-sig"))}
    assert rows[("review", "sampled sent-back")] == ["1", "50.0"]
    assert 'id="sample-error-rate">50.0%<' in render_html(report)
    assert 'data-library="石家庄市图书馆"' in render_html(province)


def test_a_library_without_review_reports_no_rates(database_url):
    add_accounts(database_url)
    catalog = Catalog(database_url)
    try:
        with catalog.session() as session:
            report = library_report(session, library(session, SJZ), YEAR)
            assert session.query(ReviewItem).count() == 0
        figures = report.review
        assert (figures.pages, figures.qa_coverage, figures.qa_error_rate) == (0, None, None)
        assert figures.sampled.error_rate is None
        html = render_html(report)
        assert 'id="qa-coverage">—<' in html and "本年未被抽检" in html
    finally:
        catalog.dispose()
