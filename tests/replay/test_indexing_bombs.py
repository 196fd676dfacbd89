"""Replay indexing and the WACZ index read stored bodies in bounded memory."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest
from bomb_warcs import AFTER_URL, BOMBS, PEAK_LIMIT_KIB, run_bounded, write_bomb_warc

BIN = Path(sys.executable).parent
COLLECTION = "govinfo-500000"

_INDEX = """
import sys
from pathlib import Path
from diancang.replay.index import cdxj_lines
with open(sys.argv[1], "rb") as fh:
    Path(sys.argv[2]).write_text("".join(cdxj_lines(fh, "bombs.warc.gz")))
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("data")
    store = root / "warcs" / COLLECTION
    store.mkdir(parents=True)
    write_bomb_warc(store / "bombs.warc.gz", BOMBS)
    return root


def test_replay_index_of_bombs_is_bounded(data_dir, tmp_path):
    out = tmp_path / "index.cdxj"
    warc = data_dir / "warcs" / COLLECTION / "bombs.warc.gz"
    result, peak_kib = run_bounded([sys.executable, "-c", _INDEX, str(warc), str(out)], {
        **os.environ, "PYTHONPATH": os.getcwd()})  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == len(BOMBS) + 1 and AFTER_URL in lines[0]
    assert peak_kib < PEAK_LIMIT_KIB, f"peak RSS {peak_kib} KiB"


def test_wacz_export_of_bombs_is_bounded(data_dir, tmp_path):
    target = tmp_path / "bombs.wacz"
    env = {**os.environ, "DIANCANG_DATA_DIR": str(data_dir)}
    env.pop("DIANCANG_WARC_STORE", None)
    args = [str(BIN / "diancang"), "export", "wacz", str(target), "--collection", COLLECTION]
    result, peak_kib = run_bounded(args, env)
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(target) as wacz:
        assert "archive/bombs.warc.gz" in wacz.namelist()
    assert peak_kib < PEAK_LIMIT_KIB, f"peak RSS {peak_kib} KiB"
