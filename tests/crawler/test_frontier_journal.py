"""The SQLite frontier journal commits a turn's writes together, and never half an entry."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from pathlib import Path

import pytest
from scrapy import Request, Spider

from diancang.crawler.frontier import PENDING, FrontierJournal


def _states(path: Path) -> list[int]:
    """The request states another process sees: committed writes only."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [state for (state,) in db.execute("SELECT state FROM requests ORDER BY id")]


def test_writes_are_seen_by_others_only_once_committed_together(tmp_path):
    path = tmp_path / "frontier.sqlite"
    journal = FrontierJournal(path, fresh=True)
    spider = Spider(name="s")
    first, second = Request("http://h/1"), Request("http://h/2")
    journal.queue(first, "c 1", spider)
    journal.queue(second, "c 2", spider)
    journal.done(first.meta["frontier_id"])
    assert _states(path) == []
    journal.commit()
    assert _states(path) == [1, PENDING]
    assert [r.url for r in journal.pending(spider)] == ["http://h/2"]
    journal.close()


def test_a_failed_entry_rolls_back_the_uncommitted_writes(tmp_path):
    path = tmp_path / "frontier.sqlite"
    journal = FrontierJournal(path, fresh=True)
    spider = Spider(name="s")
    journal.queue(Request("http://h/1"), "c 1", spider)
    journal.commit()
    journal.queue(Request("http://h/2"), "c 2", spider)
    unpicklable = Request("http://h/3", meta={"lock": threading.Lock()})
    with pytest.raises(TypeError):
        journal.queue(unpicklable, "c 3", spider)
    journal.commit()
    assert _states(path) == [PENDING]
    assert list(journal.fingerprints()) == ["c 1"]
    journal.close()


class _TwoCallbacks(Spider):
    name = "two"

    def parse(self, response):
        return None

    def failed(self, failure):
        return None


def _entry(path: Path) -> dict:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return pickle.loads(db.execute("SELECT request FROM requests").fetchone()[0])


def test_an_entry_is_scrapys_own_dict_of_the_request_and_resumes_its_callbacks(tmp_path):
    path = tmp_path / "frontier.sqlite"
    journal = FrontierJournal(path, fresh=True)
    spider = _TwoCallbacks()
    request = Request("http://h/1", callback=spider.parse, errback=spider.failed, priority=3)
    journal.queue(request, "c 1", spider)
    journal.commit()
    assert _entry(path) == request.to_dict(spider=spider)
    (resumed,) = journal.pending(spider)
    assert (resumed.callback, resumed.errback) == (spider.parse, spider.failed)
    journal.close()


def test_a_callback_that_is_no_spider_method_is_refused(tmp_path):
    journal = FrontierJournal(tmp_path / "frontier.sqlite", fresh=True)
    with pytest.raises(ValueError, match="spider method"):
        journal.queue(Request("http://h/1", callback=print), "c 1", _TwoCallbacks())
    journal.close()
