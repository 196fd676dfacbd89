"""Crawls ending at once on one data directory each merge the replay index: none is lost."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from diancang.replay.index import CollectionIndexes

ROUNDS = 40


def _add_parts(root: str, worker: int) -> None:
    indexes = CollectionIndexes(Path(root))
    parts = Path(root) / "c" / "parts"
    for n in range(ROUNDS):
        name = f"w{worker}-{n:03d}"
        (parts / f"{name}.cdxj").write_text(f"org,example)/{name} 2026 {{}}\n")
        indexes.merge("c")


def test_concurrent_merges_keep_every_part(tmp_path):
    (tmp_path / "c" / "parts").mkdir(parents=True)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_parts, args=(str(tmp_path), w)) for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    lines = CollectionIndexes(tmp_path).index_path("c").read_text().splitlines()
    assert len(lines) == 2 * ROUNDS
