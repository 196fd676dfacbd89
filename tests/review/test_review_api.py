"""/api/review through `diancang serve` with personal API tokens: the issue's JSON shapes,
decisions and who may take them, bulk approval."""

from __future__ import annotations

from review_helpers import Page
from sqlalchemy import select

from diancang.jobs.models import PATCH, CrawlJob
from diancang.review.models import Decision, ReviewItem

SJZ, LN = "石家庄市图书馆", "辽宁省图书馆"


def state_of(console, capture_id):
    with console.catalog.session() as db:
        return db.scalar(select(ReviewItem.state).where(ReviewItem.capture_id == capture_id))


def test_an_item_in_the_issues_shape(console):
    _job, (capture_id, unscored) = console.job(
        SJZ,
        [
            Page(
                "http://sjz.example/api/a",
                (None, 0.72),
                missing=["http://sjz.example/seal.png"],
                live_leaks=["http://live.example/x.js"],
            ),
            Page("http://sjz.example/api/b", None, record=False),
        ],
    )
    answer = console.api("GET", f"/api/review/{capture_id}", "sjz-curator")
    assert answer.status_code == 200, answer.text
    item = answer.json()
    assert set(item) == {"id", "url", "state", "record", "qa"}
    assert (item["id"], item["url"], item["state"]) == (
        capture_id,
        "http://sjz.example/api/a",
        "pending",
    )
    assert item["qa"] == {
        "screenshot_match": None,
        "text_match": 0.72,
        "missing": ["http://sjz.example/seal.png"],
        "live_leaks": ["http://live.example/x.js"],
        "severity": "moderate",
    }
    record = item["record"]
    assert record["agency"] == "石家庄市人民政府办公室" and record["review_state"] == "pending"
    assert record["provenance"]["agency"] == "label:发布机构" and record["published"] is False
    bare = console.api("GET", f"/api/review/{unscored}", "sjz-librarian").json()
    assert bare["record"] is None and bare["qa"]["severity"] is None and bare["qa"]["missing"] == []


def test_the_list_filters_by_state_and_job_and_shows_only_visible_libraries(console):
    job, (first, second) = console.job(
        SJZ, [Page("http://sjz.example/api/l1", (0.2, 0.3)), Page("http://sjz.example/api/l2")]
    )
    ln_job, (ln_page,) = console.job(LN, [Page("http://ln.example/api/l", seed="ln")])
    approve = console.api(
        "POST", f"/api/review/{second}", "sjz-curator", json={"decision": "approve"}
    )
    assert approve.status_code == 200 and approve.json()["state"] == "approved"
    listed = console.api("GET", f"/api/review?job={job}", "sjz-curator").json()
    assert [i["id"] for i in listed["items"]] == [first, second] and listed["total"] == 2
    assert listed["items"][0] == {
        "id": first, "url": "http://sjz.example/api/l1", "state": "pending", "job": job,
        "seed": "sjz", "library": SJZ, "score": 0.2, "severity": "severe", "patch_job": None,
    }  # fmt: skip
    pending = console.api("GET", f"/api/review?job={job}&state=pending", "sjz-curator").json()
    assert [i["id"] for i in pending["items"]] == [first]
    approved = console.api("GET", f"/api/review?job={job}&state=approved", "admin").json()
    assert [i["id"] for i in approved["items"]] == [second]
    assert console.api("GET", f"/api/review?job={ln_job}", "sjz-curator").json()["items"] == []
    assert [
        i["id"]
        for i in console.api("GET", f"/api/review?job={ln_job}", "ln-librarian").json()["items"]
    ] == [ln_page]
    assert console.api("GET", "/api/review", None).status_code == 401


