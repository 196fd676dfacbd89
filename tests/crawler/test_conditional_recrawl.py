"""Recrawls of one listing: `changed` asks with validators and stores 304s as revisits that
pywb replays as the original pages; a changed item is captured in full; `new` fetches only
the newly listed item. The report counts new, changed and unchanged items."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from crawl_helpers import BIN, Crawl, portal_seed, run_crawl_cli, write_seed_list
from pywb_runner import Pywb
from sites.conditional import ConditionalSite, item_path, item_text
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from diancang.crawler.warc.records import SERVER_NOT_MODIFIED

pytestmark = pytest.mark.slow

ITEMS = 12
CHANGED_ITEM = 3
COLLECTION = "govinfo-500000"


@dataclass
class Round:
    crawl: Crawl
    answered: list  # the requests the site answered during this crawl
    records: list  # the records of this crawl's WARC files, payloads read

    def of_type(self, rec_type: str) -> dict[str, object]:
        return {
            r.rec_headers.get_header("WARC-Target-URI"): r
            for r in self.records
            if r.rec_type == rec_type
        }


def _records(data_dir: Path, names: list[str]) -> list:
    out = []
    for name in names:
        (path,) = (data_dir / "warcs").glob(f"*/{name}")
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                record.content = record.content_stream().read()
                out.append(record)
    return out


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """Four crawls of one collection: first (changed), again unchanged (changed), one item
    changed (changed), one item added (new)."""
    data_dir = tmp_path_factory.mktemp("conditional") / "data"
    data_dir.mkdir()
    with ConditionalSite(items=ITEMS) as site:
        seed = {**portal_seed(site.url), "id": "notices"}
        changed = write_seed_list(data_dir / "changed.csv", [{**seed, "recrawl": "changed"}])
        new = write_seed_list(data_dir / "new.csv", [{**seed, "recrawl": "new"}])

        def crawl(seed_list: Path) -> Round:
            site.clear_log()
            done = run_crawl_cli(data_dir, seed_list)
            records = _records(data_dir, done.report["warc_files"])
            return Round(done, site.answered(), records)

        first = crawl(changed)
        again = crawl(changed)
        site.change(CHANGED_ITEM)
        after_change = crawl(changed)
        added = site.add_item()
        only_new = crawl(new)
        yield {
            "data_dir": data_dir,
            "site": site,
            "added": added,
            "first": first,
            "again": again,
            "after_change": after_change,
            "only_new": only_new,
        }


@pytest.fixture(scope="module")
def wayback(rounds):
    server = Pywb.for_data_dir(rounds["data_dir"])
    yield server
    server.stop()


def _items(answered) -> list:
    return [a for a in answered if a.path.startswith("/item/")]


def test_first_crawl_fetches_everything_in_full(rounds):
    first = rounds["first"]
    assert not any(a.conditional for a in first.answered)
    assert len(first.of_type("response")) == ITEMS + 2  # the items, the listing, robots.txt
    assert first.crawl.report["recrawl"] == {"new": ITEMS, "changed": 0, "unchanged": 0}


def test_recrawl_of_an_unchanged_site_asks_with_validators(rounds):
    again = rounds["again"]
    items = _items(again.answered)
    assert len(items) == ITEMS
    assert all(a.if_none_match and a.if_modified_since for a in items)  # the server counted
    listing = [a for a in again.answered if a.path == "/"]
    assert len(listing) == 1 and not listing[0].conditional  # listing pages: always in full
    assert again.crawl.report["recrawl"] == {"new": 0, "changed": 0, "unchanged": ITEMS}
    assert f"recrawl       new 0, changed 0, unchanged {ITEMS}" in again.crawl.result.stdout


def test_304_answers_are_server_not_modified_revisits_of_the_first_capture(rounds):
    first, again = rounds["first"], rounds["again"]
    originals = first.of_type("response")
    requests = {
        r.rec_headers.get_header("WARC-Concurrent-To"): r
        for r in again.records
        if r.rec_type == "request"
    }
    revisits = {
        url: r
        for url, r in again.of_type("revisit").items()
        if r.rec_headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
    }
    assert sorted(revisits) == sorted(rounds["site"].item_urls()[:ITEMS])
    for url, revisit in revisits.items():
        original = originals[url].rec_headers
        headers = revisit.rec_headers
        assert headers.get_header("WARC-Refers-To-Target-URI") == url
        assert headers.get_header("WARC-Refers-To-Date") == original.get_header("WARC-Date")
        assert headers.get_header("WARC-Refers-To") == original.get_header("WARC-Record-ID")
        assert headers.get_header("WARC-Payload-Digest") == original.get_header(
            "WARC-Payload-Digest"
        )
        assert revisit.content == b""
        request = requests[headers.get_header("WARC-Record-ID")]
        etag = originals[url].http_headers.get_header("ETag")
        assert request.http_headers.get_header("If-None-Match") == etag  # as sent
        last_modified = originals[url].http_headers.get_header("Last-Modified")
        assert request.http_headers.get_header("If-Modified-Since") == last_modified


def test_every_not_modified_page_replays_as_the_original(rounds, wayback):
    for url, revisit in rounds["again"].of_type("revisit").items():
        if revisit.rec_headers.get_header("WARC-Profile") != SERVER_NOT_MODIFIED:
            continue
        number = int(url.rsplit("/", 1)[1].split(".")[0])
        timestamp = iso_date_to_timestamp(revisit.rec_headers.get_header("WARC-Date"))
        status, headers, body = wayback.get(f"{COLLECTION}/{timestamp}id_/{url}")
        assert status == 200, url
        assert item_text(number, 1) in body.decode("utf-8"), url
        assert headers.get("X-Archive-Orig-Etag") == f'"item-{number}-v1"'
        status, _, body = wayback.get(f"{COLLECTION}/{timestamp}mp_/{url}")
        assert status == 200 and item_text(number, 1) in body.decode("utf-8"), url


def test_a_changed_item_is_captured_in_full(rounds, wayback):
    after = rounds["after_change"]
    url = rounds["site"].item_url(CHANGED_ITEM)
    responses = after.of_type("response")
    assert item_text(CHANGED_ITEM, 2) in responses[url].content.decode("utf-8")
    asked = [a for a in after.answered if a.path == item_path(CHANGED_ITEM)]
    assert [a.if_none_match for a in asked] == [f'"item-{CHANGED_ITEM}-v1"']
    assert set(after.of_type("revisit")) >= set(rounds["site"].item_urls()[:ITEMS]) - {url}
    assert after.crawl.report["recrawl"] == {"new": 0, "changed": 1, "unchanged": ITEMS - 1}
    timestamp = iso_date_to_timestamp(responses[url].rec_headers.get_header("WARC-Date"))
    status, _, body = wayback.get(f"{COLLECTION}/{timestamp}id_/{url}")
    assert status == 200 and item_text(CHANGED_ITEM, 2) in body.decode("utf-8")


def test_recrawl_new_fetches_only_the_newly_listed_item(rounds):
    only_new = rounds["only_new"]
    paths = sorted(a.path for a in only_new.answered)
    assert paths == sorted(["/robots.txt", "/", item_path(rounds["added"])])
    assert not any(a.conditional for a in only_new.answered)
    assert only_new.crawl.report["recrawl"] == {"new": 1, "changed": 0, "unchanged": ITEMS}


def test_recrawl_warcs_pass_warcio_check(rounds):
    files = sorted((rounds["data_dir"] / "warcs").glob("*/*.warc.gz"))
    assert len(files) >= 4
    check = subprocess.run([str(BIN / "warcio"), "check", *map(str, files)], capture_output=True)
    assert check.returncode == 0, check.stdout.decode()[-2000:]


def test_a_listing_linked_from_the_home_page_is_fetched_in_full_on_recrawl(tmp_path):
    """The seed is a portal's home page; its disclosure directory is an ordinary link. The
    directory was captured as a listing page, so recrawls fetch it again in full and find
    what it newly lists."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with ConditionalSite(items=6, home=True) as site:
        seed = {**portal_seed(site.url), "id": "portal"}
        new = write_seed_list(data_dir / "new.csv", [{**seed, "recrawl": "new"}])
        changed = write_seed_list(data_dir / "changed.csv", [{**seed, "recrawl": "changed"}])
        run_crawl_cli(data_dir, new)
        added = site.add_item()
        site.clear_log()
        only_new = run_crawl_cli(data_dir, new)
        listing = ["/list/index.html", "/list/index_1.html"]
        paths = sorted(a.path for a in site.answered())
        assert paths == sorted(["/robots.txt", "/", *listing, item_path(added)])
        assert only_new.report["recrawl"] == {"new": 1, "changed": 0, "unchanged": 6}
        site.clear_log()
        run_crawl_cli(data_dir, changed)
        asked = {a.path: a.conditional for a in site.answered()}
    assert not any(asked[path] for path in ["/", *listing])
    assert all(asked[item_path(n)] for n in range(6))
