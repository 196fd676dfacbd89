import pytest
from crawl_helpers import Crawl, run_crawl_cli
from diancang.console.demo_commands import write_demo_seed_list
from diancang.demo_portal.server import DemoPortal
from seaweedfs_server import SeaweedS3


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


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (SeaweedFS ``weed server -s3``) on loopback."""
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs") / "data").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def control_character_crawl(tmp_path_factory) -> Crawl:
    """One crawl of a disclosure site whose pages print characters XML cannot carry."""
    from crawl_helpers import write_seed_list
    from sites.control_characters import ControlCharacterSite

    data_dir = tmp_path_factory.mktemp("control-crawl")
    with ControlCharacterSite() as site:
        seeds = write_seed_list(
            data_dir / "seeds.csv",
            [{"url": site.base_url, "title": "邯郸市政府信息公开", "jurisdiction": "130400",
              "collection": "govinfo"}],
        )  # fmt: skip
        return run_crawl_cli(data_dir, seeds)
