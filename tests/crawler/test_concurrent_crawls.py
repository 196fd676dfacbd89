"""Crawls sharing one data directory: each keeps its own WARC files, job state and fixity.

A crawl of a ``HeldSite`` keeps running (with a WARC file open) until the test releases the
site's one slow page, so the other crawls start, run and end while it is in mid-crawl.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from crawl_helpers import (
    BIN,
    captured_urls,
    crawl_env,
    diancang,
    portal_seed,
    warc_files,
    write_seed_list,
)

from diancang.crawler.job import job_dir_for, running_job
from diancang.demo_portal.serving import (
    BackgroundServer,
    LoopbackHTTPServer,
    Page,
    PageHandler,
    ServedSite,
)
from diancang.settings import load_settings

WARCIO = Path(sys.executable).parent / "warcio"
HOLD_LIMIT = 120  # seconds a held page waits at most, so a failed test cannot hang


class HeldSite(ServedSite):
    """``/`` links to ``/a`` and ``/held``; ``/held`` answers only once ``release`` is set."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.release = threading.Event()
        site = self

        class Handler(PageHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                if self.path == "/":
                    body = b'<html><body><a href="/a">a</a> <a href="/held">held</a></body></html>'
                elif self.path in ("/a", "/held"):
                    if self.path == "/held":
                        site.requested.set()
                        site.release.wait(HOLD_LIMIT)
                    body = f"<html><body>{self.path}</body></html>".encode()
                else:
                    self.send_page(Page(b"not found", "text/plain", status=404))
                    return
                self.send_page(Page(body, "text/html; charset=utf-8"))

        self._server = BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), Handler), "held")
        self.servers = [self._server]

    @property
    def url(self) -> str:
        return self._server.url

    def stop(self) -> None:
        self.release.set()
        super().stop()


def _seed_list(path: Path, url: str) -> Path:
    return write_seed_list(path, [portal_seed(url)])


def _start_crawl(data_dir: Path, seed_list: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "diancang"), "crawl", str(seed_list)],
        env=crawl_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _open_files(data_dir: Path) -> set[Path]:
    return set((data_dir / "warcs").glob("*/*.warc.gz.open"))


