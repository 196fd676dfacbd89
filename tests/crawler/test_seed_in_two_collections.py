"""A portal that is a seed of both collections is captured, and replays, in each."""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_helpers import run_crawl_cli, write_seed_list
from pywb_runner import Pywb
from warcio.archiveiterator import ArchiveIterator

COLLECTIONS = ("govinfo-500000", "webarchive-500000")


@pytest.mark.slow
def test_url_seeded_in_both_collections_is_captured_and_replayed_in_each(tmp_path, demo_portal):
    files_host = demo_portal.files_url.split("//", 1)[1].rstrip("/")
    rows = [
        {
            "id": collection,
            "url": demo_portal.base_url,
            "title": "重庆市人民政府",
            "jurisdiction": "500000",
            "collection": collection,
            "requisite_hosts": files_host,
        }
        for collection in ("govinfo", "webarchive")
    ]
    crawl = run_crawl_cli(
        tmp_path, write_seed_list(tmp_path / "both.csv", rows), DIANCANG_BROWSER_DETECT="0"
    )
    captured = {name: _responses(tmp_path / "warcs" / name) for name in COLLECTIONS}
    pages = {url for url in demo_portal.expected_urls() if not url.endswith("/robots.txt")}
    for name in COLLECTIONS:
        assert pages <= captured[name], (name, sorted(pages - captured[name])[:5])
    assert crawl.report["responses"] >= 2 * len(pages)

    wayback = Pywb.for_data_dir(tmp_path)
    try:
        for name in COLLECTIONS:
            status, _, body = wayback.get(f"{name}/mp_/{demo_portal.base_url}")
            assert status == 200, name
            assert "重庆市人民政府门户网站" in body.decode("utf-8"), name
    finally:
        wayback.stop()


def _responses(directory: Path) -> set[str]:
    """URLs of the response records (whole payloads, not revisits) of one collection."""
    urls = set()
    for path in directory.glob("*.warc.gz"):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    urls.add(record.rec_headers.get_header("WARC-Target-URI"))
    return urls
