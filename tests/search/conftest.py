"""A generated catalogue of several thousand records on each backend, built once per module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from databases import BACKENDS, empty_database
from search_data import RECORDS, add_libraries_and_users, fill

from diancang.catalog.db import Catalog


@dataclass
class Searched:
    catalog: Catalog
    library_ids: dict[str, int]
    backend: str


@pytest.fixture(scope="module", params=BACKENDS)
def searched(request, tmp_path_factory) -> Iterator[Searched]:
    server = request.getfixturevalue("postgres_server") if request.param != "sqlite" else None
    with empty_database(request.param, tmp_path_factory.mktemp("search"), server) as url:
        catalog = Catalog(url)
        with catalog.session() as session:
            library_ids = add_libraries_and_users(session)
            fill(session, RECORDS, library_ids)
        yield Searched(catalog, library_ids, request.param)
        catalog.dispose()
