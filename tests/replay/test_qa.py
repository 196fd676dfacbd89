"""Automatic QA in real pywb and real headless Chromium, against real crawls of a loopback site.

The module crawls the QA site once with the browser (pages, their screenshots and rendered
text) and once HTTP-only (into another jurisdiction's collection). The browser crawl's WARCs
are copied into the data directory QA reads without the photo's records: an archive that
lacks an image the page showed when it was captured."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import pytest
from crawl_helpers import crawl_env, diancang, run_crawl_cli, write_seed_list
from registered_seeds import library
from sites.qa_pages import LEAK_PATH, PHOTO_PATH, QaSite
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from diancang.catalog.db import Catalog
from diancang.catalog.models import Capture
from diancang.catalog.records_builder import utcnow
from diancang.jobs.after_crawl import catalogue_warcs
from diancang.jobs.models import FINISHED, CrawlJob
from diancang.review.models import QaRun, QaScore, ReviewItem
from diancang.review.qa_runs import score_items, score_job
from diancang.review.states import GOOD, SEVERE
from diancang.settings import Settings, load_settings

pytestmark = pytest.mark.slow

PAGES = 3  # numbered pages beside good, photo and leak


@dataclass
class Crawled:
    site: QaSite
    data_dir: Path
    env: dict[str, str]
    settings: Settings
    catalog: Catalog
    browser_job: int
    http_job: int
    live_seen_after_crawls: list[str]

    def item(self, url: str, job_id: int) -> ReviewItem:
        with self.catalog.session() as db:
            return db.scalars(
                select(ReviewItem)
                .join(Capture, ReviewItem.capture_id == Capture.id)
                .where(Capture.url == url, ReviewItem.job_id == job_id)
            ).one()

    def score_of(self, url: str, job_id: int) -> QaScore:
        with self.catalog.session() as db:
            return db.get(QaScore, self.item(url, job_id).score_id)


def _copy_without(source: Path, target: Path, url: str) -> None:
    """``source`` copied record by record (gzip members as they are), less ``url``'s records."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as fh:
        spans = []
        records = ArchiveIterator(fh)
        for record in records:
            uri = record.rec_headers.get_header("WARC-Target-URI")
            record.raw_stream.read()
            if uri != url:
                spans.append((records.get_record_offset(), records.get_record_length()))
        with target.open("wb") as out:
            for offset, length in spans:
                fh.seek(offset)
                out.write(fh.read(length))
    with gzip.open(target) as check:  # still a valid multi-member gzip file
        check.read()


def _job(catalog: Catalog, library_id: int, warcs: set[str]) -> int:
    with catalog.session() as db:
        job = CrawlJob(
            library_id=library_id, state=FINISHED, origin="manual", created_at=utcnow(),
            warcs=sorted(warcs),
        )  # fmt: skip
        db.add(job)
        db.flush()
        return job.id


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("qa")
    data_dir = root / "data"
    with QaSite(pages=PAGES) as site:
        row = {"title": "重庆市人民政府", "collection": "govinfo", "depth": "0"}
        pages = [site.url(p) for p in ("/good.html", "/photo.html", "/leak.html")]
        pages += site.page_urls()
        browser = {**row, "jurisdiction": "500000", "browser": "true"}
        browser_rows = [{**browser, "url": url} for url in pages]
        staged = run_crawl_cli(root / "staged", write_seed_list(root / "b.csv", browser_rows))
        browser_warcs = set()
        for warc in (staged.data_dir / "warcs").glob("*/*.warc.gz"):
            target = data_dir / "warcs" / warc.parent.name / warc.name
            _copy_without(warc, target, site.url(PHOTO_PATH))
            browser_warcs.add(warc.name)
        http_rows = [{**row, "url": site.url("/good.html"), "jurisdiction": "500100"}]
        run_crawl_cli(
            data_dir, write_seed_list(root / "h.csv", http_rows), DIANCANG_BROWSER_DETECT="0"
        )
        http_warcs = {p.name for p in (data_dir / "warcs" / "govinfo-500100").glob("*.warc.gz")}
        env = crawl_env(data_dir)
        settings = load_settings(env)
        catalog = Catalog(settings.database_url)
        with catalog.session() as db:
            lib = library(db)
        catalogue_warcs(
            settings, catalog, browser_warcs | http_warcs, {"govinfo-500000", "govinfo-500100"}, lib
        )
        browser_job = _job(catalog, lib, browser_warcs)
        http_job = _job(catalog, lib, http_warcs)
        live_seen = list(site.live_requests)
        yield Crawled(site, data_dir, env, settings, catalog, browser_job, http_job, live_seen)
        catalog.dispose()


@pytest.fixture(scope="module")
def browser_run(crawled) -> QaRun:
    return score_job(crawled.settings, crawled.catalog, crawled.browser_job)


def test_every_page_of_a_small_job_is_scored(crawled, browser_run):
    assert browser_run.population == browser_run.sample_size == 3 + PAGES
    assert not browser_run.sampled and browser_run.pages_per_minute > 0
    assert browser_run.finished_at and browser_run.message is None
    with crawled.catalog.session() as db:
        scores = db.scalar(select(func.count()).where(QaScore.run_id == browser_run.id))
    assert scores == 3 + PAGES


