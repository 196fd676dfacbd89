"""Profile one Diancang crawl of the benchmark's generated site (run by hand):

    .venv/bin/python tests/benchmarks/crawl_profile.py [--tool cprofile|py-spy]
        [--hosts 4] [--pages 500] [--latency 0.05] [--top 25] [--out DIR] [--shared]

Serves the site of ``crawl_vs_wget.py`` and runs ``diancang crawl`` on it in a subprocess
under cProfile (``python -m cProfile``; deterministic, slows Python code about 1.5-2x) or
py-spy (sampling, 250 Hz, idle time excluded; ``pip install py-spy`` first). Prints the
functions with the most time of their own and the most time including callees. The
profile (``diancang.prof`` or ``diancang.pyspy.txt``, collapsed stacks) stays in ``--out``.
With ``--shared`` the crawl is one worker on the shared frontier (``--job``, a fresh Redis of
``tests/redis_server.py``).
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from crawl_vs_wget import BIN, PER_HOST, ROOT, generated_seed_list
from redis_server import RedisServer
from sites.generated import GeneratedSite


def crawl_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DIANCANG_DATA_DIR": str(data_dir),
        "DIANCANG_ALLOW_NETWORKS": "127.0.0.0/8",
        "DIANCANG_CONCURRENCY_PER_HOST": str(PER_HOST),
    }


def profile_cprofile(command: list[str], out: Path, env: dict[str, str], top: int) -> None:
    profile = out / "diancang.prof"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), *command],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stats = pstats.Stats(str(profile))
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def profile_py_spy(command: list[str], out: Path, env: dict[str, str], top: int) -> None:
    py_spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy not found: .venv/bin/pip install py-spy")
    raw = out / "diancang.pyspy.txt"
    subprocess.run(
        [py_spy, "record", "--rate", "250", "--format", "raw", "-o", str(raw), "--", *command],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    print(f"{samples} samples at 250 Hz = {samples / 250:.1f} s of CPU in Python")
    for title, counter in (("own time", own), ("including callees", total)):
        print(f"\nTop {top} by {title}:")
        for frame, count in counter.most_common(top):
            print(f"{count / samples:6.1%}  {frame}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", choices=("cprofile", "py-spy"), default="cprofile")
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, help="directory for the profile (default: temp)")
    parser.add_argument("--shared", action="store_true", help="one worker on a shared frontier")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="crawl-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    data_dir = out / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    redis = RedisServer(out / "redis").start() if args.shared else None
    env = crawl_env(data_dir)
    try:
        with GeneratedSite(args.hosts, args.pages, args.latency) as site:
            seeds = generated_seed_list(site, out / "seeds.csv")
            command = [str(BIN / "diancang"), "crawl", str(seeds)]
            if redis is not None:
                command += ["--job", "profile"]
                env.update(DIANCANG_FRONTIER_URL=redis.url, DIANCANG_WORKER_ID="profile")
            if args.tool == "cprofile":
                profile_cprofile(command, out, env, args.top)
            else:
                profile_py_spy(command, out, env, args.top)
    finally:
        if redis is not None:
            redis.stop()
    print(f"\nprofile and crawl data in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
