"""A collection first indexed while ``diancang replay`` runs (a new seed's first crawl) is
replayed, public and staff, with no restart; its access rules apply from its first answer.

Real processes: ``diancang replay`` (public pywb and the staff front), real HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from pywb_runner import served_replay
from registered_seeds import add_seed, library
from warc_files import write_warc

from diancang.catalog.db import Catalog
from diancang.replay import staff_tokens
from diancang.replay.access import RuleInput, add_rule
from diancang.replay.index import CollectionIndexes
from diancang.storage.local import LocalWarcStore

SECRET = "a-test-secret-key-for-new-collections"
OLD, NEW = "govinfo-130000", "govinfo-140000"  # the new one: a seed registered later
HOST = "http://gov.example"
STAMP = "20240305080000"


@dataclass
class Replay:
    public: str
    staff: str
    data_dir: Path
    catalog: Catalog


def page(name: str) -> dict:
    return {"url": f"{HOST}/{name}/page.html", "body": f"<p>{name} 页面</p>".encode()}


def store_and_index(data_dir: Path, collection: str, names: list[str]) -> None:
    """Commit a WARC of ``collection`` and index it, as a worker does when a crawl ends."""
    store = LocalWarcStore(data_dir / "warcs")
    warc = f"{collection}-{STAMP}000001-00000-h.warc.gz"
    written = write_warc(store.spool_dir(collection) / warc, [page(n) for n in names])
    store.commit(written, collection)
    CollectionIndexes(data_dir / "indexes").update(store)


def raw(base: str, collection: str, name: str, http=requests) -> requests.Response:
    """The capture's own bytes (``id_``), as pywb answers them."""
    return http.get(f"{base}{collection}/{STAMP}id_/{HOST}/{name}/page.html", timeout=30)


@pytest.fixture(scope="module")
def replay(tmp_path_factory) -> Iterator[Replay]:
    data_dir = tmp_path_factory.mktemp("new-collection") / "data"
    data_dir.mkdir()
    catalog = Catalog(f"sqlite:///{data_dir / 'catalog.sqlite'}")
    with catalog.session() as db:
        hebei = library(db, "河北省图书馆", "130000")
        add_seed(db, hebei, HOST + "/", "hebei", jurisdiction="130000")
        add_rule(db, RuleInput(f"{HOST}/blocked/", "block"), None)  # every collection's
        db.commit()
    store_and_index(data_dir, OLD, ["open"])
    try:
        with served_replay(data_dir, SECRET, data_dir.parent / "replay.log") as served:
            yield Replay(served.public, served.staff, data_dir, catalog)
    finally:
        catalog.dispose()


def staff_session(replay: Replay, collections) -> requests.Session:
    """A browser holding the staff front's cookie for a pass naming ``collections``."""
    http = requests.Session()
    token = staff_tokens.make_token(SECRET, 1, "curator", collections, "/")
    entered = http.get(
        replay.staff.rstrip("/") + staff_tokens.ENTER_PATH,
        params={"token": token}, allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert entered.status_code == 303 and staff_tokens.COOKIE_NAME in http.cookies
    return http


def test_a_collection_indexed_after_replay_started_replays_with_its_rules(replay):
    assert raw(replay.public, NEW, "open").status_code == 404
    with replay.catalog.session() as db:
        add_seed(db, library(db, "山西省图书馆", "140000"), HOST + "/", "sx", jurisdiction="140000")
        db.commit()
    store_and_index(replay.data_dir, NEW, ["open", "blocked"])

    deadline = time.monotonic() + 15
    while (answer := raw(replay.public, NEW, "open")).status_code != 200:
        # never served before its rules: the blocked page is refused from the first answer
        assert raw(replay.public, NEW, "blocked").status_code != 200
        assert time.monotonic() < deadline, f"still {answer.status_code}: not served"
        time.sleep(0.1)
    assert answer.content == page("open")["body"]
    assert raw(replay.public, NEW, "blocked").status_code == 451
    assert raw(replay.public, OLD, "open").content == page("open")["body"]

    curator = staff_session(replay, [NEW])
    assert raw(replay.staff, NEW, "blocked", curator).content == page("blocked")["body"]
    # a pass made before the collection existed does not name it
    other = staff_session(replay, [OLD])
    assert raw(replay.staff, NEW, "open", other).status_code == 403
    assert raw(replay.staff, OLD, "open", other).status_code == 200
