"""Child processes that go when the command that started them goes.

A command that runs servers or crawls in processes of their own (pywb's ``wayback``, a
``diancang crawl``) runs them inside ``ChildProcesses``:

    with ChildProcesses() as children:
        children.start([script("wayback"), ...], cwd=..., env=...)
        children.wait()                  # until a child ends, or SIGTERM / SIGINT

SIGTERM or SIGINT raises ``Stopped`` where the command is (like KeyboardInterrupt);
leaving the block then stops every child that still runs (SIGTERM to it, a wait of at most
its ``grace`` seconds, then SIGKILL to its process group) and the command dies of the same
signal, the status a shell, a supervisor or systemd expects of a stopped server.

Each child leads a process group of its own, so a Ctrl-C in the terminal reaches only the
command, which stops each child exactly once (a second SIGINT would make a crawl abandon
its graceful stop and leave its WARC files open). On Linux each child also asks the kernel
for SIGTERM when its parent dies (PR_SET_PDEATHSIG), so a command killed with SIGKILL,
which can run no code, still takes its children along.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
DEFAULT_GRACE = 10.0  # seconds a child gets to stop before it is killed
POLL_INTERVAL = 0.2

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived. A BaseException, so ``except Exception`` lets it through."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def script(name: str) -> str:
    """The console script ``name`` of this environment (``wayback``, ``diancang``)."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def _raise_stopped(signum: int, _frame) -> None:
    raise Stopped(signum)


def _die_with_parent(parent: int):
    """A ``preexec_fn``: SIGTERM when ``parent`` dies; exit at once if it already has (it
    died between the fork and the prctl). It calls only what was resolved before the fork,
    as code run between fork and exec must."""

    def preexec() -> None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(128 + signal.SIGTERM)

    return preexec


class ChildProcesses:
    """The child processes of a command, stopped when it stops (see the module docstring)."""

    def __init__(self) -> None:
        self._children: list[tuple[subprocess.Popen, float]] = []
        self._previous_handlers: dict[int, object] = {}

    def __enter__(self) -> ChildProcesses:
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, _raise_stopped)
        return self

    def start(self, args: list[str], grace: float = DEFAULT_GRACE, **popen) -> subprocess.Popen:
        """Start ``args`` (``subprocess.Popen`` keywords in ``popen``); it may take ``grace``
        seconds to stop once asked. Call it from the main thread: the kernel sends the
        parent-death signal when the thread that started the child ends."""
        if _prctl is not None:
            popen["preexec_fn"] = _die_with_parent(os.getpid())
        process = subprocess.Popen(args, process_group=0, **popen)
        self._children.append((process, grace))
        return process

    def wait(self) -> subprocess.Popen:
        """Block until one of the children ends; return it, no longer one of them."""
        while (process := self._reap_one()) is None:
            time.sleep(POLL_INTERVAL)
        return process

    def poll(self) -> list[subprocess.Popen]:
        """The children that have ended, no longer children; returns at once."""
        ended = []
        while (process := self._reap_one()) is not None:
            ended.append(process)
        return ended

    def _reap_one(self) -> subprocess.Popen | None:
        for child in self._children:
            process, grace = child
            if _ended(process):
                self._children.remove(child)
                _stop(process, grace)  # what it left in its process group
                return process
        return None

    def stop(self) -> None:
        """Stop every child that still runs, the last started first. Unlike leaving the
        block, this works from any thread (a worker's thread that runs QA's pywb)."""
        while self._children:
            process, grace = self._children.pop()
            _stop(process, grace)

    def __exit__(self, exc_type, exc, traceback) -> None:
        with _signals_ignored():  # a second Ctrl-C must not cut the stopping short
            self.stop()
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        if isinstance(exc, Stopped):
            _die_of(exc.signum)


@contextlib.contextmanager
def _signals_ignored():
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _ended(process: subprocess.Popen) -> bool:
    """Whether the child has exited, without reaping it: until it is reaped, its process id,
    which is also its process group's, cannot be given to another process."""
    return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _stop(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM, at most ``grace`` seconds to exit, then SIGKILL to its process group, which
    also ends whatever it left there; then reap it."""
    if not _ended(process):
        os.kill(process.pid, signal.SIGTERM)  # not Popen.terminate(): it may reap first
        deadline = time.monotonic() + grace
        while not _ended(process) and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL)
    with contextlib.suppress(ProcessLookupError):  # the group is empty
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _die_of(signum: int) -> None:
    """End the process as the default action of ``signum`` would have."""
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    raise SystemExit(128 + signum)  # only if the signal was blocked in every thread
