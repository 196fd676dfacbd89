"""CDXJ indexes: one per WARC (written beside the collection's index), merged per collection.

pywb gets slow with many small index files (pywb #573), so each collection is served from a
single sorted ``index.cdxj`` merged from the per-WARC indexes. Crawls that end at the same
time merge in turn (a lock per collection), so no merge drops another crawl's new part.
"""

from __future__ import annotations

import fcntl
import heapq
import io
import os
from contextlib import ExitStack
from pathlib import Path

from cdxj_indexer.main import SortingWriter

from diancang.storage.base import StoredWarc, WarcStore
from diancang.upstream.cdxj_bounded import BoundedCDXJIndexer


def cdxj_lines(stream, filename: str) -> list[str]:
    """The sorted CDXJ lines of one WARC stream, with pywb's own indexer (cdxj-indexer) and
    its sorting (``cdxj-indexer --sort``).

    Record bodies are decoded in bounded memory (``diancang.upstream.cdxj_bounded``)."""
    out = io.StringIO()
    sorting = SortingWriter(out)
    indexer = BoundedCDXJIndexer(out, [], post_append=True)
    indexer.process_one(stream, sorting, filename)
    sorting.flush()
    return out.getvalue().splitlines(keepends=True)


class CollectionIndexes:
    """Index files under ``root/COLLECTION/``: ``parts/NAME.cdxj`` and the merged ``index.cdxj``."""

    def __init__(self, root: Path):
        self.root = root

    def index_path(self, collection: str) -> Path:
        return self.root / collection / "index.cdxj"

    def _part(self, warc: StoredWarc) -> Path:
        return self.root / warc.collection / "parts" / (warc.name + ".cdxj")

    def update(self, store: WarcStore) -> list[StoredWarc]:
        """Index every stored WARC that has no index yet; re-merge changed collections."""
        added: list[StoredWarc] = []
        for warc in store.list():
            part = self._part(warc)
            if part.exists():
                continue
            with store.open(warc) as stream:
                lines = cdxj_lines(stream, warc.name)
            part.parent.mkdir(parents=True, exist_ok=True)
            tmp = part.with_name(f".{part.name}.{os.getpid()}.tmp")
            tmp.write_text("".join(lines), encoding="utf-8")
            os.replace(tmp, part)
            added.append(warc)
        for collection in sorted({warc.collection for warc in added}):
            self.merge(collection)
        return added

    def merge(self, collection: str) -> Path:
        target = self.index_path(collection)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.with_name("index.lock"), "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes
            parts = sorted((self.root / collection / "parts").glob("*.cdxj"))
            tmp = target.with_name(f".index.{os.getpid()}.tmp")
            with ExitStack() as stack, tmp.open("w", encoding="utf-8") as out:
                files = [stack.enter_context(p.open(encoding="utf-8")) for p in parts]
                out.writelines(heapq.merge(*files))
            os.replace(tmp, target)
        return target

    def collections(self) -> list[str]:
        return sorted(p.parent.name for p in self.root.glob("*/index.cdxj"))
