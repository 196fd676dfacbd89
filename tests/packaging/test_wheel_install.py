"""The wheel, installed (not editable) into a fresh virtualenv outside the repository, works
from another directory: seeds validate, a crawl of a one-seed list, catalog ingest --new."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from crawl_helpers import write_seed_list

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 900):
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(bin directory of a fresh virtualenv with the wheel installed, the wheel)."""
    root = tmp_path_factory.mktemp("wheel")
    assert not root.is_relative_to(ROOT)
    # no variable that would lead the new environment back to this repository or its venv
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    dist = root / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
         root, env)  # fmt: skip
    (wheel,) = dist.glob("diancang-*.whl")
    venv = root / "venv"
    python = str(venv / "bin" / "python")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root, env)
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile",
          "--no-deps", str(wheel)], root, env)  # fmt: skip
    # The dependencies come from the suite's own environment, appended to the new one's path
    # (`make setup` checks that pyproject's dependencies install): the wheel is what is tested
    # here, and diancang itself is found in the new environment first.
    new_purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root, env
    ).stdout.strip()
    suite_purelib = sysconfig.get_paths()["purelib"]
    Path(new_purelib, "suite-dependencies.pth").write_text(suite_purelib + "\n", encoding="utf-8")
    return venv / "bin", wheel


def test_the_wheel_installs_only_the_diancang_package(installed):
    _bin, wheel = installed
    with zipfile.ZipFile(wheel) as archive:
        top = {name.split("/", 1)[0] for name in archive.namelist()}
    assert top == {"diancang", wheel.name.split("-py")[0] + ".dist-info"}


def test_the_installed_command_validates_crawls_and_catalogues(installed, demo_portal, tmp_path):
    bin_dir, _wheel = installed
    work = tmp_path / "elsewhere"  # not the repository: nothing is found by accident
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIANCANG_", "PYTHON"))}
    env.update(DIANCANG_DATA_DIR=str(work / "data"), DIANCANG_ALLOW_NETWORKS="127.0.0.0/8",
               DIANCANG_BROWSER_DETECT="0")  # fmt: skip
    where = _run([str(bin_dir / "python"), "-c", "import diancang; print(diancang.__file__)"],
                 work, env)  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(bin_dir.parent)
    seeds = write_seed_list(work / "one-seed.csv", [
        {"url": demo_portal.base_url, "title": "重庆市人民政府", "jurisdiction": "500000",
         "collection": "govinfo", "depth": "0"},
    ])  # fmt: skip
    diancang = str(bin_dir / "diancang")
    assert "1 seed" in _run([diancang, "seeds", "validate", str(seeds)], work, env).stdout
    _run([diancang, "crawl", str(seeds)], work, env)
    assert list((work / "data" / "warcs" / "govinfo-500000").glob("*.warc.gz"))
    ingest = _run([diancang, "catalog", "ingest", "--new"], work, env)
    assert "new records" in ingest.stdout
