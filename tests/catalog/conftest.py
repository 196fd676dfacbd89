"""Fixtures of the catalogue tests: catalogues on both backends (``database_url`` is in
tests/conftest.py), WARCs of the demo portal crawled by wget, the official OAI-PMH schema
and a real HTTP server."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from diancang.catalog.db import Catalog

WGET_FLAGS = [
    "--recursive", "--level=3", "--page-requisites", "--span-hosts",
    "--domains=127.0.0.1,127.0.0.2,127.0.0.5,127.0.0.6", "-e", "robots=on",
    "--tries=1", "--timeout=10", "--quiet",
]  # fmt: skip


# -- databases ------------------------------------------------------------------------------


@pytest.fixture
def catalog(database_url) -> Iterator[Catalog]:
    db = Catalog(database_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_catalog(tmp_path) -> Iterator[Catalog]:
    db = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    yield db
    db.dispose()


# -- WARCs of the demo portal, written by wget ---------------------------------------------


def wget_warc(start_url: str, warc_path: Path) -> Path:
    """Crawl ``start_url`` with wget into ``warc_path`` (.warc.gz) and return it."""
    if shutil.which("wget") is None:
        pytest.fail("wget is required (apt-get install wget)")
    work = warc_path.parent / (warc_path.name + ".files")
    work.mkdir(parents=True, exist_ok=True)
    stem = str(warc_path).removesuffix(".warc.gz")
    subprocess.run(
        ["wget", *WGET_FLAGS, f"--warc-file={stem}", "--no-warc-keep-log", start_url],
        cwd=work,
        check=False,  # wget exits 8 when some link answered 404, as the portal's does
        timeout=120,
    )
    shutil.rmtree(work, ignore_errors=True)
    assert warc_path.exists(), f"wget wrote no {warc_path}"
    return warc_path


@pytest.fixture(scope="session")
def demo_warc(demo_portal, tmp_path_factory) -> Path:
    """One wget crawl of the demo portal (main site and files host)."""
    return wget_warc(demo_portal.base_url, tmp_path_factory.mktemp("warcs") / "demo-1.warc.gz")


@pytest.fixture(scope="session")
def demo_recrawl_warc(demo_portal, tmp_path_factory) -> Path:
    """A second crawl of the same portal: every page is a re-capture."""
    return wget_warc(demo_portal.base_url, tmp_path_factory.mktemp("warcs") / "demo-2.warc.gz")


@pytest.fixture(scope="session")
def mirror_warc(tmp_path_factory) -> Iterator[Path]:
    """A crawl of a second site (the same portal served on other hosts) that re-publishes
    the same documents."""
    from diancang.demo_portal.server import DemoPortal

    with DemoPortal(host="127.0.0.5", files_host="127.0.0.6") as mirror:
        yield wget_warc(mirror.base_url, tmp_path_factory.mktemp("warcs") / "mirror.warc.gz")


# -- OAI-PMH: the official schema and a real HTTP server ------------------------------------


@pytest.fixture(scope="session")
def oai_validator(tmp_path_factory):
    """An lxml XMLSchema for OAI-PMH responses carrying oai_dc or govinfo metadata."""
    from lxml import etree

    schemas = Path(__file__).resolve().parents[2] / "catalog" / "oai" / "schemas"
    oai_pmh_xsd = Path(__file__).resolve().parent / "schemas" / "OAI-PMH.xsd"  # see its README
    wrapper = tmp_path_factory.mktemp("xsd") / "all.xsd"
    wrapper.write_text(
        f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-test:all">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/"
             schemaLocation="{oai_pmh_xsd.as_uri()}"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
             schemaLocation="{(schemas / "oai_dc.xsd").as_uri()}"/>
  <xs:import namespace="urn:x-diancang:govinfo:1.0"
             schemaLocation="{(schemas / "govinfo.xsd").as_uri()}"/>
</xs:schema>""",
        encoding="utf-8",
    )
    schema = etree.XMLSchema(etree.parse(str(wrapper)))

    def validate(body: bytes):
        doc = etree.fromstring(body)
        if not schema.validate(doc):
            raise AssertionError(f"invalid OAI-PMH response: {schema.error_log}\n{body[:2000]!r}")
        return doc

    return validate


class LiveServer:
    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def oai_server(catalog) -> Iterator[LiveServer]:
    from diancang.console.web import create_app

    server = LiveServer(create_app(catalog, oai_page_size=7))
    yield server
    server.stop()


# -- where ingest reads a WARC -------------------------------------------------------------


@pytest.fixture(params=["this process", "a reader process"])
def read_by(request, monkeypatch) -> str:
    """Ingest reads each WARC in the test's process, or in a reader process as it reads a
    large one."""
    import diancang.catalog.ingest

    limit = 2**62 if request.param == "this process" else 0
    monkeypatch.setattr(diancang.catalog.ingest, "PIPELINE_BYTES", limit)
    return request.param
