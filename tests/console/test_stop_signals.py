"""`diancang replay`, `serve`, `serve --all` and `demo` stop on SIGTERM and SIGINT and take
their children (pywb's `wayback`, the demo's crawl and console, the scheduler, the worker and
its crawl) along; a parent killed with SIGKILL does too.

Each command test starts a real server (pywb alone takes several seconds), so they are slow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from crawl_helpers import warc_files
from ports import free_port, port_free
from sqlalchemy import select

from diancang.catalog.db import open_catalog
from diancang.console.demo_commands import SERVE_GRACE
from diancang.jobs.models import RUNNING, STOPPED, CrawlJob

DIANCANG = Path(sys.executable).with_name("diancang")
WARCIO = Path(sys.executable).with_name("warcio")
START_TIMEOUT = 60  # seconds for a server to answer
DEMO_TIMEOUT = 300  # seconds for the demo to crawl the portal and start pywb
EXIT_TIMEOUT = 30  # seconds to stop, children included


class Command:
    """A command run as a subprocess, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                args, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT
            )
        self.psutil = psutil.Process(self.process.pid)
        self.watched: list[psutil.Process] = []

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"exited before {what}\n{self.output}"
            assert time.monotonic() < deadline, f"no {what} in {timeout} s\n{self.output}"
            time.sleep(0.2)

    def descendants(self) -> list[psutil.Process]:
        return self.psutil.children(recursive=True)

    def child_running(self, word: str) -> list[psutil.Process]:
        """Its child processes whose command line holds ``word`` (``wayback``, ``crawl``)."""
        found = []
        for child in self.descendants():
            try:
                if any(word in part for part in child.cmdline()):
                    found.append(child)
            except psutil.NoSuchProcess:
                pass
        return found

    def stop_with(self, signum: int) -> tuple[int, list[psutil.Process]]:
        """Send ``signum``; its exit status, and which of its processes outlived it."""
        return self.signal_and_wait(signum, EXIT_TIMEOUT)

    def signal_and_wait(self, signum: int, timeout: float) -> tuple[int, list[psutil.Process]]:
        self.watched = self.descendants()
        self.process.send_signal(signum)
        returncode = self.process.wait(timeout=timeout)
        _, alive = psutil.wait_procs(self.watched, timeout=5)
        return returncode, alive

    def kill(self) -> None:
        """Test clean-up: nothing it started outlives the test, whatever happened."""
        leftovers = self.descendants() if self.process.poll() is None else []
        for process in [self.psutil, *leftovers, *self.watched]:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        self.process.wait(timeout=10)


def answers(port: int) -> bool:
    return not port_free(port)


KEPT = ("DIANCANG_ALLOW_NETWORKS", "DIANCANG_BROWSER_DETECT", "DIANCANG_DELAY")  # a test sets
# per host, so that a crawl stopped once its first WARC is open is still crawling then: at no
# delay the portal's crawl ends within a second of that, which a loaded machine may outlast
CRAWLING_DELAY = "0.3"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "AWS_")) or k in KEPT
    }
    # these tests are about stopping; QA of the demo's pages would only cost time
    return {
        **env,
        "DIANCANG_DATA_DIR": str(tmp_path / "data"),
        "DIANCANG_REVIEW_QA_AFTER_CRAWL": "false",
        "DIANCANG_CONSOLE_WORKER_INTERVAL": "0.5",  # the demo's job ends sooner after its crawl
    }


@pytest.fixture
def start(tmp_path) -> Iterator[Callable[..., Command]]:
    started: list[Command] = []

    def run(*args: str) -> Command:
        command = Command([str(DIANCANG), *args], _env(tmp_path), tmp_path / f"{args[0]}.log")
        started.append(command)
        return command

    yield run
    for command in started:
        command.kill()


def _assert_stopped_by(signum: int, returncode: int, alive: list, port: int, output: str):
    assert returncode == -signum, output  # died of the signal, as a shell expects
    assert not alive, f"still running after the command stopped: {alive}"
    assert port_free(port)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_replay_stops_with_its_wayback(start, signum):
    port = free_port()
    replay = start("replay", "--port", str(port))
    replay.wait_for(lambda: answers(port), START_TIMEOUT, "pywb on its port")
    assert replay.child_running("wayback")
    _assert_stopped_by(signum, *replay.stop_with(signum), port, replay.output)


@pytest.mark.slow
def test_replay_killed_with_sigkill_takes_its_wayback_along(start):
    port = free_port()
    replay = start("replay", "--port", str(port))
    replay.wait_for(lambda: answers(port), START_TIMEOUT, "pywb on its port")
    (wayback,) = replay.child_running("wayback")
    replay.watched = [wayback]
    replay.process.kill()
    replay.process.wait(timeout=EXIT_TIMEOUT)
    _, alive = psutil.wait_procs([wayback], timeout=EXIT_TIMEOUT)
    assert not alive, "wayback outlived its parent"
    assert port_free(port)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_and_frees_its_port(start, signum):
    port = free_port()
    serve = start("serve", "--port", str(port))
    serve.wait_for(lambda: answers(port), START_TIMEOUT, "the web app on its port")
    _assert_stopped_by(signum, *serve.stop_with(signum), port, serve.output)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_demo_stops_with_its_wayback_and_console(start, signum):
    port, console = free_port(), free_port()
    demo = start("demo", "--replay-port", str(port), "--port", str(console))
    demo.wait_for(lambda: answers(port) and answers(console), DEMO_TIMEOUT, "pywb and console")
    assert demo.child_running("wayback") and demo.child_running("serve")
    _assert_stopped_by(signum, *demo.stop_with(signum), port, demo.output)
    assert port_free(console)


