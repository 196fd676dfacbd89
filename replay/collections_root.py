"""The directory replay serves its collections from: pywb's ``collections_root``.

Each collection is ``ROOT/COLLECTION/`` in pywb's own layout: ``acl/COLLECTION.aclj``, its
access file (``diancang.replay.access``), and ``indexes``, a link to its index directory
(``diancang.replay.index``). pywb lists ROOT on every request (its auto collections), so a
collection first indexed after replay started is served as soon as its directory appears,
with no restart.

pywb reads a collection without access files as open to all, so a collection's directory
only ever appears whole: made aside with its access file and link, then renamed into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ACL_DIR = "acl"
INDEX_LINK = "indexes"
ACL_SUFFIX = ".aclj"


def access_file(root: Path, collection: str) -> Path:
    return root / collection / ACL_DIR / (collection + ACL_SUFFIX)


def published(root: Path) -> set[str]:
    """The collections ``root`` serves."""
    if not root.is_dir():
        return set()
    return {path.name for path in root.iterdir() if (path / ACL_DIR).is_dir()}


def write_access_file(root: Path, index_dir: Path, collection: str, text: str) -> None:
    """Replace ``collection``'s access file with ``text``; a collection not yet served
    appears with it (its index in ``index_dir/COLLECTION/``)."""
    path = access_file(root, collection)
    if not path.parent.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{collection}.", dir=root.parent))
        staging.chmod(0o755)  # as a directory made by mkdir would be
        (staging / ACL_DIR).mkdir()
        (staging / ACL_DIR / path.name).write_text(text, encoding="utf-8")
        index = Path(os.path.abspath(index_dir / collection))
        (staging / INDEX_LINK).symlink_to(index, target_is_directory=True)
        try:
            os.rename(staging, root / collection)
            return
        except OSError:  # another process published it first: replace its file instead
            shutil.rmtree(staging, ignore_errors=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
