"""抽检 against a served console: a provincial auditor draws a random sample of a city
library's approved pages (of the configured size, or another), confirms or sends back each
with a reason; only that auditor judges the sample (another auditor, a curator, an admin:
403); a page sent back is rejected and its published record becomes an OAI-PMH deleted
record; the sample's error rate is in both libraries' 质检报告."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date

import pytest
from console.console_helpers import PASSWORD, Browser, accounts_catalogue
from review_rows import catalogue_pages, decide_now, items_of_records, library
from served_app import Served
from sqlalchemy import select

from diancang.accounts.users import add_user
from diancang.catalog.db import Catalog
from diancang.catalog.models import Record
from diancang.review.models import AuditSample, Decision, ReviewItem
from diancang.review.states import APPROVE, APPROVED, CONFIRM, REJECTED, SEND_BACK

SJZ, HEBEI, LN, ZHENGDING = "石家庄市图书馆", "河北省图书馆", "辽宁省图书馆", "正定县图书馆"
APPROVED_PAGES = 6
DEFAULT_SIZE = 3  # DIANCANG_REVIEW_AUDIT_SAMPLE_SIZE of the served console
YEAR = date.today().year


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """石家庄: 6 approved pages and 1 pending; 辽宁: 2 approved. Auditors hebei-auditor and
    hebei-auditor-2 (河北省), ln-auditor (辽宁省)."""
    root = tmp_path_factory.mktemp("samples")
    data_dir = root / "data"
    url = accounts_catalogue(data_dir)
    catalog = Catalog(url)
    with catalog.session() as session:
        add_user(session, "hebei-auditor-2", "auditor", PASSWORD, HEBEI)
        add_user(session, "ln-auditor", "auditor", PASSWORD, LN)
        add_user(session, "ln-curator", "curator", PASSWORD, LN)
    sjz = catalogue_pages(catalog, root / "sjz.warc.gz", "130100", APPROVED_PAGES + 1)
    ln = catalogue_pages(catalog, root / "ln.warc.gz", "210100", 2)
    with catalog.session() as session:
        sjz_items = items_of_records(session, library(session, SJZ).id, sjz)
        ln_items = items_of_records(session, library(session, LN).id, ln)
        to_approve = [(sjz_items[r].id, "sjz-curator") for r in sjz[:APPROVED_PAGES]]
        to_approve += [(ln_items[r].id, "ln-curator") for r in ln]
    for item_id, curator in to_approve:
        decide_now(catalog, item_id, curator, APPROVE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    env["DIANCANG_DATA_DIR"] = str(data_dir)
    env["DIANCANG_REVIEW_AUDIT_SAMPLE_SIZE"] = str(DEFAULT_SIZE)
    served = Served(env, root / "serve.log")
    with catalog.session() as session:
        ids = {name: library(session, name).id for name in (SJZ, HEBEI, LN, ZHENGDING)}
    yield served, catalog, ids
    served.stop()
    catalog.dispose()


def logged_in(served, username: str) -> Browser:
    browser = Browser(served.base)
    assert browser.login(username).status_code == 200
    return browser


def draw(browser: Browser, library_id: int, size: str | None = None):
    data = {"library": str(library_id)} | ({"size": size} if size is not None else {})
    return browser.post("/review/samples", data, token_from="/review/samples")


def drawn_id(response) -> int:
    assert response.status_code == 200, response.text[:1000]
    found = re.search(r"/review/samples/(\d+)$", response.url)
    assert found, response.url
    return int(found.group(1))


def entries(page: str) -> list[tuple[int, int]]:
    """(entry id, capture id) of each row of a sample's page."""
    rows = re.findall(r'data-entry-id="(\d+)".*?href="/review/(\d+)"', page, re.S)
    return [(int(e), int(c)) for e, c in rows]


def test_an_auditor_draws_a_random_sample_of_a_city_librarys_approved_pages(site):
    served, catalog, ids = site
    auditor = logged_in(served, "hebei-auditor")
    page = auditor.get("/review/samples").text
    choices = dict(
        (n, int(i)) for i, n in re.findall(r'<option value="(\d+)">([^<]+)</option>', page)
    )
    assert set(choices) == {SJZ, ZHENGDING}  # the city and county under the province
    assert f'name="size" type="number" min="1" max="1000" value="{DEFAULT_SIZE}"' in page

    sample_id = drawn_id(draw(auditor, ids[SJZ], size="4"))
    sample_page = auditor.get(f"/review/samples/{sample_id}").text
    rows = entries(sample_page)
    assert len(rows) == len({c for _, c in rows}) == 4
    with catalog.session() as session:
        sample = session.get(AuditSample, sample_id)
        assert (sample.library_id, sample.population, sample.size) == (ids[SJZ], 6, 4)
        items = [entry.item for entry in sample.items]
        assert all(i.state == APPROVED and i.library_id == ids[SJZ] for i in items)
        assert sorted(i.capture_id for i in items) == sorted(c for _, c in rows)

    default = drawn_id(draw(auditor, ids[SJZ]))  # the configured size
    everything = drawn_id(draw(auditor, ids[SJZ], size="50"))  # more than there are: all
    with catalog.session() as session:
        assert session.get(AuditSample, default).size == DEFAULT_SIZE
        assert session.get(AuditSample, everything).size == APPROVED_PAGES
    assert draw(auditor, ids[ZHENGDING]).status_code == 400  # nothing approved there
    assert draw(auditor, ids[SJZ], size="0").status_code == 400
    assert draw(auditor, ids[LN]).status_code == 403  # another province
    assert draw(auditor, ids[HEBEI]).status_code == 403  # its own library
    assert draw(logged_in(served, "sjz-curator"), ids[SJZ]).status_code == 403
    assert draw(logged_in(served, "admin"), ids[SJZ]).status_code == 403
    assert draw(logged_in(served, "ln-auditor"), ids[SJZ]).status_code == 403
    listing = logged_in(served, "sjz-curator").get("/review/samples")  # the library sees them
    assert f'data-sample-id="{sample_id}"' in listing.text
    assert (
        f'data-sample-id="{sample_id}"'
        not in logged_in(served, "ln-auditor").get("/review/samples").text
    )
    assert logged_in(served, "ln-auditor").get(f"/review/samples/{sample_id}").status_code == 403


