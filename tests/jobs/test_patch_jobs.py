"""A patch job through a real `diancang worker`, a real crawl of the demo portal and pywb.

The module's story, run once: a crawl of the portal's photo news page while its photo server
is down (the photo is not captured), the page's review item approved, the photo published,
then a patch job of the photo's URL. The tests check what the patch did: exactly its URL
fetched into the page's collection and seed, the photo replaying in pywb where it was
missing, its captures catalogued but no review items, the page still approved and
published, and the job pages showing it as 补采."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from pywb_runner import Pywb
from registered_seeds import add_seed, library
from served_app import Served
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from diancang.accounts.models import User
from diancang.accounts.tokens import issue_token
from diancang.accounts.users import add_user
from diancang.catalog.db import Catalog
from diancang.catalog.models import Capture, WarcFile
from diancang.catalog.records_builder import commit_with_datestamps
from diancang.demo_portal.photo_news import photo_png
from diancang.demo_portal.server import DemoPortal
from diancang.jobs.models import ACTIVE, FINISHED, PATCH, CrawlJob
from diancang.jobs.queue import queue_job, queue_patch
from diancang.pywb_collections import collection_name
from diancang.review.decisions import decide
from diancang.review.models import ReviewItem
from diancang.review.queue import enqueue_job
from diancang.review.states import APPROVE, APPROVED
from diancang.settings import load_settings

pytestmark = pytest.mark.slow

DIANCANG = Path(sys.executable).with_name("diancang")
JOB_TIMEOUT = 300  # seconds, on a loaded machine
PASSWORD = "长城-great-wall-2026"
SEED_KEY = "cq-photo-news"
CURATOR = "cq-curator"


@dataclass
class Patched:
    portal: DemoPortal
    data_dir: Path
    env: dict[str, str]
    catalog: Catalog
    crawl_job: CrawlJob
    patch_job: CrawlJob
    item_id: int
    capture_id: int
    captured_before: set[str]  # the URLs catalogued before the patch
    replay_before: int  # pywb's status for the photo before the patch


def _wait(catalog: Catalog, job_id: int, worker: subprocess.Popen, log: Path) -> CrawlJob:
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        with catalog.session() as db:
            job = db.get(CrawlJob, job_id)
            if job.state not in ACTIVE and job.ingested_at is not None:
                return job
        assert worker.poll() is None, f"the worker exited\n{log.read_text()}"
        assert time.monotonic() < deadline, f"job {job_id} did not end: {job.state}"
        time.sleep(0.2)


def _photo_replay(data_dir: Path, capture: Capture, url: str) -> tuple[int, bytes]:
    """pywb's answer for ``url`` as an embed of the page ``capture`` (raw bytes, ``id_``)."""
    server = Pywb.for_data_dir(data_dir)
    try:
        name = collection_name(capture.collection, capture.jurisdiction)
        status, _, body = server.get(f"{name}/{capture.captured_at:%Y%m%d%H%M%S}id_/{url}")
        return status, body
    finally:
        server.stop()


@pytest.fixture(scope="module")
def patched(tmp_path_factory) -> Iterator[Patched]:
    work = tmp_path_factory.mktemp("patch-jobs")
    data_dir = work / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env.update(
        DIANCANG_DATA_DIR=str(data_dir),
        DIANCANG_ALLOW_NETWORKS="127.0.0.0/8",
        DIANCANG_BROWSER_DETECT="0",
        DIANCANG_CONSOLE_WORKER_INTERVAL="0.5",
        DIANCANG_RETRY_TIMES="0",  # the photo server is down: one try is enough
    )
    catalog = Catalog(load_settings(env).database_url)
    log = work / "worker.log"
    with DemoPortal(port=0).start() as portal:
        with catalog.session() as db:
            lib = library(db)
            add_user(db, CURATOR, "curator", PASSWORD, "重庆市图书馆")
            files_host = portal.files_url.split("//", 1)[1].rstrip("/")
            seed = add_seed(
                db, lib, portal.photo_page_url(), SEED_KEY, depth="0", requisite_hosts=files_host
            )
            crawl_id = queue_job(db, lib, [seed.id]).id
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [str(DIANCANG), "worker", "--jobs", "1"],
                env=env, cwd=work, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            crawl_job = _wait(catalog, crawl_id, worker, log)
            with catalog.session() as db:
                (item,) = [
                    item
                    for item in enqueue_job(db, db.get(CrawlJob, crawl_id))
                    if item.capture.url == portal.photo_page_url()
                ]
                curator = db.scalars(select(User).where(User.username == CURATOR)).one()
                decide(db, item, curator, APPROVE)
                commit_with_datestamps(db)
                item_id, capture = item.id, item.capture
                db.expunge(capture)
                captured = set(db.scalars(select(Capture.url)))
            before, _ = _photo_replay(data_dir, capture, portal.photo_url())
            portal.publish_photo()
            with catalog.session() as db:
                patch_id = queue_patch(db, lib, SEED_KEY, item_id, [portal.photo_url()]).id
            patch_job = _wait(catalog, patch_id, worker, log)
            yield Patched(
                portal, data_dir, env, catalog, crawl_job, patch_job, item_id, capture.id,
                captured, before,
            )  # fmt: skip
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=120)
            except subprocess.TimeoutExpired:
                worker.kill()
            catalog.dispose()