def test_a_browser_captured_page_scores_high_with_its_images_on_disk(crawled, browser_run):
    score = crawled.score_of(crawled.site.url("/good.html"), crawled.browser_job)
    assert score.run_id == browser_run.id
    assert score.screenshot_match >= 0.98 and score.text_match >= 0.98
    assert score.severity == GOOD and score.missing == [] and score.live_leaks == []
    assert "营商环境" in score.capture_text and "营商环境" in score.replay_text
    qa = crawled.data_dir / "qa"
    for image in (score.capture_image, score.replay_image, score.diff_image):
        assert not Path(image).is_absolute()
        assert (qa / image).read_bytes().startswith(b"\x89PNG")
    item = crawled.item(crawled.site.url("/good.html"), crawled.browser_job)
    assert item.score == min(score.screenshot_match, score.text_match)
    assert item.severity == GOOD


def test_an_image_missing_from_the_archive_is_listed_and_lowers_the_score(crawled, browser_run):
    good = crawled.score_of(crawled.site.url("/good.html"), crawled.browser_job)
    photo = crawled.score_of(crawled.site.url("/photo.html"), crawled.browser_job)
    assert photo.missing == [crawled.site.url(PHOTO_PATH)]
    # the capture showed a 1200×600 image the replay cannot: most of the window differs
    assert photo.screenshot_match < 0.5 <= good.screenshot_match
    assert photo.severity == SEVERE
    item = crawled.item(crawled.site.url("/photo.html"), crawled.browser_job)
    assert item.score == photo.screenshot_match and item.severity == SEVERE


def test_a_script_call_to_the_live_web_is_a_blocked_live_leak(crawled, browser_run):
    score = crawled.score_of(crawled.site.url("/leak.html"), crawled.browser_job)
    live = crawled.site.live.url.rstrip("/") + LEAK_PATH
    assert score.live_leaks == [live + "?import"]
    assert live + "?svg" in score.missing  # rewritten by pywb: asked of the archive instead
    assert crawled.site.live_requests == crawled.live_seen_after_crawls  # QA reached nothing


def test_an_http_only_capture_has_no_screenshot_match_and_says_why(crawled):
    result = diancang("qa", "run", str(crawled.http_job), env=crawled.env)
    assert result.returncode == 0, result.stderr
    assert "全部 1 页" in result.stdout and "良好" in result.stdout
    score = crawled.score_of(crawled.site.url("/good.html"), crawled.http_job)
    assert score.screenshot_match is None and score.diff_image is None
    assert "没有采集时截图" in score.note
    assert score.text_match >= 0.9  # the HTML's text against the text Chromium renders
    assert score.replay_image and score.capture_image is None
    item = crawled.item(crawled.site.url("/good.html"), crawled.http_job)
    assert item.score == score.text_match and item.severity == GOOD


def test_a_job_above_the_sampling_size_is_scored_on_a_random_sample(crawled, browser_run):
    env = {**crawled.env, "DIANCANG_REVIEW_QA_SAMPLE_ABOVE": "4"}
    settings = load_settings({**env, "DIANCANG_REVIEW_QA_SAMPLE_SIZE": "2"})
    run = score_job(settings, crawled.catalog, crawled.browser_job)
    assert run.sampled and run.population == 3 + PAGES and run.sample_size == 2
    with crawled.catalog.session() as db:
        scored = set(db.scalars(select(QaScore.capture_id).where(QaScore.run_id == run.id)))
    assert len(scored) == 2


def test_recomputing_adds_scores_and_keeps_the_old_ones(crawled, browser_run):
    item = crawled.item(crawled.site.url("/good.html"), crawled.browser_job)
    before = item.score_id
    run = score_items(crawled.settings, crawled.catalog, [item.id], job_id=crawled.browser_job)
    assert run.population == run.sample_size == 1 and not run.sampled
    after = crawled.item(crawled.site.url("/good.html"), crawled.browser_job)
    assert after.score_id != before
    with crawled.catalog.session() as db:
        history = list(db.scalars(select(QaScore).where(QaScore.capture_id == item.capture_id)))
    assert len(history) >= 2 and before in {score.id for score in history}
    assert {s.run_id for s in history} >= {browser_run.id, run.id}


def test_qa_run_of_an_unknown_job_or_one_without_pages_is_a_clear_error(crawled):
    result = diancang("qa", "run", "9999", env=crawled.env)
    assert result.returncode == 1 and "没有编号为 9999 的采集任务" in result.stderr
    with crawled.catalog.session() as db:
        lib = db.get(CrawlJob, crawled.browser_job).library_id
    empty = _job(crawled.catalog, lib, set())
    result = diancang("qa", "run", str(empty), env=crawled.env)
    assert result.returncode == 1 and "没有采集到 HTML 页面" in result.stderr


def test_scoring_unknown_review_items_is_a_clear_error(crawled):
    from diancang.review.qa_runs import QaError

    with pytest.raises(QaError, match="没有这些审核条目：424242"):
        score_items(crawled.settings, crawled.catalog, [424242])
