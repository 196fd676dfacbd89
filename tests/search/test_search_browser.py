"""Search in real headless Chromium: search, filter by jurisdiction, open a result's replay in
pywb; a screenshot of /search is kept. The catalogue: one disclosure page ingested from a
WARC that pywb serves, among generated records."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from page_shots import chromium, fill_login, screenshot_path
from playwright import sync_api
from pywb_runner import Pywb
from search_data import PASSWORD, add_libraries_and_users, fill
from served_app import Served
from warc_files import write_warc

from diancang.catalog.db import Catalog
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.warc_source import local_warc
from diancang.storage.local import LocalWarcStore

TITLE = "关于做好政务公开工作的通知（正定县试点）"
PAGE_URL = "http://www.zd.gov.cn/zwgk/2026/0412/notice.html"
PAGE = f"""<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{TITLE}">
<meta name="PubDate" content="2026-04-12 09:30"><meta name="SiteIDCode" content="1301230001">
<title>{TITLE}_正定县人民政府</title></head><body>
<table class="xxgk_table"><tr><th>索引号：</th><td>130123-2026-ZD0412</td>
<th>主题分类：</th><td>综合政务</td></tr><tr><th>发布机构：</th><td>正定县人民政府办公室</td>
<th>成文日期：</th><td>2026年4月10日</td></tr>
<tr><th>发文字号：</th><td>正政办〔2026〕8号</td><th>发布日期：</th><td>2026-04-12</td></tr></table>
<h1>{TITLE}</h1>
<div id="zoom"><p>各乡镇人民政府：为做好政务公开工作，现将试点安排通知如下。</p></div>
</body></html>"""


@pytest.mark.slow
def test_search_filter_by_jurisdiction_and_open_the_replay(tmp_path: Path):
    data_dir = tmp_path / "data"
    store = LocalWarcStore(data_dir / "warcs")
    warc = write_warc(
        store.spool_dir("govinfo-130123") / "govinfo-130123-20260412093000000-00000-t.warc.gz",
        [{"url": PAGE_URL, "body": PAGE.encode(), "date": "2026-04-12T09:30:00Z"}],
    )
    pywb = Pywb.for_data_dir(data_dir)
    catalog = Catalog(f"sqlite:///{data_dir / 'catalog.sqlite'}")
    try:
        with catalog.session() as db:
            fill(db, 300, add_libraries_and_users(db))
        options = IngestOptions("govinfo", "130123", replay_base=pywb.base)
        assert ingest_warc(catalog, local_warc(warc), options).records == 1
        catalog.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
        served = Served({**env, "DIANCANG_DATA_DIR": str(data_dir)}, tmp_path / "serve.log")
        try:
            _browse(served.base, pywb.base)
        finally:
            served.stop()
    finally:
        pywb.stop()
    assert screenshot_path("search").stat().st_size > 10_000


def _browse(console: str, replay: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(console + "/search")
        # sees 石家庄 and the records of no library within 石家庄市
        fill_login(page, "sjz-librarian", PASSWORD)
        page.wait_for_url(re.compile(r".*/search$"))

        page.get_by_label("检索词").fill("政务公开")
        page.get_by_role("button", name="检索", exact=True).click()
        page.wait_for_url(re.compile(r".*q=.*"))
        everywhere = int(page.locator("#result-count").get_attribute("data-total"))
        assert everywhere > 1

        facet = page.locator('section[data-facet="jurisdiction"]')
        facet.locator('li[data-value="130000"] a').click()  # 河北省 → its cities
        page.wait_for_url(re.compile(r".*jurisdiction=130000.*"))
        city = facet.locator('li[data-value="130100"]')
        expected = int(city.get_attribute("data-count"))
        city.locator("a").click()
        page.wait_for_url(re.compile(r".*jurisdiction=130100.*"))
        county = facet.locator('li[data-value="130123"]')
        assert county.is_visible()
        assert int(page.locator("#result-count").get_attribute("data-total")) == expected
        assert page.locator(".facet-chosen").first.inner_text().endswith("石家庄市")

        page.get_by_label("检索词").fill("正定县试点")
        page.get_by_role("button", name="检索", exact=True).click()
        page.wait_for_url(re.compile(r".*jurisdiction=130100.*"))
        hit = page.locator("li.hit")
        assert hit.count() == 1
        assert hit.locator("h3 mark").inner_text() == "正定县试点"
        assert "正政办〔2026〕8号" in hit.inner_text()
        # the stylesheet loaded under the strict Content-Security-Policy
        assert hit.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"

        page.get_by_label("检索词").fill("政务公开")
        page.get_by_role("button", name="检索", exact=True).click()
        page.wait_for_url(re.compile(r".*jurisdiction=130100.*"))
        page.screenshot(path=str(screenshot_path("search")), full_page=True)

        page.get_by_label("检索词").fill("正定县试点")
        page.get_by_role("button", name="检索", exact=True).click()
        page.wait_for_url(re.compile(r".*jurisdiction=130100.*"))
        link = page.locator("li.hit a.replay")
        assert link.get_attribute("href").startswith(replay + "govinfo-130123/2026041209")
        link.click()
        page.wait_for_url(re.compile(re.escape(replay) + ".*"))
        archived = page.frame_locator("iframe").locator("h1")
        sync_api.expect(archived).to_have_text(TITLE, timeout=30_000)