def test_only_the_sampling_auditor_judges_and_the_error_rate_reaches_both_reports(site):
    served, catalog, ids = site
    auditor = logged_in(served, "hebei-auditor")
    sample_id = drawn_id(draw(auditor, ids[SJZ], size="4"))
    path = f"/review/samples/{sample_id}"
    rows = entries(auditor.get(path).text)

    def verdict(browser: Browser, entry: int, value: str, reason: str = ""):
        data = {"verdict": value, "reason": reason, "comment": "抽检意见"}
        return browser.post(f"{path}/items/{entry}", data, token_from="/review/samples")

    for someone in ("hebei-auditor-2", "sjz-curator", "admin"):
        assert verdict(logged_in(served, someone), rows[0][0], CONFIRM).status_code == 403
    assert verdict(auditor, rows[0][0], SEND_BACK).status_code == 400  # a reason is required
    assert verdict(auditor, rows[0][0], "approve").status_code == 400
    assert verdict(auditor, rows[0][0], CONFIRM).status_code == 200
    assert verdict(auditor, rows[1][0], CONFIRM).status_code == 200
    assert verdict(auditor, rows[2][0], SEND_BACK, "内容不完整").status_code == 200
    assert verdict(auditor, rows[2][0], CONFIRM).status_code == 400  # judged already
    page = auditor.get(path).text
    assert re.search(r'id="error-rate">33\.3%<', page)
    assert 'data-verdict="send_back"' in page and "抽检退回：内容不完整" in page

    sent_back = rows[2][1]
    with catalog.session() as session:
        item = session.scalar(select(ReviewItem).where(ReviewItem.capture_id == sent_back))
        record = session.get(Record, item.record_id)
        assert item.state == REJECTED
        assert (record.review_state, record.published) == (REJECTED, True)
        logged = list(
            session.scalars(
                select(Decision).where(Decision.detail["sample"].as_integer() == sample_id)
            )
        )
        assert sorted(d.action for d in logged) == [CONFIRM, CONFIRM, SEND_BACK]
        assert {d.username for d in logged} == {"hebei-auditor"}
    identifier = f"oai:diancang.local:{record.id}"
    oai = auditor.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier}")
    assert 'status="deleted"' in oai.text

    admin = logged_in(served, "admin")
    for name, metric in ((SJZ, "sampled"), (HEBEI, f"drawn:{SJZ}")):
        report = admin.get(f"/dashboard/report/{ids[name]}/{YEAR}.csv")
        assert report.status_code == 200
        rows_of = {
            (r[0], r[1]): r[2:] for r in csv.reader(io.StringIO(report.content.decode("utf-8-sig")))
        }
        assert rows_of[("review", f"{metric} decided")] == ["3", ""], name
        assert rows_of[("review", f"{metric} sent-back")] == ["1", "33.3"], name
        html = admin.get(f"/dashboard/report/{ids[name]}/{YEAR}.html").text
        assert "33.3%" in html, name


def test_samples_draw_the_pages_not_drawn_before_first_and_say_when_they_repeat(site):
    served, catalog, ids = site
    with catalog.session() as session:  # pages sent back by the tests above are not approved
        approved = len(
            session.scalars(
                select(ReviewItem.id).where(
                    ReviewItem.library_id == ids[SJZ], ReviewItem.state == APPROVED
                )
            ).all()
        )
    assert approved >= 3
    # hebei-auditor has drawn every page; this auditor has drawn none: its own draws count
    auditor = logged_in(served, "hebei-auditor-2")
    samples = []
    for size in (approved - 1, approved - 1, approved):
        page = auditor.get(f"/review/samples/{drawn_id(draw(auditor, ids[SJZ], str(size)))}")
        rows = entries(page.text)
        assert len(rows) == len({capture for _, capture in rows}) == size  # no page twice
        repeats = re.search(r'id="sample-repeats" data-repeats="(\d+)"', page.text)
        samples.append(({c for _, c in rows}, int(repeats.group(1)) if repeats else 0, page.text))
    (first, none, first_page), (second, repeated, second_page), (third, all_of_it, _) = samples
    assert none == 0 and "曾抽到" not in first_page
    # the one page not drawn yet, then pages of the first sample
    assert len(first | second) == approved
    assert repeated == len(first & second) == approved - 2 >= 1
    assert second_page.count('data-repeat="1"') == repeated and "已抽到过" in second_page
    assert all_of_it == approved and third == first | second  # everything drawn before
