"""Crawls the client checks share: the demo portal crawled twice into one data directory
(the second crawl finds every page unchanged and writes revisit records)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from crawl_helpers import Crawl, run_crawl_cli

from diancang.console.demo_commands import write_demo_seed_list


@dataclass(frozen=True)
class Recrawl:
    data_dir: Path
    job: str
    first: Crawl
    second: Crawl


@pytest.fixture(scope="session")
def recrawl(demo_portal, tmp_path_factory) -> Recrawl:
    data_dir = tmp_path_factory.mktemp("recrawl")
    seed_list = write_demo_seed_list(data_dir, demo_portal)
    first = run_crawl_cli(data_dir, seed_list)
    second = run_crawl_cli(data_dir, seed_list)
    assert second.report["revisits"] > 0, second.report
    return Recrawl(data_dir, seed_list.stem, first, second)
