"""Per-host politeness: the server never sees more requests at once than configured."""

from __future__ import annotations

import pytest
from crawl_helpers import run_crawl_cli, write_seed_list
from sites.generated import GeneratedSite
from sites.request_probe import RequestProbe


@pytest.mark.slow
def test_requests_in_flight_per_host_never_exceed_the_setting(tmp_path):
    probe = RequestProbe()
    with GeneratedSite(hosts=2, pages=60, latency=0.05) as site, probe.installed():
        rows = [
            {"url": url, "title": "站点", "jurisdiction": "500000", "collection": "webarchive"}
            for url in site.seed_urls()
        ]
        crawl = run_crawl_cli(
            tmp_path,
            write_seed_list(tmp_path / "sites.csv", rows),
            DIANCANG_CONCURRENCY_PER_HOST="2",
        )
    assert crawl.report["responses"] >= len(site.all_urls())
    assert len(probe.peak) == 2
    assert max(probe.peak.values()) == 2
