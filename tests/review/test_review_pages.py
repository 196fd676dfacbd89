"""The /review pages through `diancang serve` and a real HTTP client: the queue (grouping,
sorting, filters, who sees which library's pages), one page's QA evidence and its images,
decisions by form with their audit lines, bulk approval, CSRF."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

from review_console import queue_rows
from review_helpers import Page
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from diancang.jobs.models import PATCH, CrawlJob
from diancang.review.models import Decision, ReviewItem

SJZ, LN = "石家庄市图书馆", "辽宁省图书馆"


def item_of(console, capture_id: int) -> ReviewItem:
    with console.catalog.session() as db:
        return db.scalar(
            select(ReviewItem)
            .where(ReviewItem.capture_id == capture_id)
            .options(joinedload(ReviewItem.record))
        )


def lines_of(console, capture_id: int) -> list[Decision]:
    with console.catalog.session() as db:
        return list(
            db.scalars(
                select(Decision).where(Decision.capture_id == capture_id).order_by(Decision.id)
            )
        )


def test_the_queue_groups_by_job_and_seed_and_sorts_worst_first(console):
    job, (good, bad, unscored, fair, other_seed) = console.job(
        SJZ,
        [
            Page("http://sjz.example/good", (0.97, 0.99)),
            Page("http://sjz.example/bad", (0.3, 0.9)),
            Page("http://sjz.example/unscored", None),
            Page("http://sjz.example/fair", (0.8, 0.95)),
            Page("http://b.example/page", (0.1, 0.2), seed="b"),
        ],
    )
    curator = console.browser("sjz-curator")
    shown = queue_rows(curator.get(f"/review?job={job}").text)
    assert shown == [
        ("b", other_seed, "0.1"),
        ("sjz", bad, "0.3"),
        ("sjz", fair, "0.8"),
        ("sjz", good, "0.97"),
        ("sjz", unscored, ""),
    ]
    best_first = queue_rows(curator.get(f"/review?job={job}&order=desc").text)
    assert [row[1] for row in best_first] == [other_seed, good, fair, bad, unscored]
    severe = queue_rows(curator.get(f"/review?job={job}&severity=severe").text)
    assert [row[1] for row in severe] == [other_seed, bad]


def test_the_state_and_job_filters(console):
    job, (first, second) = console.job(
        SJZ, [Page("http://sjz.example/s1", (0.95, 0.95)), Page("http://sjz.example/s2")]
    )
    other_job, (elsewhere,) = console.job(SJZ, [Page("http://sjz.example/s3")])
    curator = console.browser("sjz-curator")
    assert curator.post(f"/review/{first}", {"action": "approve"}).status_code == 200

    def ids(query):
        return [row[1] for row in queue_rows(curator.get("/review" + query).text)]

    assert ids(f"?job={job}") == [second]  # pending by default
    assert ids(f"?job={job}&state=approved") == [first]
    assert sorted(ids(f"?job={job}&state=all")) == [first, second]
    assert elsewhere in ids("") and first not in ids("")
    assert elsewhere not in ids(f"?job={job}&state=all")
    assert elsewhere in ids(f"?job={other_job}")


def test_each_user_sees_the_queue_of_the_libraries_they_see(console):
    _job, (sjz_page,) = console.job(SJZ, [Page("http://sjz.example/seen")])
    _job, (ln_page,) = console.job(LN, [Page("http://ln.example/seen", seed="ln")])

    def listed(username):
        return {row[1] for row in queue_rows(console.browser(username).get("/review").text)}

    assert sjz_page in listed("sjz-curator") and ln_page not in listed("sjz-curator")
    assert ln_page in listed("ln-curator") and sjz_page not in listed("ln-curator")
    assert sjz_page in listed("hebei-auditor") and ln_page not in listed("hebei-auditor")
    assert {sjz_page, ln_page} <= listed("admin")
    ln_curator = console.browser("ln-curator")
    assert ln_curator.get(f"/review/{sjz_page}").status_code == 404
    refused = ln_curator.post(f"/review/{sjz_page}", {"action": "approve"}, token_from="/review")
    assert refused.status_code == 404
    assert item_of(console, sjz_page).state == "pending"


def test_librarians_and_auditors_see_scores_but_get_no_forms_and_403(console):
    job, (capture_id,) = console.job(SJZ, [Page("http://sjz.example/ro", (0.42, 0.8))])
    for username in ("sjz-librarian", "hebei-auditor"):
        browser = console.browser(username)
        queue = browser.get(f"/review?job={job}").text
        assert queue_rows(queue) == [("sjz", capture_id, "0.42")]
        assert "bulk-approve" not in queue
        page = browser.get(f"/review/{capture_id}").text
        assert 'data-screenshot-match="0.42"' in page and 'id="read-only"' in page
        assert "decide-approve" not in page
        for action in ("approve", "patch"):
            data = {"action": action, "urls": "http://sjz.example/x.png"}
            answer = browser.post(f"/review/{capture_id}", data, token_from="/review")
            assert answer.status_code == 403, (username, action)
        bulk = browser.post("/review/bulk", {"job": job, "threshold": "0"}, token_from="/review")
        assert bulk.status_code == 403
    assert item_of(console, capture_id).state == "pending"
    assert lines_of(console, capture_id) == []
    with console.catalog.session() as db:
        patches = db.scalars(select(CrawlJob).where(CrawlJob.kind == PATCH))
        assert not any("http://sjz.example/x.png" in job.patch_urls for job in patches)


def test_the_page_shows_replay_qa_evidence_and_the_record_with_provenance(console):
    qa = console.data_dir / "qa" / "run-1"
    qa.mkdir(parents=True, exist_ok=True)
    shot = b"\x89PNG\r\n\x1a\n capture shot"
    (qa / "capture.png").write_bytes(shot)
    (qa / "diff.png").write_bytes(b"\x89PNG\r\n\x1a\n diff")
    url = "http://sjz.example/art/2026/通知.html?id=7"
    _job, (capture_id,) = console.job(
        SJZ,
        [
            Page(
                url,
                (0.61, 0.74),
                missing=["http://sjz.example/img/seal.png"],
                live_leaks=["http://cdn.example/track.js"],
                images={"capture": "run-1/capture.png", "diff": "run-1/diff.png"},
                capture_text="第一条内容。第二条内容。第三条内容。",
                replay_text="第一条内容。第三条内容。多出来的。",
            )
        ],
    )
    curator = console.browser("sjz-curator")
    answer = curator.get(f"/review/{capture_id}")
    page = html.unescape(answer.text)
    assert "frame-src 'self' http://127.0.0.1:8081" in answer.headers["Content-Security-Policy"]
    frame = re.search(r'<iframe id="replay-frame"[^>]* src="([^"]+)"', answer.text).group(1)
    frame = urlsplit(html.unescape(frame))
    (target,) = parse_qs(frame.query)["target"]
    assert frame.path == "/staff-replay"
    assert unquote(target) == f"govinfo-130100/20261120080000/{url}"
    assert "http://sjz.example/img/seal.png" in page and "http://cdn.example/track.js" in page
    diff = re.sub(
        r"\s+", "", re.search(r'<table class="text-diff".*?</table>', page, re.S).group(0)
    )
    assert '<trdata-tag="delete"><td><del>第二条内容。</del></td><td></td></tr>' in diff
    assert '<trdata-tag="insert"><td></td><td><ins>多出来的。</ins></td></tr>' in diff
    assert '<trdata-tag="equal"><td>第三条内容。</td><td>第三条内容。</td></tr>' in diff
    fields = re.search(r'<table id="record-fields">.*?</table>', page, re.S).group(0)
    assert "石家庄市人民政府办公室" in fields and "label:发布机构" in fields
    assert 'value="http://sjz.example/img/seal.png" checked' in page  # pre-checked for a patch
    image = curator.get(f"/review/{capture_id}/qa/capture")
    assert image.status_code == 200 and image.content == shot
    assert image.headers["Content-Type"] == "image/png"
    assert curator.get(f"/review/{capture_id}/qa/replay").status_code == 404  # none stored
    assert console.browser("ln-curator").get(f"/review/{capture_id}/qa/capture").status_code == 404
    assert (
        console.browser()
        .get(f"/review/{capture_id}/qa/capture")
        .url.endswith(f"/login?next=%2Freview%2F{capture_id}%2Fqa%2Fcapture")
    )


def test_stored_image_paths_that_leave_the_qa_folder_are_refused(console):
    (console.data_dir / "not-qa.png").write_bytes(b"\x89PNG outside")
    (console.data_dir / "qa").mkdir(exist_ok=True)
    (console.data_dir / "qa" / "notes.txt").write_text("not an image")
    tricks = {
        "capture": "../not-qa.png",
        "replay": str(console.data_dir / "not-qa.png"),
        "diff": "notes.txt",
    }
    (console.data_dir / "qa" / "fine.png").write_bytes(b"\x89PNG inside")
    _job, (capture_id, control) = console.job(
        SJZ,
        [
            Page("http://sjz.example/trick", images=tricks),
            Page("http://sjz.example/fine", images={"diff": "fine.png"}),
        ],
    )
    curator = console.browser("sjz-curator")
    assert curator.get(f"/review/{control}/qa/diff").content == b"\x89PNG inside"
    for which in tricks:
        assert curator.get(f"/review/{capture_id}/qa/{which}").status_code == 404, which
    assert curator.get(f"/review/{capture_id}/qa/..%2Fsecret_key").status_code == 404


def test_approve_reject_and_patch_by_form_leave_audit_lines(console):
    _job, (approved, rejected, patched) = console.job(
        SJZ,
        [
            Page("http://sjz.example/ok"),
            Page("http://sjz.example/no"),
            Page(
                "http://sjz.example/patch",
                (0.4, 0.9),
                missing=["http://sjz.example/a.png", "http://sjz.example/b.css"],
            ),
        ],
    )
    curator = console.browser("sjz-curator")
    assert "已通过" in curator.post(f"/review/{approved}", {"action": "approve"}).text
    item = item_of(console, approved)
    assert item.state == "approved" and item.record.published
    form = {"action": "reject", "reason": "页面无法回放", "comment": "图片全部缺失"}
    assert curator.post(f"/review/{rejected}", form).status_code == 200
    item = item_of(console, rejected)
    assert item.state == "rejected" and item.record.review_state == "rejected"
    (line,) = lines_of(console, rejected)
    assert (line.action, line.reason, line.comment, line.username) == (
        "reject",
        "页面无法回放",
        "图片全部缺失",
        "sjz-curator",
    )
    bad = curator.post(f"/review/{approved}", {"action": "reject", "reason": "随便"})
    assert bad.status_code == 400 and "请选择退回原因" in bad.text
    assert item_of(console, approved).state == "approved"

    data = {
        "action": "patch",
        "missing": ["http://sjz.example/a.png"],  # the curator unticked b.css
        "urls": "http://sjz.example/extra.js\n  http://sjz.example/more.png ",
    }
    page = curator.post(f"/review/{patched}", data)
    assert page.status_code == 200 and "已提交补采任务" in page.text
    item = item_of(console, patched)
    assert item.state == "pending" and item.patch_job_id is not None
    with console.catalog.session() as db:
        job = db.get(CrawlJob, item.patch_job_id)
        assert (job.kind, job.state, job.patch_item_id) == (PATCH, "queued", item.id)
        assert job.patch_urls == [
            "http://sjz.example/a.png",
            "http://sjz.example/extra.js",
            "http://sjz.example/more.png",
        ]
        assert [link.seed_key for link in job.seeds] == ["sjz"]
    (line,) = lines_of(console, patched)
    assert line.action == "patch" and line.detail == {"job": job.id, "urls": job.patch_urls}
    assert f'href="/jobs/{job.id}"' in page.text
    nothing = curator.post(f"/review/{patched}", {"action": "patch", "urls": "not a url"})
    assert nothing.status_code == 400 and "不是有效的网址" in nothing.text
    assert len(lines_of(console, patched)) == 1


def test_a_form_without_its_csrf_token_is_refused(console):
    job, (capture_id,) = console.job(SJZ, [Page("http://sjz.example/csrf")])
    curator = console.browser("sjz-curator")
    refused = curator.post(f"/review/{capture_id}", {"action": "approve"}, token_from="")
    assert refused.status_code == 400 and "CSRF" in refused.text
    bulk = curator.post("/review/bulk", {"job": job, "threshold": "0"}, token_from="")
    assert bulk.status_code == 400
    assert item_of(console, capture_id).state == "pending"
    assert curator.post(f"/review/{capture_id}", {"action": "approve"}).status_code == 200
    assert item_of(console, capture_id).state == "approved"  # with its token it is taken


def test_bulk_approval_takes_the_pending_pages_at_or_above_the_threshold(console):
    job, (high, exact, low, unscored, already) = console.job(
        SJZ,
        [
            Page("http://sjz.example/b1", (0.99, 0.97)),
            Page("http://sjz.example/b2", (0.9, 1.0)),
            Page("http://sjz.example/b3", (0.89, 1.0)),
            Page("http://sjz.example/b4", None),
            Page("http://sjz.example/b5", (1.0, 1.0)),
        ],
    )
    curator = console.browser("sjz-curator")
    curator.post(f"/review/{already}", {"action": "reject", "reason": "其他"})
    done = curator.post("/review/bulk", {"job": job, "threshold": "0.9"}, token_from="/review")
    assert done.status_code == 200 and "已批量通过 2 个页面" in done.text
    states = {c: item_of(console, c).state for c in (high, exact, low, unscored, already)}
    assert states == {
        high: "approved",
        exact: "approved",
        low: "pending",
        unscored: "pending",
        already: "rejected",
    }
    for capture_id in (high, exact):
        (line,) = lines_of(console, capture_id)
        assert line.action == "approve" and line.username == "sjz-curator"
    bad = curator.post("/review/bulk", {"job": job, "threshold": "很高"}, token_from="/review")
    assert bad.status_code == 400 and "阈值" in bad.text
