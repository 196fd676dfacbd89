"""Hostile seed lists through the real `diancang seeds validate`, in a process limited to
1 GB of address space: each gets FILE:LINE: FIELD: message and exit status 1, never a
traceback, a hang or the machine's memory."""

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from diancang.seeds.load import MAX_FILE_BYTES

DIANCANG = Path(sys.executable).with_name("diancang")  # `make test` installs it
MEMORY_LIMIT = 2**30
TIMEOUT = 120  # seconds: generous for a loaded machine; each case takes about one

SEED = "- url: https://www.cq.gov.cn/\n  title: t\n  jurisdiction: 500000\n  collection: govinfo\n"
HEADER = "url,title,jurisdiction,collection"
ROW = "https://www.cq.gov.cn/,t,500000,govinfo"
RE2_HINT = "(RE2 syntax: no backreferences or lookaround, \\z for the end of text)"
BIG_NUMBER = "'" + "9" * 37 + "..." + "9" * 38 + "'"  # how a message shows 400 nines


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DIANCANG, "seeds", "validate", path],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )


def _laughs(indent: str) -> str:
    """A 9-level "billion laughs": 9**9 values from some 450 bytes."""
    lines = [f"{indent}a: &a [{', '.join(['lol'] * 9)}]\n"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{indent}{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n")
    return "".join(lines)


# defined beside the seeds, so that the seed's field is the first to show the whole value
LAUGHS = "laughs:\n" + _laughs("  ") + "seeds:\n"
BOMB = "bad YAML: more than 1000000 values, counting each alias (*name) as a copy of what it names"
CASES = [
    ("extract-bomb.yaml", LAUGHS + SEED + "  extract: {title: *i}\n", [f"8: {BOMB}"]),
    (
        "behaviors-bomb.yaml",
        LAUGHS + SEED + "  browser: true\n  behaviors: {load_more: *i}\n",
        [f"8: {BOMB}"],
    ),
    (
        "recursive.yaml",
        SEED + "  extract: &x {a: *x}\n",
        ["5: bad YAML: alias *x inside what it names"],
    ),
    (
        "deep-flow.yaml",
        SEED + "  extract: " + "[" * 20000 + "]" * 20000 + "\n",
        ["5: bad YAML: nested more than 32 levels deep"],
    ),
    (
        "deep-block.yaml",
        SEED + "  extract:\n" + "".join(" " * (4 + 2 * i) + "-\n" for i in range(2000)),
        ["36: bad YAML: nested more than 32 levels deep"],
    ),
    (
        "python-tag.yaml",
        SEED.replace("title: t", "title: !!python/object/apply:os.system [echo hi]"),
        [
            "2: title: bad YAML value: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'"
        ],
    ),
    (
        "bytes.yaml",
        SEED + "  limits: {bytes: " + "9" * 400 + "}\n",
        [f"5: limits.bytes: {BIG_NUMBER} is too large (at most 1PiB)"],
    ),
    (
        "bytes.csv",
        f"{HEADER},bytes\n{ROW},{'9' * 400}\n",
        [f"2: bytes: {BIG_NUMBER} is too large (at most 1PiB)"],
    ),
    (
        "digits.yaml",  # beyond Python's 4300-digit limit of int()
        SEED + "  limits: {pages: " + "9" * 4500 + "}\n",
        ["5: limits.pages: " + BIG_NUMBER + " is 4500 characters long (at most 4096)"],
    ),
    (
        "duration.csv",
        f"{HEADER},duration\n{ROW},nan\n{ROW},inf\n{ROW},-inf\n{ROW},1e999\n",
        [
            "2: duration: 'nan' is not a duration (e.g. 90s, 30m, 2h, 1h30m)",
            "3: duration: 'inf' is too long (at most 366d)",
            "4: duration: '-inf' must be positive",
            "5: duration: '1e999' is too long (at most 366d)",
        ],
    ),
    (
        "duration.yaml",
        SEED + "  limits: {duration: .nan}\n",
        ["5: limits.duration: 'nan' is not a duration (e.g. 90s, 30m, 2h, 1h30m)"],
    ),
    (
        "long-url.yaml",
        SEED.replace("gov.cn/", "gov.cn/" + "a" * 5_000_000),
        [
            "1: url: 'https://www.cq.gov.cn/aaaaaaaaaaaaaaa..." + "a" * 38 + "' "
            "is 5000022 characters long (at most 4096)"
        ],
    ),
    (
        "long-title.csv",
        f"{HEADER}\nhttps://www.cq.gov.cn/,{'t' * 200_000},500000,govinfo\n",
        ["2: bad CSV: field larger than field limit (131072)"],
    ),
    (
        "columns.csv",
        HEADER + ",x" * 1_000_000 + "\n" + ROW + "\n",
        ["1: the header has 1000004 columns; a seed list has at most 24"],
    ),
    (
        "nul.csv",
        f"{HEADER}\n{ROW}\n" + ROW.replace(",t,", ",t\x00,") + "\n",
        ["3: contains the control character U+0000"],
    ),
    (
        "nul.yaml",
        SEED.replace("title: t", 'title: "t\\0"'),
        ["2: title: 't\\x00' contains the control character U+0000"],
    ),
    (
        "patterns.csv",
        f"{HEADER},include,exclude\n{ROW},(a)\\1,(?<=x)y\n",
        [
            f"2: include: bad regex '(a)\\\\1': invalid escape sequence: \\1 {RE2_HINT}",
            f"2: exclude: bad regex '(?<=x)y': invalid perl operator: (?<= {RE2_HINT}",
        ],
    ),
    (
        "deep-json.csv",
        f"{HEADER},extract\n{ROW},{'[' * 3000}\n",
        ["2: extract: not valid JSON: nested too deeply"],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_seed_list_gives_line_field_message(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = validate(path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"{path}:{line}" for line in expected]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("w") as f:
        f.write(HEADER + "\n")
        f.write(f"{ROW}\n" * (MAX_FILE_BYTES // len(ROW)))
    result = validate(path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"{path}: larger than 8 MiB: split the seed list into several files\n"


def test_reading_stops_after_a_thousand_errors(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "\n" + "x,x,x,x\n" * 5000)
    result = validate(path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1001
    assert lines[0] == f"{path}:2: url: 'x' is not an absolute http(s) URL"
    assert lines[-1] == f"{path}: more than 1000 errors: stopped reading"


def test_a_value_shown_in_a_message_is_bounded(tmp_path):
    """4,000 characters aliased 200 times is within the value budget; its message is short."""
    path = tmp_path / "wide.yaml"
    path.write_text(SEED + f"  extract:\n    title: [&s {'x' * 4000}, {', '.join(['*s'] * 200)}]\n")
    result = validate(path)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}:6: extract: title: expected 'css:...' or 'xpath:...', not [")
    assert len(line) < len(str(path)) + 600
