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


def test_progress_line_shows_the_limits_and_traps_hit_as_they_happen():
    stats = {"links/beyond_depth": 40, "limits/pages": 2, "links/trap/query-variants": 3}
    line = progress_line(stats, 0, Backlog())
    assert "limits depth 40 listing-pages 0 pages 2  traps 3" in line
    assert "limits depth 0 listing-pages 0  traps 0" in progress_line({}, 0, Backlog())


def test_progress_figures_hold_what_the_console_worker_shows():
    from datetime import UTC, datetime, timedelta

    from diancang.crawler.progress import progress_figures

    stats = {
        "response_received_count": 30,
        "bytes/received": 4096,
        "errors/twisted.internet.error.TimeoutError": 2,
        "errors/dns": 1,
        "start_time": datetime.now(UTC) - timedelta(seconds=60),
    }
    figures = progress_figures(stats, 12)
    assert {k: figures[k] for k in ("pages", "queued", "bytes", "errors")} == {
        "pages": 30, "queued": 12, "bytes": 4096, "errors": 3,
    }  # fmt: skip
    assert figures["elapsed_seconds"] >= 60
    assert progress_figures({}, 0) == {
        "pages": 0, "queued": 0, "bytes": 0, "errors": 0, "elapsed_seconds": 0.0,
    }  # fmt: skip
