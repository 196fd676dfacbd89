"""A curator's review end to end, in real headless Chromium, against ``diancang serve --all``
(console, scheduler, a worker that scores each finished job in replay) and ``diancang
replay`` (public and staff pywb).

The demo portal's photo page is crawled while its photo cannot be fetched: QA lists the photo
among the missing resources; the curator's patch job captures it once it is published, and
the page is scored again, higher. Then: the approved page's record is harvested by OAI-PMH, a
rejected page's record is not, rejecting the published record makes it an OAI-PMH deleted
record, the audit log lists every decision with user and time, a librarian's approve is
refused, and an embargoed URL prefix answers 451 in public replay and 200 in staff replay.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import requests
from page_shots import chromium, fill_login, screenshot_path
from ports import free_port
from registered_seeds import add_seed
from sqlalchemy import select

from diancang.accounts.models import User
from diancang.accounts.tokens import issue_token
from diancang.catalog.db import Catalog
from diancang.jobs.models import FINISHED, PATCH, CrawlJob
from diancang.jobs.queue import queue_job
from diancang.pywb_collections import replay_url
from diancang.review.models import ReviewItem

DIANCANG = Path(sys.executable).with_name("diancang")
PASSWORD = "嘉陵江-jialing-2026"
LIBRARY = "重庆图书馆"
TIMEOUT = 420  # seconds for a crawl, its cataloguing and its QA under a loaded machine
OAI_NS = "http://www.openarchives.org/OAI/2.0/"


def cli(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(DIANCANG), *args], env=env, input=stdin, text=True, capture_output=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def wait_for(check, what: str, timeout: float = TIMEOUT, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def start(env: dict, log: Path, *args: str) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(DIANCANG), *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


@pytest.fixture
def served(tmp_path, demo_portal):
    ports = {name: free_port() for name in ("console", "replay", "staff")}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env.update(
        DIANCANG_DATA_DIR=str(tmp_path / "data"),
        DIANCANG_ALLOW_NETWORKS="127.0.0.0/8",
        DIANCANG_CONSOLE_SCHEDULER_INTERVAL="1",
        DIANCANG_CONSOLE_WORKER_INTERVAL="0.5",
        DIANCANG_REPLAY_URL=f"http://127.0.0.1:{ports['replay']}/",
        DIANCANG_STAFF_REPLAY_URL=f"http://127.0.0.1:{ports['staff']}/",
    )
    cli(env, "libraries", "add", LIBRARY, "--level", "province", "--jurisdiction", "500000")
    for user, role in (("cur", "curator"), ("cq", "librarian")):
        cli(env, "users", "add", user, "--role", role, "--library", LIBRARY,
            "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite'}")
    demo_portal.publish_photo(False)
    children = []
    try:
        children.append(
            start(env, tmp_path / "serve.log", "serve", "--all", "--port", str(ports["console"]))
        )
        base = f"http://127.0.0.1:{ports['console']}"
        wait_for(lambda: status_of(base + "/login") == 200, "the console", timeout=90)
        yield env, base, catalog, ports, children, tmp_path
    finally:
        demo_portal.publish_photo(False)
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=90)
        catalog.dispose()


def job_state(catalog: Catalog, job_id: int) -> str:
    with catalog.session() as db:
        return db.get(CrawlJob, job_id).state


def items_by_url(catalog: Catalog) -> dict[str, ReviewItem]:
    with catalog.session() as db:
        return {item.capture.url: item for item in db.scalars(select(ReviewItem))}


def item_of(catalog: Catalog, url: str) -> ReviewItem:
    return items_by_url(catalog)[url]


def oai_headers(base: str) -> dict[str, str]:
    """identifier -> "deleted" or "" of every header of a ListIdentifiers harvest."""
    from lxml import etree

    answer = requests.get(
        base + "/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}, timeout=30
    )
    tree = etree.fromstring(answer.content)
    return {
        header.findtext(f"{{{OAI_NS}}}identifier"): header.get("status", "")
        for header in tree.iter(f"{{{OAI_NS}}}header")
    }


def in_mode(capture, url: str, mode: str = "") -> str:
    """``COLL/TIMESTAMP{mode}/URL`` of ``capture``'s collection: mp_ is the page without
    pywb's frame, id_ the bytes as captured."""
    path = replay_url("", capture.collection, capture.jurisdiction, capture.captured_at, url)
    stamp = f"/{capture.captured_at:%Y%m%d%H%M%S}/"
    return path.replace(stamp, stamp[:-1] + mode + "/", 1)


def identifier(record_id: int) -> str:
    return f"oai:diancang.local:{record_id}"


