"""Access rules of replay through real processes: ``diancang serve`` (the console),
``diancang replay`` (public pywb and the staff front) and ``diancang access``; real HTTP.

One WARC of 石家庄市图书馆's collection holds a page under each prefix the rules name; every
capture is dated 2024-03-05, so an embargo of 36500 days after capture is in force and one of
1 day, or until 2020-01-01, has ended.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from click.testing import CliRunner, Result
from console_helpers import PASSWORD, Browser, accounts_catalogue, library_ids
from pywb_runner import served_replay
from registered_seeds import add_seed
from served_app import Served
from warc_files import write_warc

from diancang.catalog.db import Catalog
from diancang.console.cli import main
from diancang.replay import staff_tokens
from diancang.storage.local import LocalWarcStore

SECRET = "a-test-secret-key-for-replay-access"
SJZ = "govinfo-130100"  # 石家庄市图书馆's collection
LN = "govinfo-210000"  # 辽宁省图书馆's
HOST = "http://sjz.example"
PAGES = ("open", "blocked", "excluded", "embargo", "expired", "ended", "form")


def target(name: str, collection: str = SJZ, modifier: str = "") -> str:
    return f"{collection}/20240305080000{modifier}/{HOST}/{name}/page.html"


@dataclass
class Site:
    console: Served
    replay: str
    staff: str
    env: dict[str, str]
    catalog: Catalog

    def cli(self, *args: str) -> Result:
        """``diancang access ARGS`` (in this process: the replay it changes is the real one)."""
        return CliRunner().invoke(main, ["access", *args], env=self.env)

    def public(self, name: str) -> int:
        """The status of the page itself (``mp_``: not the frame pywb puts around it)."""
        return requests.get(self.replay + target(name, modifier="mp_"), timeout=30).status_code

    def browser(self, username: str) -> Browser:
        browser = Browser(self.console.base)
        assert browser.login(username).url.endswith("/libraries")
        return browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("replay-access") / "data"
    url = accounts_catalogue(data_dir)
    ids = library_ids(url)
    catalog = Catalog(url)
    with catalog.session() as db:
        add_seed(db, ids["石家庄市图书馆"], HOST + "/", "sjz", jurisdiction="130100")
        add_seed(db, ids["辽宁省图书馆"], "http://ln.example/", "ln", jurisdiction="210000")
    store = LocalWarcStore(data_dir / "warcs")
    for collection, host, names in ((SJZ, HOST, PAGES), (LN, "http://ln.example", ("open",))):
        pages = [
            {"url": f"{host}/{name}/page.html", "body": f"<p>page {name}</p>".encode()}
            for name in names
        ]
        name = f"{collection}-20240305080000000001-00000-h.warc.gz"
        store.commit(write_warc(store.spool_dir(collection) / name, pages), collection)
    console = None
    try:
        with served_replay(data_dir, SECRET, data_dir.parent / "replay.log") as replay:
            console = Served(replay.env, data_dir.parent / "serve.log")
            yield Site(console, replay.public, replay.staff, replay.env, catalog)
    finally:
        if console:
            console.stop()
        catalog.dispose()


def test_rules_from_the_cli_take_effect_in_public_replay_without_a_restart(site):
    assert {name: site.public(name) for name in PAGES} == dict.fromkeys(PAGES, 200)
    added = [
        site.cli("add", f"{HOST}/blocked/", "--block", "--comment", "依申请屏蔽"),
        site.cli("add", f"{HOST}/excluded/", "--exclude"),
        site.cli("add", f"{HOST}/embargo/", "--block", "--days", "36500"),
        site.cli("add", f"{HOST}/expired/", "--block", "--until", "2020-01-01"),
        site.cli("add", f"{HOST}/ended/", "--block", "--days", "1", "--library", "石家庄市图书馆"),
    ]
    assert [r.exit_code for r in added] == [0] * 5, [r.output for r in added]
    assert site.public("blocked") == 451
    assert site.public("embargo") == 451
    assert site.public("excluded") == 404  # as if it had never been archived
    assert site.public("expired") == 200  # the embargo's date has passed
    assert site.public("ended") == 200  # captured more than a day ago
    assert site.public("open") == 200
    # a prefix ending in "/" covers that directory, not its namesakes
    assert (
        requests.get(site.replay + f"{SJZ}/2024mp_/{HOST}/blocked", timeout=30).status_code != 451
    )

    listed = site.cli("list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 5
    assert f"屏蔽\t{HOST}/blocked/\t全部馆藏\t依申请屏蔽" in lines[0]
    assert "屏蔽（采集后 36500 天）" in lines[2] and "屏蔽（至 2020-01-01）" in lines[3]
    assert lines[4].endswith("石家庄市图书馆")

    rule_id = lines[0].split("\t")[0]
    removed = site.cli("remove", rule_id)
    assert removed.exit_code == 0, removed.output
    assert site.public("blocked") == 200
    assert rule_id not in [line.split("\t")[0] for line in site.cli("list").output.splitlines()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "ftp://sjz.example/", "--block"], "网址前缀无效"),
        (["add", "sjz.example/", "--block"], "网址前缀无效"),
        (["add", f"{HOST}/x/", "--block", "--until", "2027-02-30"], "日期无效"),
        (["add", f"{HOST}/x/", "--block", "--days", "-3"], "禁阅天数无效"),
        (["add", f"{HOST}/x/", "--allow", "--days", "3"], "不能带禁阅期"),
        (["add", f"{HOST}/x/", "--block", "--library", "没有这个馆"], "no library named"),
        (["add", f"{HOST}/x/"], "--block, --exclude or --allow"),
        (["remove", "99999"], "no access rule with id 99999"),
    ],
)
def test_the_cli_refuses_bad_rules_and_unknown_ids(site, args, message):
    result = site.cli(*args)
    assert result.exit_code != 0
    assert message in result.output


def test_staff_replay_shows_embargoed_captures_to_a_signed_in_curator(site):
    site.cli("add", f"{HOST}/embargo/", "--block", "--days", "36500")  # or already there
    assert site.public("embargo") == 451
    curator = site.browser("sjz-curator")
    answer = curator.get("/staff-replay", params={"target": target("embargo")})
    assert answer.status_code == 200, answer.text[:500]
    assert answer.url.startswith(site.staff)  # never the console's origin
    assert (
        "page embargo"
        in curator.http.get(
            site.staff + target("embargo", modifier="id_"),
            timeout=30,
        ).text
    )
    # the staff cookie names the curator's collections only
    assert curator.http.get(site.staff + target("open", LN, "mp_"), timeout=30).status_code == 403


def test_staff_replay_refuses_without_sign_in_and_with_forged_or_expired_tokens(site, monkeypatch):
    assert requests.get(site.staff + target("embargo"), timeout=30).status_code == 401
    enter = site.staff.rstrip("/") + staff_tokens.ENTER_PATH
    forged = staff_tokens.make_token("not-the-key", 1, "x", staff_tokens.ALL, target("embargo"))
    assert requests.get(enter, params={"token": forged}, timeout=30).status_code == 403
    real = time.time()
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real - 3600)
    expired = staff_tokens.make_token(SECRET, 1, "x", staff_tokens.ALL, target("embargo"))
    monkeypatch.undo()
    assert requests.get(enter, params={"token": expired}, timeout=30).status_code == 403
    forged_cookie = {staff_tokens.COOKIE_NAME: "eyJ1c2VyIjoxfQ.forged.sig"}
    assert (
        requests.get(site.staff + target("embargo"), cookies=forged_cookie, timeout=30).status_code
        == 403
    )
    # the console sends nobody there without a session
    anonymous = requests.get(
        site.console.base + "/staff-replay", params={"target": target("embargo")}, timeout=30
    )
    assert urlsplit(anonymous.url).path == "/login"


def test_staff_replay_is_refused_to_another_library_and_public_for_a_librarian(site):
    other = site.browser("ln-librarian")
    answer = other.get("/staff-replay", params={"target": target("embargo")})
    assert answer.status_code == 403
    librarian = site.browser("sjz-librarian")  # sees the library, reviews nothing
    answer = librarian.get(
        "/staff-replay", params={"target": target("open")}, allow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == site.replay + target("open")
    curator = site.browser("sjz-curator")
    answer = curator.get(
        "/staff-replay", params={"target": target("embargo")}, allow_redirects=False
    )
    token = parse_qs(urlsplit(answer.headers["Location"]).query)["token"][0]
    staff, where = staff_tokens.read_token(SECRET, token)
    assert where == target("embargo") and staff.may_see(SJZ) and not staff.may_see(LN)


def test_the_access_page_adds_and_removes_a_rule_that_takes_effect_at_once(site):
    librarian = site.browser("sjz-librarian")
    page = librarian.get("/access")
    assert page.status_code == 200 and 'id="access-rules"' in page.text
    assert 'id="access-add"' not in page.text  # librarians see the rules, edit none
    refused = librarian.post(
        "/access",
        {"url_prefix": f"{HOST}/form/", "access": "block", "library": "1"},
        token_from="/libraries",
    )
    assert refused.status_code == 403

    curator = site.browser("sjz-curator")
    form = re.search(r'<option value="(\d+)">石家庄市图书馆</option>', curator.get("/access").text)
    assert form, "the curator's library is offered"
    no_csrf = curator.post(
        "/access", {"url_prefix": f"{HOST}/form/", "access": "block"}, token_from=""
    )
    assert no_csrf.status_code == 400
    bad = curator.post(
        "/access",
        {"url_prefix": f"{HOST}/form/", "access": "block", "library": form.group(1),
         "embargo": "until", "until": "明天"},
    )  # fmt: skip
    assert bad.status_code == 400 and "日期无效" in bad.text
    assert site.public("form") == 200
    added = curator.post(
        "/access",
        {"url_prefix": f"{HOST}/form/", "access": "block", "library": form.group(1),
         "embargo": "until", "until": "2999-12-31", "comment": "审核中"},
    )  # fmt: skip
    assert added.status_code == 200 and "屏蔽（至 2999-12-31）" in added.text
    assert site.public("form") == 451
    row = rf'data-rule-id="(\d+)" data-access="block">\s*<td>#\d+</td>\s*<td><code>{HOST}/form/'
    rule_id = re.search(row, added.text).group(1)
    removed = curator.post(f"/access/{rule_id}/remove", {}, token_from="/access")
    assert removed.status_code == 200
    assert site.public("form") == 200


@pytest.mark.slow
def test_a_curator_sees_an_embargoed_page_in_chromium_the_public_gets_451(site):
    from page_shots import chromium, fill_login, screenshot_path

    site.cli("add", f"{HOST}/embargo/", "--block", "--days", "36500")  # or already there
    with chromium() as browser:
        page = browser.new_page()
        public = page.goto(site.replay + target("embargo", modifier="mp_"))
        assert public.status == 451
        page.goto(site.console.base + "/login")
        fill_login(page, "sjz-curator", PASSWORD)
        page.goto(site.console.base + "/staff-replay?target=" + target("embargo"))
        assert page.url.startswith(site.staff)
        frame = page.frame_locator("iframe").first
        frame.get_by_text("page embargo").wait_for(timeout=30_000)
        page.screenshot(path=str(screenshot_path("staff-replay")))