def _wait_held(site: HeldSite, crawl: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not site.requested.wait(0.1):
        assert crawl.poll() is None, crawl.communicate()
        assert time.monotonic() < deadline, "the crawl never reached the held page"


def _reports(data_dir: Path) -> dict[str, dict]:
    reports = [json.loads(p.read_text()) for p in (data_dir / "warcs/reports").glob("*.json")]
    return {report["seed_list"]: report for report in reports}


def _manifest(data_dir: Path) -> set[str]:
    return {p.name.removesuffix(".json") for p in (data_dir / "warcs/_manifest").glob("*/*.json")}


def _check_warcs(data_dir: Path) -> None:
    files = warc_files(data_dir)
    assert not _open_files(data_dir)
    assert {p.name for p in files} == _manifest(data_dir), "a WARC without a fixity record"
    check = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_two_crawls_on_one_data_dir_both_keep_every_warc(tmp_path, demo_portal):
    data_dir = tmp_path / "data"
    other_seeds = _seed_list(tmp_path / "portal.csv", demo_portal.base_url)
    with HeldSite() as held:
        held_seeds = _seed_list(tmp_path / "held.csv", held.url)
        first = _start_crawl(data_dir, held_seeds)
        try:
            _wait_held(held, first)
            live = _open_files(data_dir)
            assert live, "the held crawl has no open WARC file"

            # the same job cannot start twice, nor be resumed, while it runs
            for args in ([str(held_seeds)], [str(held_seeds), "--resume"], ["--resume"]):
                again = diancang("crawl", *args, env=crawl_env(data_dir))
                assert again.returncode == 1, again.stdout + again.stderr
                assert "already running" in again.stderr, again.stderr

            second = diancang("crawl", str(other_seeds), env=crawl_env(data_dir))
            assert second.returncode == 0, second.stderr[-3000:]
            assert live <= _open_files(data_dir), "the second crawl touched a live WARC file"
        finally:
            held.release.set()
            out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err

    reports = _reports(data_dir)
    held_report, portal_report = reports[str(held_seeds)], reports[str(other_seeds)]
    assert held_report["job"] != portal_report["job"]
    assert held_report["warc_files"] and portal_report["warc_files"]
    assert held_report["warc_failures"] == [] and portal_report["warc_failures"] == []
    assert not set(held_report["warc_files"]) & set(portal_report["warc_files"])
    assert {p.name for p in warc_files(data_dir)} == set(held_report["warc_files"]) | set(
        portal_report["warc_files"]
    )
    assert {held.url, held.url + "a", held.url + "held"} <= captured_urls(data_dir)
    assert demo_portal.base_url in captured_urls(data_dir)
    _check_warcs(data_dir)


@pytest.mark.slow
def test_killed_crawl_is_recovered_without_touching_a_running_one(tmp_path, demo_portal):
    data_dir = tmp_path / "data"
    with HeldSite() as running_site, HeldSite() as killed_site:
        running_seeds = _seed_list(tmp_path / "running.csv", running_site.url)
        running = _start_crawl(data_dir, running_seeds)
        try:
            _wait_held(running_site, running)
            live = _open_files(data_dir)
            killed = _start_crawl(data_dir, _seed_list(tmp_path / "killed.csv", killed_site.url))
            _wait_held(killed_site, killed)
            os.kill(killed.pid, signal.SIGKILL)
            killed.communicate()
            dead = _open_files(data_dir) - live
            assert len(dead) == 1, "the killed crawl left no open file of its own"

            third = diancang(
                "crawl",
                str(_seed_list(tmp_path / "third.csv", demo_portal.base_url)),
                env=crawl_env(data_dir),
            )
            assert third.returncode == 0, third.stderr[-3000:]
            assert _open_files(data_dir) == live, "recovery closed a live file or missed one"
        finally:
            running_site.release.set()
            out, err = running.communicate(timeout=120)
    assert running.returncode == 0, out + err

    reports = _reports(data_dir)
    recovered = reports[str(tmp_path / "third.csv")]["recovered_files"]
    assert recovered == [str(next(iter(dead))).removesuffix(".open")]
    assert reports[str(running_seeds)]["warc_files"]
    assert killed_site.url in captured_urls(data_dir)  # what the killed crawl wrote is kept
    _check_warcs(data_dir)


def test_seed_lists_of_one_name_in_two_folders_get_their_own_job(tmp_path):
    settings = load_settings(crawl_env(tmp_path / "data"))
    one, two = tmp_path / "one" / "seeds.csv", tmp_path / "two" / "seeds.csv"
    for path in (one, two):
        path.parent.mkdir()
        _seed_list(path, "http://127.0.0.1:1/")
    with running_job(job_dir_for(settings, one, None), one, None):
        pass
    assert job_dir_for(settings, one, None) == settings.jobs_dir / "seeds"
    assert job_dir_for(settings, two, None) != job_dir_for(settings, one, None)
    # a list named "seeds-x" and seed "x" of "seeds" would both be job "seeds-x"
    dashed = tmp_path / "seeds-x.csv"
    _seed_list(dashed, "http://127.0.0.1:1/")
    with running_job(job_dir_for(settings, dashed, None), dashed, None):
        pass
    assert job_dir_for(settings, one, "x") != job_dir_for(settings, dashed, None)


@pytest.mark.slow
def test_a_warc_file_that_cannot_be_closed_fails_the_crawl(tmp_path):
    data_dir = tmp_path / "data"
    with HeldSite() as held:
        crawl = _start_crawl(data_dir, _seed_list(tmp_path / "held.csv", held.url))
        try:
            _wait_held(held, crawl)
            (live,) = _open_files(data_dir)
            live.rename(live.with_name("moved-away.warc.gz.open"))  # as the old recovery did
        finally:
            held.release.set()
            out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 1, out + err
    assert "could not be closed or stored" in err
    (report,) = _reports(data_dir).values()
    assert len(report["warc_failures"]) == 1 and live.name in report["warc_failures"][0]
