"""``GET /api/search`` and the ``/search`` page over HTTP (the SQLite catalogue of the module)."""

from __future__ import annotations

import re
import threading

import pytest
import requests
from search_data import PASSWORD, UNSAFE_TITLE
from sqlalchemy import func, select
from werkzeug.serving import make_server

from diancang.accounts.models import Library, User
from diancang.accounts.tokens import issue_token
from diancang.catalog.models import Capture, Record
from diancang.catalog.search import SearchQuery, search
from diancang.console.web import create_app
from diancang.registry.models import RegisteredSeed
from diancang.registry.service import Registry, delete_seed, raw_seed

pytestmark = pytest.mark.parametrize("searched", ["sqlite"], indirect=True)


@pytest.fixture
def console(searched):
    server = make_server("127.0.0.1", 0, create_app(searched.catalog), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _token(searched, username: str) -> str:
    with searched.catalog.session() as db:
        return issue_token(db, db.scalar(select(User).where(User.username == username)))


def _login(console: str, username: str) -> requests.Session:
    http = requests.Session()
    form = http.get(console + "/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    answer = http.post(
        console + "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:500]
    return http


def test_the_api_answers_with_results_facets_and_links(searched, console):
    assert requests.get(console + "/api/search?q=公开", timeout=30).status_code == 401
    token = _token(searched, "sjz-librarian")
    answer = requests.get(
        console + "/api/search",
        params={"q": "政务公开", "jurisdiction": "130100"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200
    body = answer.json()
    with searched.catalog.session() as db:
        user = db.scalar(select(User).where(User.username == "sjz-librarian"))
        query = SearchQuery.from_args({"q": "政务公开", "jurisdiction": "130100"})
        direct = search(db, query, user)
    assert body["total"] == direct.total > 0
    assert [r["id"] for r in body["results"]] == [h.record.id for h in direct.hits]
    first = body["results"][0]
    assert "<mark>政务公开</mark>" in first["highlight"]["title"]
    assert first["captures"][0]["replay"].startswith("http://127.0.0.1:8080/govinfo-130")
    assert set(body["facets"]) == {
        "jurisdiction", "collection", "agency", "year", "review_state", "library", "withdrawn"
    }  # fmt: skip
    assert {"value", "label", "count", "selected"} <= set(body["facets"]["year"][0])
    assert all(isinstance(r["duplicates_elsewhere"], list) for r in body["results"])


def test_the_api_names_a_bad_parameter(searched, console):
    answer = requests.get(
        console + "/api/search",
        params={"q": "公开", "year": "24"},
        headers={"Authorization": f"Bearer {_token(searched, 'admin')}"},
        timeout=30,
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["year"]


def test_the_page_escapes_titles_marks_matches_and_flags_duplicates(searched, console):
    assert requests.get(console + "/search", timeout=30).url.startswith(console + "/login")
    http = _login(console, "admin")
    page = http.get(console + "/search", params={"q": "政务公开"}, timeout=30)
    assert page.status_code == 200
    assert "<mark>政务公开</mark>" in page.text
    assert "style=" not in page.text and "<script" not in page.text  # the CSP allows neither
    with searched.catalog.session() as db:
        unsafe = db.scalar(select(Record.index_no).where(Record.title == UNSAFE_TITLE))
        shared = db.scalars(
            select(Record.index_no)
            .where(Record.library_id.is_not(None), Record.deleted.is_(False))
            .group_by(Record.index_no)
            .having(func.count(Record.library_id.distinct()) > 1)
        ).first()
    page = http.get(console + "/search", params={"q": unsafe}, timeout=30)
    assert "关于&lt;b&gt;做好&lt;/b&gt;政务公开工作的通知 &amp; 附件" in page.text
    assert "<b>" not in page.text
    page = http.get(console + "/search", params={"q": shared}, timeout=30)
    assert "已在其他馆数据中" in page.text


def _shared_pair(db) -> tuple[Record, Record]:
    """Two live records of different libraries with the same 索引号."""
    index_no = db.scalars(
        select(Record.index_no)
        .where(Record.library_id.is_not(None), Record.deleted.is_(False))
        .group_by(Record.index_no)
        .having(func.count(Record.library_id.distinct()) > 1)
    ).first()
    first, second = db.scalars(
        select(Record).where(Record.index_no == index_no).order_by(Record.id)
    ).all()
    return first, second


def test_the_record_and_seed_pages_show_what_other_libraries_hold(searched, console):
    with searched.catalog.session() as db:
        first, second = _shared_pair(db)
        first_id, second_id, library_id = first.id, second.id, first.library_id
        alone = db.scalar(
            select(Record.id).where(
                Record.library_id == library_id,
                Record.index_no.not_in(select(Record.index_no).where(Record.id != first_id)),
                Record.id != first_id,
            )
        )
        library = db.get(Library, library_id)
        seed = Registry(db, library).create(
            raw_seed({"url": "http://duplicates.example/", "title": "查重种子",
                      "jurisdiction": library.jurisdiction, "collection": "govinfo"})
        )  # fmt: skip
        db.flush()
        seed_id, seed_key = seed.id, seed.seed_key
        for capture in db.scalars(select(Capture).where(Capture.record_id.in_([first_id, alone]))):
            capture.seed = seed_key
    http = _login(console, "admin")
    try:
        page = http.get(f"{console}/records/{first_id}", timeout=30)
        assert page.status_code == 200
        assert "已在其他馆数据中" in page.text and f'href="/records/{second_id}"' in page.text
        assert "已在其他馆数据中" not in http.get(f"{console}/records/{alone}", timeout=30).text
        page = http.get(f"{console}/seeds/{seed_id}", timeout=30)
        assert page.status_code == 200
        assert "已在其他馆数据中" in page.text
        assert f'data-record-id="{first_id}"' in page.text
        assert f'data-record-id="{alone}"' not in page.text
        assert f'href="/records/{second_id}" data-duplicate-id="{second_id}"' in page.text
    finally:
        with searched.catalog.session() as db:
            for capture in db.scalars(select(Capture).where(Capture.seed == seed_key)):
                capture.seed = None
            delete_seed(db, db.get(RegisteredSeed, seed_id))
