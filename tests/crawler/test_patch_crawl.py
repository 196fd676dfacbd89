"""`diancang crawl --urls` with a patch crawl's seed row (jobs/patch.py): exactly the URLs
given are fetched, for the seed, into its collection: nothing a page links to or embeds,
nothing a style sheet names, no robots.txt; a robots-disallowed URL a curator named is
fetched, and the warcinfo says robots.txt was not obeyed. A bad URL list is refused naming
its line, before anything is crawled."""

from __future__ import annotations

import pytest
from crawl_helpers import crawl_env, diancang, portal_seed, records, write_seed_list

from diancang.jobs.patch import patch_row
from diancang.seeds.raw import FIELDS

pytestmark = pytest.mark.slow


def _row(url: str) -> dict[str, str]:
    seed = {name: "" for name in FIELDS} | portal_seed(url) | {"depth": "3"}
    return patch_row(seed, "cq-portal", "govinfo", "500000")


def test_a_patch_crawl_fetches_exactly_the_urls_given(demo_portal, tmp_path):
    seed_list = write_seed_list(tmp_path / "patch.csv", [_row(demo_portal.base_url)])
    wanted = [
        demo_portal.base_url,  # links, images, a style sheet, an iframe, a script
        demo_portal.url("/css/style.css"),  # names url(../images/bg.png)
        *sorted(demo_portal.disallowed_urls()),  # robots.txt: Disallow: /private/
    ]
    urls = tmp_path / "patch.urls"
    urls.write_text("# the curator's URLs\n\n" + "\n".join(wanted) + "\n", encoding="utf-8")
    done = diancang("crawl", str(seed_list), "--urls", str(urls), env=crawl_env(tmp_path / "d"))
    assert done.returncode == 0, done.stderr
    found = list(records(tmp_path / "d"))
    fetched = [
        r.rec_headers.get_header("WARC-Target-URI") for r in found if r.rec_type == "request"
    ]
    assert sorted(fetched) == sorted(wanted)
    (info,) = [r for r in found if r.rec_type == "warcinfo"]
    fields = info.content.decode()
    assert "seed: cq-portal\r\n" in fields and "robots: ignore\r\n" in fields
    assert "collection: govinfo\r\n" in fields and "jurisdiction: 500000\r\n" in fields


def test_a_bad_url_list_is_refused_naming_its_line(demo_portal, tmp_path):
    seed_list = write_seed_list(tmp_path / "patch.csv", [_row(demo_portal.base_url)])
    urls = tmp_path / "patch.urls"
    urls.write_text(f"{demo_portal.base_url}\nftp://files.example/a.png\n", encoding="utf-8")
    done = diancang("crawl", str(seed_list), "--urls", str(urls), env=crawl_env(tmp_path / "d"))
    assert done.returncode != 0
    assert f"{urls}:2: not an absolute http(s) URL: 'ftp://files.example/a.png'" in done.stderr
    assert not list(records(tmp_path / "d"))