@pytest.mark.slow
def test_demo_stopped_while_crawling_closes_its_warcs(start, tmp_path, monkeypatch):
    monkeypatch.setenv("DIANCANG_DELAY", CRAWLING_DELAY)
    port = free_port()
    data = tmp_path / "data"
    warcs = data / "warcs"
    demo = start("demo", "--replay-port", str(port), "--port", str(free_port()))
    demo.wait_for(lambda: list(warcs.glob("*/*.open")), DEMO_TIMEOUT, "a WARC being written")
    assert demo.child_running("crawl")  # the worker's crawl, under `serve --all`
    returncode, alive = demo.signal_and_wait(signal.SIGTERM, SERVE_GRACE + EXIT_TIMEOUT)
    assert returncode == -signal.SIGTERM, demo.output
    assert not alive, f"still running after the demo stopped: {alive}"
    crawl_log = next(data.glob("jobs/job-*/worker-crawl.log")).read_text(encoding="utf-8")
    assert "did not finish (shutdown)" in crawl_log  # stopped, not killed
    assert not list(warcs.glob("*/*.open"))
    files = warc_files(data)
    assert files
    check = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert port_free(port)
    catalog = open_catalog(f"sqlite:///{data / 'catalog.sqlite'}")
    with catalog.session() as db:
        assert [job.state for job in db.scalars(select(CrawlJob))] == [STOPPED]
    catalog.dispose()


CHILD_IGNORING_SIGTERM = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print("ready", flush=True)
    time.sleep(600)
    """
)
PARENT = textwrap.dedent(
    """
    import sys
    from diancang.child_processes import ChildProcesses
    with ChildProcesses() as children:
        children.start([sys.executable, "-c", sys.argv[1]], grace=1.0)
        children.wait()
    """
)


def test_a_child_that_ignores_sigterm_is_killed_with_its_own_children(tmp_path):
    log = tmp_path / "parent.log"
    parent = Command([sys.executable, "-c", PARENT, CHILD_IGNORING_SIGTERM], dict(os.environ), log)
    try:
        parent.wait_for(lambda: "ready" in parent.output, START_TIMEOUT, "the child")
        parent.wait_for(lambda: len(parent.descendants()) == 2, START_TIMEOUT, "the grandchild")
        returncode, alive = parent.stop_with(signal.SIGTERM)
        assert returncode == -signal.SIGTERM, parent.output
        assert not alive
    finally:
        parent.kill()


def _serve_all(start, port: int) -> Command:
    serve = start("serve", "--all", "--port", str(port))
    serve.wait_for(lambda: answers(port), START_TIMEOUT, "the web app on its port")
    for word in ("scheduler", "worker"):
        serve.wait_for(lambda w=word: serve.child_running(w), START_TIMEOUT, f"its {word}")
    return serve


@pytest.mark.slow
def test_serve_all_stops_with_its_scheduler_and_worker_on_sigint(start):
    port = free_port()
    serve = _serve_all(start, port)
    _assert_stopped_by(signal.SIGINT, *serve.stop_with(signal.SIGINT), port, serve.output)


@pytest.mark.slow
def test_serve_all_stopped_while_crawling_stops_the_crawl_and_its_job(
    start, tmp_path, demo_portal, monkeypatch
):
    from registered_seeds import add_seed, library

    from diancang.catalog.db import Catalog
    from diancang.jobs.queue import queue_job
    from diancang.jobs.worker import CRAWL_GRACE

    monkeypatch.setenv("DIANCANG_ALLOW_NETWORKS", "127.0.0.0/8")  # kept by _env
    monkeypatch.setenv("DIANCANG_BROWSER_DETECT", "0")
    monkeypatch.setenv("DIANCANG_DELAY", CRAWLING_DELAY)
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite'}")
    try:
        with catalog.session() as db:
            seed = add_seed(db, library(db), demo_portal.base_url, "demo")
            job_id = queue_job(db, seed.library_id, [seed.id]).id
        port = free_port()
        warcs = tmp_path / "data" / "warcs"
        serve = _serve_all(start, port)
        serve.wait_for(lambda: list(warcs.glob("*/*.open")), START_TIMEOUT, "a WARC written")
        assert serve.child_running("crawl")
        returncode, alive = serve.signal_and_wait(signal.SIGTERM, CRAWL_GRACE + EXIT_TIMEOUT)
        _assert_stopped_by(signal.SIGTERM, returncode, alive, port, serve.output)
        assert not list(warcs.glob("*/*.open"))
        _warcio_check(warc_files(tmp_path / "data"))
        with catalog.session() as db:
            job = db.scalars(select(CrawlJob).where(CrawlJob.id == job_id)).one()
            assert job.state == STOPPED != RUNNING and job.warcs, job.message
    finally:
        catalog.dispose()


def _warcio_check(files: list[Path]) -> None:
    assert files
    check = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_serve_all_stops_loudly_when_its_scheduler_dies(start):
    port = free_port()
    serve = _serve_all(start, port)
    (scheduler,) = [p for p in serve.child_running("scheduler") if p.ppid() == serve.process.pid]
    serve.watched = serve.descendants()
    scheduler.kill()
    returncode = serve.process.wait(timeout=EXIT_TIMEOUT)
    _, alive = psutil.wait_procs(serve.watched, timeout=5)
    assert returncode == 1, serve.output
    assert f"the scheduler (process {scheduler.pid}) ended with status -9" in serve.output
    assert not alive, f"still running after serve stopped: {alive}"
    assert port_free(port)