def _records(paths: list[Path]) -> list:
    found = []
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                info = record.content_stream().read() if record.rec_type == "warcinfo" else b""
                found.append((path, record.rec_type, record.rec_headers, info))
    return found


def _warc_paths(data_dir: Path, job: CrawlJob) -> list[Path]:
    found = {path.name: path for path in (data_dir / "warcs").glob("*/*.warc.gz")}
    return [found[name] for name in job.warcs]


def test_the_first_crawl_could_not_capture_the_photo(patched):
    assert patched.crawl_job.state == FINISHED, patched.crawl_job.message
    assert patched.portal.photo_page_url() in patched.captured_before
    assert patched.portal.photo_url() not in patched.captured_before
    assert patched.replay_before == 404


def test_a_patch_job_fetches_exactly_its_urls_into_the_pages_collection_and_seed(patched):
    job = patched.patch_job
    assert job.kind == PATCH and job.state == FINISHED
    with patched.catalog.session() as db:
        page = db.get(Capture, patched.capture_id)
        collection = collection_name(page.collection, page.jurisdiction)
    records = _records(_warc_paths(patched.data_dir, job))
    assert records
    fetched = {h.get_header("WARC-Target-URI") for _, kind, h, _ in records if kind != "warcinfo"}
    assert fetched == {patched.portal.photo_url()}  # no robots.txt, nothing else
    for path, kind, _, info in records:
        assert path.parent.name == collection
        if kind == "warcinfo":
            fields = dict(re.findall(r"^([\w-]+): (.*?)\r?$", info.decode(), re.M))
            assert fields["collection"] == page.collection
            assert fields["jurisdiction"] == page.jurisdiction
            assert fields["seed"] == SEED_KEY == page.seed
            assert fields["robots"] == "ignore"  # said where it was not obeyed


def test_after_the_patch_pywb_replays_the_photo_the_page_missed(patched):
    with patched.catalog.session() as db:
        page = db.get(Capture, patched.capture_id)
        db.expunge(page)
    status, body = _photo_replay(patched.data_dir, page, patched.portal.photo_url())
    assert status == 200
    assert body == photo_png()


def test_the_patch_captures_are_catalogued_and_are_not_review_items(patched):
    with patched.catalog.session() as db:
        job = db.get(CrawlJob, patched.patch_job.id)
        page = db.get(Capture, patched.capture_id)
        (photo,) = db.scalars(
            select(Capture)
            .join(WarcFile, Capture.warc_file_id == WarcFile.id)
            .where(WarcFile.name.in_(job.warcs), Capture.warc_type == "response")
        )
        assert photo.url == patched.portal.photo_url()
        assert (photo.status, photo.mime) == (200, "image/png")
        assert (photo.collection, photo.jurisdiction, photo.seed) == (
            page.collection,
            page.jurisdiction,
            page.seed,
        )
        assert enqueue_job(db, job) == []
        assert db.scalar(select(func.count(ReviewItem.id))) == 1


def test_an_approved_page_stays_approved_and_published_after_its_patch(patched):
    with patched.catalog.session() as db:
        item = db.get(ReviewItem, patched.item_id)
        assert item.state == APPROVED
        assert item.record is not None and item.record.published


def test_the_job_pages_show_a_patch_job_as_bucai(patched):
    job_id, photo = patched.patch_job.id, patched.portal.photo_url()
    served = Served(patched.env, patched.data_dir.parent / "serve.log")
    try:
        http = requests.Session()
        login_page = http.get(served.base + "/login", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
        form = {"username": CURATOR, "password": PASSWORD, "csrf_token": token}
        assert http.post(served.base + "/login", data=form, timeout=30).ok
        page = http.get(f"{served.base}/jobs/{job_id}", timeout=30).text
        assert "补采任务" in page
        assert f"<li>{photo}</li>" in page
        assert f'href="/review/{patched.capture_id}"' in page
        listing = http.get(f"{served.base}/jobs", timeout=30).text
        row = re.search(rf'<tr data-job-id="{job_id}"[^>]*>(.*?)</tr>', listing, re.S)
        assert 'data-kind="patch"' in row[0] and "<td>补采</td>" in row[1]
        with patched.catalog.session() as db:
            user = db.scalars(select(User).where(User.username == CURATOR)).one()
            bearer = {"Authorization": f"Bearer {issue_token(db, user)}"}
        shown = requests.get(f"{served.base}/api/jobs/{job_id}", headers=bearer, timeout=30)
        value = shown.json()
        assert (value["kind"], value["patch_urls"]) == ("patch", [photo])
        assert value["patch_capture_id"] == patched.capture_id
        assert [link["url"] for link in value["replay"]] == [photo]
        crawl = requests.get(f"{served.base}/api/jobs/{patched.crawl_job.id}", headers=bearer)
        assert crawl.json()["kind"] == "crawl" and crawl.json()["patch_capture_id"] is None
    finally:
        served.stop()
