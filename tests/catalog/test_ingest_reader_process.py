"""A large WARC is read by a reader process: it ends with the ingest, however the ingest
ends, and its own death is an error of the ingest, never a hang."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil
from catalog_helpers import counts
from sqlalchemy import select
from warc_files import write_warc

import diancang.catalog.ingest
from diancang.catalog.ingest import IngestOptions, ingest_warc
from diancang.catalog.models import WarcFile
from diancang.catalog.warc_source import WarcLocation, local_warc

WAIT = 30  # seconds: far more than any step here takes


def _pages(count: int) -> list[dict]:
    return [
        {
            "url": f"http://r.example/{n}.html",
            "body": f"<html><title>页 {n}</title></html>".encode(),
        }
        for n in range(count)
    ]


def _readers() -> list[psutil.Process]:
    """The live WARC reader processes of this process: its forkserver's children."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            forked = "multiprocessing.forkserver" in " ".join(process.cmdline())
            if forked and process.ppid() != os.getpid() and not _ended(process):
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


def _until(condition, what: str):
    deadline = time.monotonic() + WAIT
    while not (value := condition()):
        assert time.monotonic() < deadline, f"no {what} after {WAIT} s"
        time.sleep(0.05)
    return value


@contextmanager
def _arriving_warc(tmp_path: Path):
    """A WARC still arriving, three pages and the start of a large file so far: a FIFO
    that a reader process reads and then waits on, as long as this lasts (with CHUNK = 2:
    a chunk sent, a page held)."""
    large = {"url": "http://r.example/large.pdf", "content_type": "application/pdf",
             "body": random.Random(0).randbytes(2**20)}  # fmt: skip
    whole = write_warc(tmp_path / "whole.warc.gz", [*_pages(3), large]).read_bytes()
    data = whole[: -(2**19)]
    fifo = tmp_path / "arriving.warc.gz"
    os.mkfifo(fifo)
    arrived = threading.Event()

    def write() -> None:
        with fifo.open("wb") as writer:  # once the reader opens it
            with suppress(BrokenPipeError):  # the reader is gone
                writer.write(data)
                writer.flush()
            arrived.wait()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield WarcLocation(name=fifo.name, location=str(fifo), size=len(whole))
    finally:
        arrived.set()
        writer.join(WAIT)


def _ingest_in_thread(catalog, warc) -> tuple[threading.Thread, dict]:
    outcome: dict = {}
    thread = threading.Thread(
        target=lambda: outcome.update(result=ingest_warc(catalog, warc, IngestOptions())),
        daemon=True,
    )
    thread.start()
    return thread, outcome


def test_a_killed_reader_is_an_error_of_the_ingest_not_a_hang(
    sqlite_catalog, tmp_path, monkeypatch
):
    monkeypatch.setattr(diancang.catalog.ingest, "PIPELINE_BYTES", 0)
    monkeypatch.setattr(diancang.catalog.ingest, "CHUNK", 2)
    with _arriving_warc(tmp_path) as warc:
        thread, outcome = _ingest_in_thread(sqlite_catalog, warc)
        _until(lambda: counts(sqlite_catalog)[1] == 2, "chunk stored")
        for reader in _until(_readers, "reader process"):
            reader.kill()
        thread.join(WAIT)
        assert not thread.is_alive(), "the ingest waits for a dead reader"
    result = outcome["result"]
    assert result.error.endswith(
        "ReaderStopped: the WARC reader process ended before the file did (exit code -9)"
    ), result.error
    assert f"{warc.location}: after offset " in result.error
    assert result.captures == counts(sqlite_catalog)[1] == 2
    with sqlite_catalog.session() as session:
        assert session.scalars(select(WarcFile.complete)).one() is False


def test_the_reader_ends_when_the_ingest_fails(sqlite_catalog, tmp_path, monkeypatch):
    def refused(*_args):
        raise RuntimeError("database gone")

    monkeypatch.setattr(diancang.catalog.ingest, "PIPELINE_BYTES", 0)
    monkeypatch.setattr(diancang.catalog.ingest, "CHUNK", 2)
    monkeypatch.setattr(diancang.catalog.ingest, "_store_chunk", refused)
    with _arriving_warc(tmp_path) as warc:  # the reader waits for the rest of it
        thread, outcome = _ingest_in_thread(sqlite_catalog, warc)
        thread.join(WAIT)
        assert not thread.is_alive(), "the ingest waits for its reader"
        assert outcome["result"].error.endswith("RuntimeError: database gone")
        assert _readers() == []


KILLED_INGEST = """
import os, signal, sys
import psutil
import diancang.catalog.ingest as ingest
from diancang.catalog.db import Catalog
from diancang.catalog.warc_source import WarcLocation


def die(*_args):
    print(*[p.pid for p in psutil.Process().children(recursive=True)], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    ingest.PIPELINE_BYTES, ingest.CHUNK, ingest._store_chunk = 0, 2, die
    warc = WarcLocation("arriving.warc.gz", sys.argv[2], int(sys.argv[3]))
    ingest.ingest_warc(Catalog(sys.argv[1]), warc, ingest.IngestOptions())
"""


def test_the_reader_ends_when_the_ingest_process_is_killed(sqlite_catalog, tmp_path):
    script = tmp_path / "killed_ingest.py"
    script.write_text(KILLED_INGEST)
    url = sqlite_catalog.engine.url.render_as_string(hide_password=False)
    with _arriving_warc(tmp_path) as warc:  # the reader waits for the rest of it
        ingest = subprocess.Popen(
            [sys.executable, str(script), url, warc.location, str(warc.size)],
            stdout=subprocess.PIPE,
            text=True,
        )
        pids = [int(pid) for pid in ingest.stdout.readline().split()]
        assert ingest.wait(WAIT) == -9
        assert len(pids) >= 2, pids  # its forkserver, the reader (and a resource tracker)
        processes = [psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)]
        _until(lambda: all(_ended(p) for p in processes), "end of the reader")


def _ended(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE  # reparented to a PID 1 that reaps none
    except psutil.NoSuchProcess:
        return True


def test_a_file_that_changed_under_its_name_is_not_ingested_again(
    sqlite_catalog, tmp_path, read_by
):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, _pages(10))
    first = ingest_warc(sqlite_catalog, local_warc(path), IngestOptions())
    assert first.error is None and first.captures == 10
    with sqlite_catalog.session() as session:  # as if a shorter copy: resumed on the next run
        row = session.scalars(select(WarcFile)).one()
        row.complete, row.size = False, 1
        session.commit()
    other = [{**page, "url": page["url"].replace("r.example", "s.example")} for page in _pages(10)]
    write_warc(path, other)
    result = ingest_warc(sqlite_catalog, local_warc(path), IngestOptions())
    assert "not the file catalogued under this name before: offset " in result.error
    assert "holds http://s.example/0.html, not http://r.example/0.html" in result.error
    assert result.captures == 0 and counts(sqlite_catalog)[1] == 10
