"""The /jobs pages and /api/jobs through `diancang serve` and real HTTP clients: who sees and
changes which library's jobs, the JSON shapes and errors, the forms of a job's page.

No worker runs here: jobs stay queued (or are stopped before they start)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from console_helpers import SignedIn, accounts_catalogue, library_ids
from registered_seeds import add_seed
from served_app import Served

from diancang.catalog.db import Catalog
from diancang.jobs.models import FINISHED, CrawlJob
from diancang.jobs.queue import queue_job
from diancang.jobs.views import PER_PAGE


@dataclass
class Console(SignedIn):
    served: Served
    base: str
    catalog: Catalog
    sjz_seed: int
    ln_seed: int
    ids: dict[str, int]


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Iterator[Console]:
    data_dir = tmp_path_factory.mktemp("jobs-web") / "data"
    url = accounts_catalogue(data_dir)
    ids = library_ids(url)
    catalog = Catalog(url)
    with catalog.session() as db:
        sjz = add_seed(
            db, ids["石家庄市图书馆"], "http://sjz.example/", "sjz", jurisdiction="130100"
        )
        ln = add_seed(db, ids["辽宁省图书馆"], "http://ln.example/", "ln", jurisdiction="210000")
        seeds = sjz.id, ln.id
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    served = Served({**env, "DIANCANG_DATA_DIR": str(data_dir)}, data_dir.parent / "serve.log")
    try:
        yield Console(served, served.base, catalog, *seeds, ids)
    finally:
        served.stop()
        catalog.dispose()


def test_the_api_starts_a_job_and_shows_it_in_the_issues_shape(console):
    made = console.api("POST", "/api/jobs", "sjz-librarian", json={"seeds": [console.sjz_seed]})
    assert made.status_code == 201, made.text
    job = made.json()
    assert {"id", "state", "pages", "bytes", "errors", "warcs"} <= set(job)
    assert job["state"] == "queued" and job["library"] == "石家庄市图书馆"
    assert job["seeds"][0]["id"] == console.sjz_seed and job["warcs"] == []
    shown = console.api("GET", f"/api/jobs/{job['id']}", "hebei-auditor")  # sees the city's
    assert shown.status_code == 200 and shown.json()["id"] == job["id"]
    listed = console.api("GET", "/api/jobs?state=queued", "sjz-curator").json()
    assert job["id"] in [j["id"] for j in listed["jobs"]]
    assert console.api("GET", "/api/jobs", "ln-librarian").json()["jobs"] == []


def test_another_library_gets_403_anonymous_401_and_bad_bodies_422(console):
    job = console.api("POST", "/api/jobs", "sjz-librarian", json={"seeds": [console.sjz_seed]})
    job_id = job.json()["id"]
    for method, path, body in [
        ("POST", "/api/jobs", {"seeds": [console.sjz_seed]}),
        ("GET", f"/api/jobs/{job_id}", None),
        ("POST", f"/api/jobs/{job_id}/stop", None),
        ("POST", f"/api/jobs/{job_id}/rerun", None),
    ]:
        assert console.api(method, path, "ln-librarian", json=body).status_code == 403, path
        assert console.api(method, path, None, json=body).status_code == 401, path
    for watcher in ("hebei-auditor", "sjz-curator"):  # they see, they do not change
        assert console.api("POST", f"/api/jobs/{job_id}/stop", watcher).status_code == 403
    assert console.api("GET", "/api/jobs/999999", "admin").status_code == 404
    for body in ({}, {"seeds": "1"}, {"seeds": []}, {"seeds": ["1"]}, [1]):
        refused = console.api("POST", "/api/jobs", "sjz-librarian", json=body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == "seeds"
    unknown = console.api("POST", "/api/jobs", "sjz-librarian", json={"seeds": [999999]})
    assert unknown.status_code == 422 and "不存在" in unknown.json()["errors"][0]["message"]
    both = console.api(
        "POST", "/api/jobs", "admin", json={"seeds": [console.sjz_seed, console.ln_seed]}
    )
    assert both.status_code == 422 and "不属于" in both.json()["errors"][0]["message"]


def test_stop_resume_and_rerun_through_the_api(console):
    job_id = console.api(
        "POST", "/api/jobs", "sjz-librarian", json={"seeds": [console.sjz_seed]}
    ).json()["id"]
    stopped = console.api("POST", f"/api/jobs/{job_id}/stop", "sjz-librarian")
    assert stopped.status_code == 200 and stopped.json()["state"] == "stopped"
    again = console.api("POST", f"/api/jobs/{job_id}/stop", "sjz-librarian")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "state"
    resumed = console.api("POST", f"/api/jobs/{job_id}/resume", "sjz-librarian")
    assert resumed.status_code == 200 and resumed.json()["state"] == "queued"
    rerun = console.api("POST", f"/api/jobs/{job_id}/rerun", "sjz-librarian")
    assert rerun.status_code == 201 and rerun.json()["id"] != job_id


def test_start_now_form_leads_to_the_jobs_page_with_its_hooks(console):
    librarian = console.browser("sjz-librarian")
    page = librarian.post("/jobs", {"seeds": str(console.sjz_seed)}, token_from="/jobs")
    assert page.status_code == 200 and re.search(r"/jobs/\d+$", page.url), page.url
    assert 'id="job-state" data-state="queued"' in page.text
    assert '<meta http-equiv="refresh" content="5">' in page.text
    assert 'id="job-progress"' in page.text and 'id="job-stop"' in page.text
    path = page.url.removeprefix(console.base)
    stopped = librarian.post(path + "/stop", {}, token_from=path)
    assert stopped.url == page.url and 'data-state="stopped"' in stopped.text
    assert 'id="job-resume"' in stopped.text and 'id="job-rerun"' in stopped.text
    assert 'http-equiv="refresh"' not in stopped.text  # an ended job's page stays put
    refused = librarian.post(path + "/rerun", {}, token_from="")
    assert refused.status_code == 400  # no CSRF token

    other = console.browser("ln-librarian")
    assert other.get(path).status_code == 403
    assert (
        other.post("/jobs", {"seeds": str(console.sjz_seed)}, token_from="/jobs").status_code == 403
    )
    curator = console.browser("sjz-curator")
    seen = curator.get(path)
    assert seen.status_code == 200 and 'id="job-rerun"' not in seen.text  # sees, no forms
    assert console.browser().get(path).url.startswith(console.base + "/login")


def test_the_jobs_list_filters_by_state_and_pages(console):
    with console.catalog.session() as db:
        for _ in range(PER_PAGE + 5):
            queue_job(db, console.ids["辽宁省图书馆"], [console.ln_seed]).state = FINISHED
    reader = console.browser("ln-librarian")
    first = reader.get("/jobs?state=finished")
    rows = re.findall(r'<tr data-job-id="\d+" data-state="(\w+)"', first.text)
    assert len(rows) == PER_PAGE and set(rows) == {FINISHED}
    assert 'rel="next"' in first.text and "共 55 个任务" in first.text
    second = reader.get("/jobs?state=finished&page=2")
    assert len(re.findall(r'<tr data-job-id="', second.text)) == 5
    assert reader.get("/jobs?state=queued").text.count('<tr data-job-id="') == 0
    # another library's jobs are not listed
    assert "data-job-id" not in console.browser("sjz-librarian").get("/jobs?state=finished").text
    with console.catalog.session() as db:
        assert db.query(CrawlJob).count() >= PER_PAGE + 5
