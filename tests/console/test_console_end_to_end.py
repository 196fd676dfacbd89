"""The librarian's year end to end, in real headless Chromium against ``diancang serve --all``
(console, scheduler and worker): import seeds with a bad row, see a field error, schedule
the demo portal's crawl on its seed page (``once``), watch the job the scheduler queues run
to the end, see the dashboard's numbers rise; and
the refusals: another library's seed (403), anonymous users (sent to /login), a form without
its CSRF token; no password stored in clear.

It drives the DOM hooks of the issue-8 contract (``#import-form``, ``#import-summary``,
``#import-errors``, ``#seeds-table tr[data-seed-id]``, ``p.field-error[data-field]``,
``#job-state[data-state]``, ``#dashboard-table tr[data-library] [data-records]``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from page_shots import chromium, fill_login, screenshot_path
from ports import free_port

DIANCANG = Path(sys.executable).with_name("diancang")
PASSWORD = "长江-yangtze-2026"
LIBRARY, OTHER = "重庆图书馆", "河北省图书馆"
START_TIMEOUT = 60  # seconds for the console to answer
CRAWL_TIMEOUT = 300  # seconds for the demo portal's crawl to finish and be catalogued


def cli(env: dict, *args: str, stdin: str | None = None) -> None:
    subprocess.run([str(DIANCANG), *args], env=env, input=stdin, text=True, check=True)


@pytest.fixture
def console(tmp_path, demo_portal):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env.update(DIANCANG_DATA_DIR=str(tmp_path / "data"), DIANCANG_ALLOW_NETWORKS="127.0.0.0/8")
    env.update(DIANCANG_CONSOLE_SCHEDULER_INTERVAL="1", DIANCANG_CONSOLE_WORKER_INTERVAL="0.5")
    env.update(DIANCANG_REVIEW_QA_AFTER_CRAWL="false")  # not about QA (tests/jobs: QA runs)
    cli(env, "libraries", "add", LIBRARY, "--level", "province", "--jurisdiction", "500000")
    cli(env, "libraries", "add", OTHER, "--level", "province", "--jurisdiction", "130000")
    for user, library in (("cq", LIBRARY), ("hb", OTHER)):
        cli(env, "users", "add", user, "--role", "librarian", "--library", library,
            "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    port = free_port()
    log = tmp_path / "serve-all.log"
    with log.open("wb") as out:
        served = subprocess.Popen(
            [str(DIANCANG), "serve", "--all", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(base + "/login"):
        assert served.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.3)
    yield base, tmp_path
    served.terminate()
    served.wait(timeout=90)


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    fill_login(page, username, PASSWORD)
    page.wait_for_load_state()


def dashboard_records(page, base: str) -> int:
    page.goto(base + "/dashboard")
    cell = page.locator(f'#dashboard-table tr[data-library="{LIBRARY}"] [data-records]')
    return int(cell.get_attribute("data-records"))


@pytest.mark.slow
def test_a_librarian_registers_seeds_crawls_and_sees_the_year_rise(console, demo_portal):
    base, tmp_path = console
    files_host = demo_portal.files_url.split("//", 1)[1].rstrip("/")
    seed_list = tmp_path / "import.csv"
    seed_list.write_text(
        "url,title,jurisdiction,collection,requisite_hosts\n"
        f"{demo_portal.base_url},重庆市人民政府（演示）,500000,govinfo,{files_host}\n"
        "http://bad.example.gov.cn/,坏行,9x9x9x,govinfo,\n"
        "http://www.cq.gov.cn/,重庆市政府门户,500000,webarchive,\n",
        encoding="utf-8",
    )
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(base + "/seeds")
        assert page.url.startswith(base + "/login")  # anonymous: sent to log in
        log_in(page, base, "cq")
        before = dashboard_records(page, base)

        page.goto(base + "/seeds")
        page.locator("#import-form input[type=file][name=file]").set_input_files(seed_list)
        page.locator("#import-form [type=submit]").click()
        page.wait_for_load_state()
        assert "2" in page.locator("#import-summary").inner_text()
        error_rows = page.locator("#import-errors tbody tr")
        assert error_rows.count() == 1
        cells = error_rows.first.locator("td").all_inner_texts()
        assert cells[0].strip() == "3" and "jurisdiction" in cells[1]
        rows = page.locator("#seeds-table tr[data-seed-id]")
        assert rows.count() == 2
        demo_row = rows.filter(has_text=demo_portal.base_url)
        seed_id = demo_row.get_attribute("data-seed-id")
        page.screenshot(path=str(screenshot_path("seeds")), full_page=True)

        page.goto(base + "/seeds/new")
        page.locator("input[name=url]").fill("http://www.example.gov.cn/")
        page.locator("input[name=title]").fill("某网站")
        page.locator("[name=jurisdiction]").fill("12345x")
        page.locator("form [type=submit]").last.click()
        page.wait_for_load_state()
        assert page.locator('p.field-error[data-field="jurisdiction"]').is_visible()

        # schedule the demo portal's crawl: the scheduler queues it, a worker runs it
        page.goto(f"{base}/seeds/{seed_id}")
        assert "未设置采集计划" in page.locator("#next-run").inner_text()
        page.locator("input[name=schedule]").fill("once")
        page.locator("form:has(input[name=schedule]) [type=submit]").click()
        page.wait_for_load_state()
        deadline = time.monotonic() + CRAWL_TIMEOUT
        jobs = page.locator("#jobs-table tr[data-job-id]")
        while True:
            page.goto(base + "/jobs")
            if jobs.count():
                break
            assert time.monotonic() < deadline, page.content()
            time.sleep(0.5)
        assert jobs.count() == 1
        assert "重庆市人民政府（演示）" in jobs.first.inner_text()
        assert "采集计划" in jobs.first.inner_text()  # queued by the scheduler
        page.goto(f"{base}/jobs/{jobs.first.get_attribute('data-job-id')}")
        job_url = page.url
        while page.locator("#job-state").get_attribute("data-state") in ("queued", "running"):
            assert time.monotonic() < deadline, page.content()
            time.sleep(0.5)
            page.goto(job_url)
        assert page.locator("#job-state").get_attribute("data-state") == "finished"
        page.screenshot(path=str(screenshot_path("job")), full_page=True)

        while dashboard_records(page, base) <= before:  # catalogued after the crawl
            assert time.monotonic() < deadline, page.content()
            time.sleep(0.5)
        page.screenshot(path=str(screenshot_path("dashboard-after-crawl")), full_page=True)

        other = browser.new_page()
        log_in(other, base, "hb")
        assert other.goto(f"{base}/seeds/{seed_id}").status == 403

        # a form posted without its CSRF token is refused
        refused = page.request.post(base + "/seeds/new", form={"url": "http://x.gov.cn/"})
        assert refused.status == 400
    database = (tmp_path / "data" / "catalog.sqlite").read_bytes()
    assert PASSWORD.encode() not in database
