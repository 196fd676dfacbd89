"""Memory and CPU of a process and all its descendants, polled with psutil (Linux).

``os.wait4`` gives a process's peak RSS, but only the largest single process of the tree:
a crawler that drives Chromium spends most of its memory in the browser, its GPU, network
and renderer processes. :class:`TreeSampler` walks the process tree every ``interval``
seconds and records, per sample, the sum of the descendants' RSS (what ``ps`` shows; shared
pages counted once per process), their PSS (shared pages split between the processes that
map them, so the sum is the memory the tree really holds; from ``smaps_rollup``, which
costs the kernel about a millisecond a process, so it is read every ``pss_every`` samples),
the root
process's own RSS, and how many processes there are, Chromium's among them.

A process that leaves the tree (reparented to init when its parent exits first) is still
counted when its environment holds ``marker`` (say ``DIANCANG_DATA_DIR=/tmp/x``, which
every process the crawler starts inherits); such processes are listed in ``strays``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psutil

MIB = 2**20


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic()
    tree_rss: int  # bytes, summed over the root and its descendants
    tree_pss: int | None  # bytes, summed likewise; None on samples that skip it
    root_rss: int  # bytes, the root process alone
    root_files: int  # file descriptors the root process holds open
    processes: int
    browser_processes: int  # processes whose name starts with "chrom"


@dataclass
class _Proc:
    name: str
    ppid: int
    cpu_seconds: float  # user + system time of the process itself


def _rss(pid: int) -> int:
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:  # gone meanwhile
        return 0


def _pss(pid: int) -> int:
    try:
        return psutil.Process(pid).memory_full_info().pss
    except psutil.Error:
        return 0


def _open_files(pid: int) -> int:
    try:
        return psutil.Process(pid).num_fds()
    except psutil.Error:
        return 0


def _high_water(pid: int) -> int:
    """VmHWM: the peak RSS of one process over its life, as the kernel counts it (psutil
    does not report it)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def processes() -> dict[int, _Proc]:
    found = {}
    for proc in psutil.process_iter(["name", "ppid", "cpu_times"]):
        times = proc.info["cpu_times"]
        if times is not None:  # None: gone meanwhile, or another user's
            found[proc.pid] = _Proc(
                proc.info["name"] or "", proc.info["ppid"], times.user + times.system
            )
    return found


def descendants(root: int, table: dict[int, _Proc]) -> list[int]:
    """``root`` and every process below it, parents before children."""
    children: dict[int, list[int]] = defaultdict(list)
    for pid, proc in table.items():
        children[proc.ppid].append(pid)
    tree, queue = [], [root]
    while queue:
        pid = queue.pop()
        if pid in table:
            tree.append(pid)
            queue.extend(children.get(pid, ()))
    return tree


@dataclass
class TreeSampler:
    """Samples the tree under ``root`` until :meth:`stop`; read the results afterwards."""

    root: int
    interval: float = 0.2
    marker: bytes | None = None  # an environment entry that marks the tree's processes
    pss_every: int = 5  # read PSS on every 5th sample only: smaps_rollup is costly
    samples: list[Sample] = field(default_factory=list)
    root_high_water: int = 0  # the root's VmHWM at its last sample
    cpu_seconds: float = 0.0  # summed over every process seen, at its last sample
    strays: set[str] = field(default_factory=set)  # marked processes outside the tree
    own_cpu: float = 0.0  # CPU seconds the sampling itself took
    _cpu: dict[tuple[int, str], float] = field(default_factory=dict)
    _before: set[int] = field(default_factory=set)
    _marked: dict[int, bool] = field(default_factory=dict)
    members: set[int] = field(default_factory=set)  # the processes of the last sample
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeSampler:
        self._before = set(processes())
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.cpu_seconds = sum(self._cpu.values())

    def _run(self) -> None:
        started = time.thread_time()
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)
        self.own_cpu = time.thread_time() - started

    def _sample(self) -> None:
        table = processes()
        tree = descendants(self.root, table)
        if not tree:
            return
        at = time.monotonic()
        inside = set(tree)
        for pid, proc in table.items():
            if pid not in inside and pid not in self._before and self._is_marked(pid):
                self.strays.add(f"{pid} {proc.name}")
                tree.append(pid)
        for pid in tree:
            self._cpu[(pid, table[pid].name)] = table[pid].cpu_seconds
        self.members = set(tree)
        self.root_high_water = max(self.root_high_water, _high_water(self.root))
        rss = {pid: _rss(pid) for pid in tree}
        self.samples.append(
            Sample(
                at=at,
                tree_rss=sum(rss.values()),
                tree_pss=(
                    sum(_pss(pid) for pid in tree)
                    if len(self.samples) % self.pss_every == 0
                    else None
                ),
                root_rss=rss.get(self.root, 0),
                root_files=_open_files(self.root),
                processes=len(tree),
                browser_processes=sum(table[pid].name.startswith("chrom") for pid in tree),
            )
        )

    def _is_marked(self, pid: int) -> bool:
        if self.marker is None:
            return False
        if pid not in self._marked:
            name, _, value = self.marker.decode().partition("=")
            try:
                environ = psutil.Process(pid).environ()
            except psutil.Error:  # another user's process, or gone
                environ = {}
            self._marked[pid] = environ.get(name) == value
        return self._marked[pid]

    def peak(self, attribute: str, start: float = float("-inf"), end: float = float("inf")):
        """The largest ``attribute`` of the samples taken between ``start`` and ``end``;
        with none taken then (a window shorter than the interval), the next sample's."""
        taken = [s for s in self.samples if getattr(s, attribute) is not None]
        values = [getattr(s, attribute) for s in taken if start <= s.at <= end]
        if not values:
            later = [s for s in taken if s.at >= start]
            values = [getattr(later[0], attribute)] if later else []
        return max(values, default=0)
