"""One ``diancang serve`` over a catalogue with the console's accounts, for the review pages,
the review API and their screenshots; each test makes the jobs and items it looks at."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from console.console_helpers import PASSWORD, accounts_catalogue, library_ids
from review_console import ReviewConsole
from served_app import Served

from diancang.accounts.users import add_user
from diancang.catalog.db import Catalog


@pytest.fixture(scope="package")
def console(tmp_path_factory) -> Iterator[ReviewConsole]:
    data_dir = tmp_path_factory.mktemp("review-web") / "data"
    url = accounts_catalogue(data_dir)
    catalog = Catalog(url)
    with catalog.session() as db:
        add_user(db, "ln-curator", "curator", PASSWORD, "辽宁省图书馆")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_"))}
    served = Served({**env, "DIANCANG_DATA_DIR": str(data_dir)}, data_dir.parent / "serve.log")
    try:
        yield ReviewConsole(served, catalog, library_ids(url), data_dir)
    finally:
        served.stop()
        catalog.dispose()
