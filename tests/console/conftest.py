"""Fixtures of the web-app tests: API tokens (made here, never stored), a catalogue, and a
local WARC store holding one committed WARC with its fixity record."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import COLLECTION, WARC_NAME, Tokens
from warc_files import write_html_warc

from diancang.catalog.db import Catalog
from diancang.storage.local import LocalWarcStore


@pytest.fixture
def tokens() -> Tokens:
    return Tokens(secrets.token_urlsafe(32), secrets.token_urlsafe(32))


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    db = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    yield db
    db.dispose()


@pytest.fixture
def warc_store(tmp_path: Path) -> LocalWarcStore:
    """``DATA_DIR/warcs`` (DATA_DIR = tmp_path/data) with one WARC committed."""
    store = LocalWarcStore(tmp_path / "data" / "warcs")
    path = write_html_warc(store.spool_dir(COLLECTION) / WARC_NAME, payload_bytes=5000)
    store.commit(path, COLLECTION)
    return store
