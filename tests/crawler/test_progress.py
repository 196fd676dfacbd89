"""The progress line says when closed WARC files wait in the spool, and why."""

from __future__ import annotations

from diancang.crawler.progress import progress_line
from diancang.storage.base import NOT_YET_UPLOADED, Backlog


def test_progress_line_names_spooled_files_and_the_last_upload_error():
    stats = {"response_received_count": 7, "errors/X": 1}
    assert "spool" not in progress_line(stats, 3, Backlog())
    backlog = Backlog({"a.warc.gz": NOT_YET_UPLOADED, "b.warc.gz": "endpoint unavailable: down"})
    line = progress_line(stats, 3, backlog)
    assert line.endswith("spool 2 waiting (endpoint unavailable: down)")
    assert Backlog({"a.warc.gz": NOT_YET_UPLOADED}).reason == NOT_YET_UPLOADED
    assert Backlog({"a.warc.gz": "x"}).of({"b.warc.gz"}) == Backlog()
