"""ReplayWeb.page 2.5 (npm ``replaywebpage``, served from loopback in headless Chromium)
replays Diancang's WACZ exports: the default export of a crawl, and the ``--crawl`` export
of a re-crawl, whose pages are revisits of the first crawl's responses."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from crawl_helpers import crawl_env, diancang
from replayweb import MISSING_ORIGINAL, NOT_FOUND, replay_site, replayed_text

HOME_TEXT = "关于启用新版政府门户网站的通知"  # a line of the demo portal's home page


def _export(data_dir: Path, output: Path, *args: str) -> Path:
    result = diancang("export", "wacz", str(output), *args, env=crawl_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def _assert_replays(wacz: Path, url: str, work: Path) -> None:
    with replay_site(wacz, url, work) as page_url:
        text = replayed_text(page_url, HOME_TEXT)
    assert MISSING_ORIGINAL not in text and NOT_FOUND not in text, text[:2000]
    assert HOME_TEXT in text, text[:2000]


def test_default_export_replays(demo_crawl, demo_portal, tmp_path):
    wacz = _export(demo_crawl.data_dir, tmp_path / "demo.wacz", "--collection", "govinfo-500000")
    _assert_replays(wacz, demo_portal.base_url, tmp_path)


def test_crawl_export_of_a_recrawl_replays_its_revisits(recrawl, demo_portal, tmp_path):
    wacz = _export(recrawl.data_dir, tmp_path / "recrawl.wacz", "--crawl", recrawl.job)
    with zipfile.ZipFile(wacz) as package:
        names = package.namelist()
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
    second = {f"archive/{name}" for name in recrawl.second.report["warc_files"]}
    first = {f"archive/{name}" for name in recrawl.first.report["warc_files"]}
    assert second <= set(names) and not first & set(names)  # only the originals, not the files
    assert "archive/referred-originals.warc.gz" in names
    assert [p["url"] for p in pages[1:]] == [demo_portal.base_url]
    _assert_replays(wacz, demo_portal.base_url, tmp_path)
