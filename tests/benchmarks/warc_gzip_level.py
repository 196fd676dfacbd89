"""WARC gzip benchmark: bytes and CPU of gzip level 6 against warcio's level 9 (run by hand).

    .venv/bin/python tests/benchmarks/warc_gzip_level.py [--repeat 5] [--levels 9,6,1]

Crawls two sites once each with ``diancang crawl``: the demo portal (HTML, images, PDFs,
JSON) and the generated site of ``crawl_vs_wget.py`` (4 hosts x 100 small HTML pages). It
takes the records as written, one per gzip member (requests and metadata included), and
compresses each record again as a member of its own at every level, ``--repeat`` times.
Prints a Markdown table per site: compressed bytes, their ratio to the first level, and
process CPU per 1,000 records (median of the repeats) and its ratio to the first level.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: crawl_helpers
from crawl_helpers import run_crawl_cli, warc_files, write_demo_seed_list  # noqa: E402
from crawl_vs_wget import generated_seed_list  # noqa: E402
from sites.generated import GeneratedSite  # noqa: E402

from diancang.demo_portal.server import DemoPortal  # noqa: E402


def records_as_written(paths: list[Path]) -> list[bytes]:
    """Each gzip member of ``paths``, decompressed: one WARC record apiece."""
    found = []
    for path in paths:
        data = path.read_bytes()
        while data:
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            found.append(inflater.decompress(data))
            data = inflater.unused_data
    return found


def compress(records: list[bytes], level: int) -> tuple[int, float]:
    """Total bytes of ``records`` as gzip members at ``level``, and the CPU seconds taken."""
    start = time.process_time()
    size = 0
    for record in records:
        member = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        size += len(member.compress(record)) + len(member.flush())
    return size, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--levels", default="9,6,1")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    with tempfile.TemporaryDirectory() as scratch:
        with DemoPortal(port=0).start() as portal:
            demo = Path(scratch) / "demo"
            run_crawl_cli(demo, write_demo_seed_list(demo, portal))
        with GeneratedSite(hosts=4, pages=100, latency=0) as site:
            generated = Path(scratch) / "generated"
            generated.mkdir()
            run_crawl_cli(generated, generated_seed_list(site, generated / "seeds.csv"))
        sites = {
            "the demo portal": records_as_written(warc_files(demo)),
            "the generated site": records_as_written(warc_files(generated)),
        }
    for name, records in sites.items():
        report(name, records, levels, args.repeat)
    command = " ".join([".venv/bin/python tests/benchmarks/warc_gzip_level.py", *sys.argv[1:]])
    print(f"Command: `{command}`")


def report(name: str, records: list[bytes], levels: list[int], repeat: int) -> None:
    raw = sum(map(len, records))
    results = {}
    for level in levels:
        runs = [compress(records, level) for _ in range(repeat)]
        results[level] = runs[0][0], statistics.median(cpu for _, cpu in runs)
    base_size, base_cpu = results[levels[0]]

    print(f"### WARC gzip level: {len(records)} records of {name}, {raw:,} bytes")
    print()
    print(f"Each record one gzip member; CPU is the median of {repeat} runs.")
    print()
    print(f"| level | bytes | ÷ level {levels[0]} | CPU ms / 1,000 records | ÷ level {levels[0]} |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for level in levels:
        size, cpu = results[level]
        per_1000 = cpu / len(records) * 1e6
        print(
            f"| {level} | {size:,} | {size / base_size:.3f}× | {per_1000:.1f} "
            f"| {cpu / base_cpu:.2f}× |"
        )
    print()


if __name__ == "__main__":
    main()
