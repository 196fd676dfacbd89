"""After a patch crawl the worker has its page scored again through QA's ``score_items``,
imported when it is needed; a QA failure is a message on the job, never an exception."""

from __future__ import annotations

import sys
import types

from diancang.jobs.patch import rescore


def _qa_run(monkeypatch, score_items) -> None:
    module = types.ModuleType("diancang.replay.qa.run")
    module.score_items = score_items
    monkeypatch.setitem(sys.modules, "diancang.replay.qa.run", module)


def test_the_patched_item_is_scored_again_by_itself(monkeypatch):
    calls = []
    _qa_run(monkeypatch, lambda *args, **kwargs: calls.append((args, kwargs)))
    settings, catalog = object(), object()
    assert rescore(settings, catalog, job_id=12, item_id=34) is None
    assert calls == [((settings, catalog, [34]), {"job_id": 12})]


def test_a_qa_failure_is_a_message_on_the_job(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("Chromium crashed")

    _qa_run(monkeypatch, fail)
    assert rescore(object(), object(), 12, 34) == "补采完成，但重新质检失败：Chromium crashed"