def test_decisions_and_who_may_take_them(console):
    _job, (page, other) = console.job(
        SJZ, [Page("http://sjz.example/api/d1", published=True), Page("http://sjz.example/api/d2")]
    )
    path = f"/api/review/{page}"
    for username in ("sjz-librarian", "hebei-auditor", "ln-curator"):
        refused = console.api("POST", path, username, json={"decision": "approve"})
        assert refused.status_code == (404 if username == "ln-curator" else 403), username
        assert "error" in refused.json()
    assert console.api("GET", path, "ln-curator").status_code == 404
    bad = console.api("POST", path, "sjz-curator", json={"decision": "reject", "reason": "随便"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("请选择退回原因：内容不完整")
    for body in ({}, {"decision": "publish"}, {"decision": "patch", "urls": "http://x/"}, []):
        assert console.api("POST", path, "sjz-curator", json=body).status_code == 400, body
    assert state_of(console, page) == "pending"
    rejected = console.api(
        "POST", path, "sjz-curator",
        json={"decision": "reject", "reason": "非本辖区", "comment": "属于正定县"},
    )  # fmt: skip
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["state"] == "rejected"
    assert body["record"]["review_state"] == "rejected" and body["record"]["published"] is True
    with console.catalog.session() as db:
        (line,) = db.scalars(select(Decision).where(Decision.capture_id == page))
        assert (
            line.action,
            line.reason,
            line.comment,
            line.state_before,
            line.published_before,
        ) == ("reject", "非本辖区", "属于正定县", "pending", True)
    assert (
        console.api(
            "POST", f"/api/review/{other}", "admin", json={"decision": "approve"}
        ).status_code
        == 200
    )


def test_a_patch_answers_with_the_queued_patch_job(console):
    _job, (capture_id,) = console.job(
        SJZ, [Page("http://sjz.example/api/p", (0.3, 0.9), missing=["http://sjz.example/p.png"])]
    )
    urls = ["http://sjz.example/p.png", "http://sjz.example/added.css"]
    answer = console.api(
        "POST", f"/api/review/{capture_id}", "sjz-curator", json={"decision": "patch", "urls": urls}
    )
    assert answer.status_code == 201, answer.text
    job = answer.json()
    assert (
        job["state"] == "queued" and job["library"] == SJZ and job["seeds"][0]["seed_key"] == "sjz"
    )
    with console.catalog.session() as db:
        stored = db.get(CrawlJob, job["id"])
        item = db.scalar(select(ReviewItem).where(ReviewItem.capture_id == capture_id))
        assert (stored.kind, stored.patch_urls, stored.patch_item_id) == (PATCH, urls, item.id)
        assert item.patch_job_id == job["id"] and item.state == "pending"
    shown = console.api("GET", "/api/review?state=pending", "sjz-curator").json()["items"]
    assert {"id": capture_id, "patch_job": job["id"]}.items() <= next(
        i for i in shown if i["id"] == capture_id
    ).items()
    empty = console.api(
        "POST", f"/api/review/{capture_id}", "sjz-curator", json={"decision": "patch", "urls": []}
    )
    assert empty.status_code == 400 and "补采" in empty.json()["error"]


def test_bulk_approval_by_threshold(console):
    job, (high, low, unscored) = console.job(
        SJZ,
        [
            Page("http://sjz.example/api/b1", (0.95, 0.92)),
            Page("http://sjz.example/api/b2", (0.95, 0.5)),
            Page("http://sjz.example/api/b3", None),
        ],
    )
    body = {"job": job, "threshold": 0.9}
    assert console.api("POST", "/api/review/bulk", "sjz-librarian", json=body).status_code == 403
    assert console.api("POST", "/api/review/bulk", "ln-curator", json=body).status_code == 404
    for bad in ({"job": job, "threshold": 1.5}, {"job": job, "threshold": "x"}, {"job": "1"}):
        assert console.api("POST", "/api/review/bulk", "sjz-curator", json=bad).status_code == 400
    done = console.api("POST", "/api/review/bulk", "sjz-curator", json=body)
    assert done.status_code == 200, done.text
    assert done.json() == {"job": job, "threshold": 0.9, "approved": [high]}
    assert [state_of(console, c) for c in (high, low, unscored)] == [
        "approved",
        "pending",
        "pending",
    ]
    again = console.api(
        "POST", "/api/review/bulk", "sjz-curator", json={"job": job, "threshold": 0}
    )
    assert again.json()["approved"] == [low]  # every scored pending page; unscored ones stay
    with console.catalog.session() as db:
        lines = db.scalars(select(Decision).where(Decision.capture_id.in_([high, low])))
        assert sorted(line.capture_id for line in lines) == sorted([high, low])
