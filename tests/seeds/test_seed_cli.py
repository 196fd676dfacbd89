import subprocess
import sys
import unicodedata
from pathlib import Path

from click.testing import CliRunner

from diancang.console.cli import main

EXAMPLES = Path(__file__).parents[2] / "seeds" / "examples"


def run(*args: str):
    return CliRunner().invoke(main, ["seeds", *args])


def test_validate_a_good_list():
    path = EXAMPLES / "chongqing.yaml"
    result = run("validate", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: 6 seeds (govinfo 3, webarchive 3)\n"
    assert result.stderr == ""


def test_validate_reports_each_error_on_stderr(write):
    path = write(
        "bad.csv",
        "url,title,jurisdiction,collection,depth\n"
        "https://www.cq.gov.cn/,t,500000,govinfo,\n"
        "ftp://x/,t,500000,govinfo,\n"
        "https://a.cq.gov.cn/,t,500000,news,-2\n",
    )
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:3: url: 'ftp://x/' is not an absolute http(s) URL",
        f"{path}:4: collection: 'news' is not one of govinfo, webarchive",
        f"{path}:4: depth: -2 must be 0 or more",
    ]


def test_validate_a_missing_file(tmp_path):
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: cannot read: No such file or directory\n"


def test_list_prints_a_table():
    result = run("list", str(EXAMPLES / "chongqing.yaml"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "url", "jurisdiction", "collection", "browser", "schedule"]
    assert len(lines) == 7
    yuzhong = next(line for line in lines if "cqyz" in line)
    assert "500103 重庆市渝中区" in yuzhong
    assert "govinfo" in yuzhong and "yes" in yuzhong and yuzhong.endswith("0 3 * * 3")
    # the collection column lines up on screen although Chinese names are double width
    starts = {_screen_width(line[: line.index(word)]) for line, word in _collections(lines)}
    assert len(starts) == 1


def _collections(lines: list[str]):
    for line in lines:
        yield line, next(w for w in ("collection", "govinfo", "webarchive") if f" {w} " in line)


def _screen_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_list_with_errors_shows_good_seeds_and_fails(write):
    path = write(
        "l.csv",
        "url,title,jurisdiction,collection\n"
        "https://www.cq.gov.cn/,t,500000,govinfo\n"
        "https://www.sc.gov.cn/,t,000000,govinfo\n",
    )
    result = run("list", str(path))
    assert result.exit_code == 1
    assert "www.cq.gov.cn" in result.stdout and "www.sc.gov.cn" not in result.stdout
    assert result.stderr == f"{path}:3: jurisdiction: 000000 is not a known GB/T 2260 code\n"


def test_installed_command():
    exe = Path(sys.executable).with_name("diancang")  # `make test` installs it
    path = EXAMPLES / "minimal.csv"
    ok = subprocess.run([exe, "seeds", "validate", path], capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, f"{path}: 3 seeds (govinfo 2, webarchive 1)\n")
    bad = subprocess.run([exe, "seeds", "validate", "x.toml"], capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr == "x.toml: unknown seed-list format (use .csv, .yaml or .yml)\n"
