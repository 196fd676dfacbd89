"""S3 store benchmark (run by hand, not in CI):

    .venv/bin/python tests/benchmarks/s3_upload_and_replay.py [--files 6] [--size-mb 64]
        [--rounds 3] [--lookups 200]

Starts SeaweedFS on loopback (``weed server -s3``, as the tests do) and measures:

1. Upload throughput (MB/s) of the same WARC files by
   - boto3's own ``upload_file`` (same multipart threshold, part size and concurrency),
   - Diancang's hand-off (``S3WarcStore.sync``): SHA-256 of the spool file, upload, read back
     and hash the object, write the fixity record, delete the spool copy.
   Each round copies the files into the spool first (not timed); the median round counts.
2. Replay latency of one record, from S3 and from local disk:
   - record load: pywb's own ``BlockLoader`` (range request for s3://, seek for a file);
   - a whole replay request: two ``wayback`` processes, one with ``archive_paths`` on local
     disk, one on ``s3://``, each asked for the same captured pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from boto3.s3.transfer import TransferConfig  # noqa: E402
from pywb_runner import wayback  # noqa: E402
from seaweedfs_server import SeaweedS3  # noqa: E402
from warc_files import write_html_warc, write_large_warc  # noqa: E402

from diancang.replay.index import cdxj_lines  # noqa: E402
from diancang.storage.s3 import S3WarcStore  # noqa: E402
from diancang.storage.s3_client import MiB, S3Location, TransferOptions  # noqa: E402

COLLECTION = "bench-500000"


def _median_rate(sizes: int, seconds: list[float]) -> tuple[float, float]:
    median = statistics.median(seconds)
    return sizes / median / 1e6, median


def bench_upload(server: SeaweedS3, work: Path, files: int, size_mb: int, rounds: int) -> dict:
    source = work / "source"
    paths = [
        write_large_warc(source / f"bench-{i:05d}.warc.gz", size_mb * MiB) for i in range(files)
    ]
    total = sum(p.stat().st_size for p in paths)
    transfer = TransferOptions.configured({})  # the defaults a deployment gets
    config = TransferConfig(
        multipart_threshold=transfer.multipart_threshold,
        multipart_chunksize=transfer.multipart_chunksize,
        max_concurrency=transfer.max_concurrency,
    )
    client = server.client()
    baseline, handoff = [], []
    for n in range(rounds):
        started = time.perf_counter()
        for path in paths:
            client.upload_file(str(path), server.bucket, f"boto3/{n}/{path.name}", Config=config)
        baseline.append(time.perf_counter() - started)

        spool = work / f"spool-{n}"
        for path in paths:
            (spool / COLLECTION).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, spool / COLLECTION / path.name)
        os.sync()
        store = S3WarcStore(S3Location(server.bucket, f"diancang/{n}"), spool, transfer)
        started = time.perf_counter()
        report = store.sync()
        handoff.append(time.perf_counter() - started)
        assert len(report.stored) == files and not report.waiting, report.waiting
    base_rate, base_time = _median_rate(total, baseline)
    our_rate, our_time = _median_rate(total, handoff)
    return {
        "files": files,
        "bytes": total,
        "boto3_upload_file_MBps": round(base_rate, 1),
        "boto3_upload_file_s": round(base_time, 2),
        "diancang_handoff_MBps": round(our_rate, 1),
        "diancang_handoff_s": round(our_time, 2),
        "rounds": rounds,
    }


def _percentiles(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 2),
    }


def bench_replay(server: SeaweedS3, work: Path, lookups: int) -> dict:
    from pywb.utils.loaders import BlockLoader

    local_dir = work / "local" / COLLECTION
    warc = write_html_warc(local_dir / "replay-00000.warc.gz", pages=500, payload_bytes=20000)
    spool = work / "replay-spool"
    (spool / COLLECTION).mkdir(parents=True)
    shutil.copyfile(warc, spool / COLLECTION / warc.name)
    store = S3WarcStore(S3Location(server.bucket, "replay"), spool, TransferOptions.configured({}))
    assert len(store.sync().stored) == 1

    with warc.open("rb") as fh:
        lines = cdxj_lines(fh, warc.name)
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    rng = random.Random(7)
    picks = [rng.choice(entries) for _ in range(lookups)]

    loader = BlockLoader()
    s3_url = f"{store.archive_path(COLLECTION)}{warc.name}"
    results = {}
    for label, url in (("local", str(warc)), ("s3", s3_url)):
        loader.load(url, 0, 100).read()  # connection and client set up outside the timing
        times = []
        for entry in picks:
            started = time.perf_counter()
            loader.load(url, int(entry["offset"]), int(entry["length"])).read()
            times.append(time.perf_counter() - started)
        results[f"record_load_{label}"] = _percentiles(times)

    index_dir = work / "index"
    index_dir.mkdir()
    (index_dir / "index.cdxj").write_text("".join(lines), encoding="utf-8")
    for label, archive in (
        ("local", str(local_dir.resolve()) + "/"),
        ("s3", store.archive_path(COLLECTION)),
    ):
        directory = work / f"pywb-{label}"
        directory.mkdir()
        config = {
            "collections": {
                COLLECTION: {
                    "index_paths": str(index_dir / "index.cdxj"),
                    "archive_paths": archive,
                }
            }
        }
        (directory / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        with wayback(directory, server.env()) as base:
            urls = [f"{base}/{COLLECTION}/mp_/{e['url']}" for e in picks[:lookups]]
            urllib.request.urlopen(urls[0]).read()
            times = []
            for url in urls:
                started = time.perf_counter()
                with urllib.request.urlopen(url) as response:
                    response.read()
                times.append(time.perf_counter() - started)
        results[f"pywb_request_{label}"] = _percentiles(times)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--size-mb", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="s3-bench-") as tmp:
        work = Path(tmp)
        server = SeaweedS3(work / "seaweedfs").start()
        os.environ.update(server.env())  # pywb's S3 loader and our store read AWS_*
        try:
            upload = bench_upload(server, work, args.files, args.size_mb, args.rounds)
            replay = bench_replay(server, work, args.lookups)
        finally:
            server.stop()
    print(json.dumps({"upload": upload, "replay": replay}, indent=2))


if __name__ == "__main__":
    main()