@pytest.mark.slow
def test_a_curator_patches_scores_approves_rejects_and_embargoes(served, demo_portal):
    env, base, catalog, ports, children, tmp_path = served
    photo_page, photo = demo_portal.photo_page_url(), demo_portal.photo_url()
    other_page = demo_portal.document_url(demo_portal.documents()[0])
    with catalog.session() as db:
        library_id = db.scalar(select(User.library_id).where(User.username == "cur"))
        seeds = [
            add_seed(db, library_id, url, key, title=title, depth="0")
            for url, key, title in (
                (photo_page, "cq-photo", "图片新闻（演示）"),
                (other_page, "cq-doc", "政策文件（演示）"),
            )
        ]
        job_id = queue_job(db, library_id, [seed.id for seed in seeds]).id
    wait_for(lambda: job_state(catalog, job_id) == FINISHED, "the crawl job")
    # A job is finished when its crawl is catalogued; QA scores its pages after that.
    photo_item = wait_for(
        lambda: (item := items_by_url(catalog).get(photo_page)) and item.score is not None and item,
        "QA's score of the page after the crawl",
    )
    first_score = photo_item.score
    other_item = item_of(catalog, other_page)

    children.append(
        start(
            env,
            tmp_path / "replay.log",
            "replay",
            "--port",
            str(ports["replay"]),
            "--staff-port",
            str(ports["staff"]),
        )  # fmt: skip
    )
    public = f"http://127.0.0.1:{ports['replay']}/"
    wait_for(lambda: status_of(public) == 200, "public replay", timeout=90)

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(base + "/login")
        fill_login(page, "cur", PASSWORD)
        page.wait_for_load_state()

        page.goto(base + "/review")
        row = page.locator(f'tr[data-capture-id="{photo_item.capture_id}"]')
        assert row.count() == 1 and row.get_attribute("data-state") == "pending"
        page.goto(f"{base}/review/{photo_item.capture_id}")
        assert photo in page.locator("#qa-missing").inner_text()
        page.screenshot(path=str(screenshot_path("review-before-patch")), full_page=True)

        # the photo is published; the curator's patch job captures it and QA scores again
        demo_portal.publish_photo()
        patch_box = page.locator(f'#decide-patch input[name=missing][value="{photo}"]')
        assert patch_box.is_checked()
        page.locator("#decide-patch [type=submit]").click()
        page.wait_for_load_state()
        with catalog.session() as db:
            patch_job = db.scalars(select(CrawlJob).where(CrawlJob.kind == PATCH)).one()
            assert patch_job.patch_urls == [photo]
        wait_for(lambda: job_state(catalog, patch_job.id) == FINISHED, "the patch job")
        patched = wait_for(
            lambda: (item := item_of(catalog, photo_page)).score_id != photo_item.score_id and item,
            "the patched page's new score",
        )
        assert patched.score > first_score
        page.goto(f"{base}/review/{photo_item.capture_id}")
        assert photo not in page.locator("#qa-missing").inner_text()
        assert page.locator("#qa-history tbody tr").count() == 2
        with catalog.session() as db:
            capture = db.get(ReviewItem, photo_item.id).capture
            photo_replay = public + in_mode(capture, photo, "id_")
        assert status_of(photo_replay) == 200  # the photo replays now

        # approve: its record is harvested; reject the other page: its record is not
        assert photo_item.record_id and other_item.record_id
        assert identifier(photo_item.record_id) not in oai_headers(base)  # not yet reviewed
        page.locator("#decide-approve [type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#review-state").get_attribute("data-state") == "approved"
        page.goto(f"{base}/review/{other_item.capture_id}")
        page.locator("#decide-reject select[name=reason]").select_option("内容不完整")
        page.locator("#decide-reject textarea[name=comment]").fill("正文缺少附件")
        page.locator("#decide-reject [type=submit]").click()
        page.wait_for_load_state()
        headers = oai_headers(base)
        assert headers.get(identifier(photo_item.record_id)) == ""
        assert identifier(other_item.record_id) not in headers

        # rejecting the published record makes it a deleted record
        page.goto(f"{base}/review/{photo_item.capture_id}")
        page.locator("#decide-reject select[name=reason]").select_option("其他")
        page.locator("#decide-reject [type=submit]").click()
        page.wait_for_load_state()
        assert oai_headers(base).get(identifier(photo_item.record_id)) == "deleted"

        page.goto(base + "/audit")
        rows = page.locator("#audit-table tbody tr[data-decision-id]")
        assert rows.count() == 4  # patch, approve, reject, reject
        texts = rows.all_inner_texts()
        assert all("cur" in text for text in texts)
        assert all(any(ch.isdigit() for ch in text) for text in texts)
        page.screenshot(path=str(screenshot_path("audit-log")), full_page=True)

        # a librarian sees the scores, and may not decide
        with catalog.session() as db:
            librarian = db.scalars(select(User).where(User.username == "cq")).one()
            token = issue_token(db, librarian)
        refused = requests.post(
            f"{base}/api/review/{other_item.capture_id}",
            json={"decision": "approve"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert refused.status_code == 403

        # an embargo: 451 in public replay, 200 in staff replay for the signed-in curator
        prefix = other_page.rsplit("/", 1)[0] + "/"
        cli(env, "access", "add", prefix, "--block", "--days", "3650", "--library", LIBRARY)
        with catalog.session() as db:
            capture = db.get(ReviewItem, other_item.id).capture
            target, content = in_mode(capture, other_page), in_mode(capture, other_page, "mp_")
        wait_for(lambda: status_of(public + content) == 451, "the embargo in public replay", 60)
        page.goto(f"{base}/staff-replay?target={target}")
        answer = page.goto(f"http://127.0.0.1:{ports['staff']}/{content}")
        assert answer.status == 200
        assert "重庆" in page.content()
