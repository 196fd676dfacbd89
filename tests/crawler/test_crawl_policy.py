"""Which seed a request belongs to, and robots.txt on hosts that no seed owns."""

from __future__ import annotations

import json

from crawl_helpers import crawl_env, run_crawl_cli, warc_files, write_seed_list
from sites.pages import site
from warcio.archiveiterator import ArchiveIterator

from diancang.crawler.context import SETTINGS_VALUES
from diancang.crawler.scrapy_settings import scrapy_settings
from diancang.demo_portal.serving import Page
from diancang.settings import Settings, load_settings

HTML = "text/html; charset=utf-8"


def test_robots_txt_of_a_requisite_host_is_obeyed_after_the_first_seed_is_spent(tmp_path):
    # Seed s1 has spent its time at once; seed s2's page embeds images of a host that no
    # seed owns, whose robots.txt disallows /private/. That robots.txt is s2's: fetched,
    # recorded in s2's collection and obeyed, whatever s1's budget says.
    files = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/public/a.png": Page(b"\x89PNG public", "image/png"),
        "/private/b.png": Page(b"\x89PNG private", "image/png"),
    }
    with site(files) as (files_url, files_requested):
        page = f'<html><body><img src="{files_url}public/a.png">'
        page += f'<img src="{files_url}private/b.png"></body></html>'
        portal = {"/": Page(page.encode(), HTML), "/robots.txt": Page(b"", "text/plain")}
        spent = {"/": Page(b"<html><body>s1</body></html>", HTML)}
        with site(portal) as (portal_url, _), site(spent) as (spent_url, _):
            files_host = files_url.split("/")[2]
            rows = [
                {"id": "s1", "url": spent_url, "collection": "govinfo", "duration": "0.001"},
                {"id": "s2", "url": portal_url, "collection": "webarchive",
                 "requisite_hosts": files_host},
            ]  # fmt: skip
            for row in rows:
                row.update({"title": "重庆", "jurisdiction": "500000"})
            crawl = run_crawl_cli(tmp_path, write_seed_list(tmp_path / "seeds.csv", rows))

    assert "/public/a.png" in files_requested
    assert "/private/b.png" not in files_requested
    assert crawl.report["robots_blocked"] == 1
    robots_txt = f"{files_url}robots.txt"
    recorded_in = [
        path.parent.name
        for path in warc_files(tmp_path)
        for record in ArchiveIterator(path.open("rb"))
        if record.rec_type == "response"
        and record.rec_headers.get_header("WARC-Target-URI") == robots_txt
    ]
    assert recorded_in == ["webarchive-500000"]


def _class_name(value: object) -> str:
    if isinstance(value, type):  # Scrapy's own RETRY_EXCEPTIONS list classes
        return value.__qualname__
    raise TypeError(f"a live {type(value).__name__} in the Scrapy settings: {value!r}")


def test_scrapy_settings_hold_plain_values_the_context_is_rebuilt_from(tmp_path):
    env = crawl_env(tmp_path, DIANCANG_WARC_STORE="s3://bucket/prefix")
    settings = load_settings(env)
    values = scrapy_settings(settings, tmp_path / "seeds.csv", ["s1"], tmp_path, False, True)
    plain = json.loads(json.dumps(values, default=_class_name))
    assert Settings.from_values(plain[SETTINGS_VALUES]) == settings
