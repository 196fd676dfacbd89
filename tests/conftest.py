import json
from pathlib import Path

import pytest
from crawl_helpers import crawl_env, diancang

from console.demo_commands import write_demo_seed_list
from demo_portal.server import DemoPortal


class Crawl:
    def __init__(self, data_dir: Path, result, report: dict):
        self.data_dir = data_dir
        self.result = result
        self.report = report


def run_crawl_cli(data_dir: Path, seed_list: Path, *args: str, **env: str) -> Crawl:
    result = diancang("crawl", str(seed_list), *args, env=crawl_env(data_dir, **env))
    assert result.returncode == 0, result.stderr[-3000:]
    reports = sorted((data_dir / "warcs" / "reports").glob("*.json"))
    return Crawl(data_dir, result, json.loads(reports[-1].read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def demo_portal():
    with DemoPortal(port=0).start() as portal:
        yield portal


@pytest.fixture(scope="session")
def demo_crawl(demo_portal, tmp_path_factory) -> Crawl:
    """One crawl of the demo portal, shared by the tests that only read its output."""
    data_dir = tmp_path_factory.mktemp("demo-crawl")
    seed_list = write_demo_seed_list(data_dir, demo_portal)
    return run_crawl_cli(data_dir, seed_list)
