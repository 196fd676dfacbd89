"""Helpers for end-to-end tests: run the `diancang` command, write seed lists, read WARCs."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from diancang.console.demo_setup import demo_seed_fields
from diancang.crawler.scrapy_settings import scrapy_settings
from diancang.crawler.spider import SiteSpider
from diancang.settings import load_settings

BIN = Path(sys.executable).parent
UNSTARTED_SITE = "http://127.0.0.1:9/"  # the seed of unstarted_crawler: nothing is fetched


def crawl_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DIANCANG_DATA_DIR": str(data_dir),
        "DIANCANG_ALLOW_NETWORKS": "127.0.0.0/8",
        **extra,
    }


def diancang(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "diancang"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def portal_seed(url: str) -> dict[str, str]:
    """A seed-list row for a site standing in for the demo portal's 重庆市人民政府."""
    return {
        "url": url,
        "title": "重庆市人民政府",
        "jurisdiction": "500000",
        "collection": "govinfo",
    }


def write_seed_list(path: Path, rows: list[dict]) -> Path:
    """A CSV seed list of ``rows`` (column names from their keys, in first-seen order)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def unstarted_crawler(data_dir: Path, browser: bool = False) -> Crawler:
    """A Scrapy crawler with a Diancang crawl's settings and components, never started: one
    seed ``s1`` of ``UNSTARTED_SITE``; with ``browser``, Chromium takes part."""
    seeds = write_seed_list(data_dir / "seeds.csv", [{"id": "s1", **portal_seed(UNSTARTED_SITE)}])
    settings = load_settings(crawl_env(data_dir))
    return get_crawler(
        SiteSpider, scrapy_settings(settings, seeds, ["s1"], data_dir, False, browser)
    )


def warc_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "warcs").glob("*/*.warc.gz"))


def records(data_dir: Path) -> Iterator:
    """Every record of every closed WARC; ``content`` is the payload as stored (still encoded)."""
    for path in warc_files(data_dir):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                record.content = record.raw_stream.read()
                yield record


def captured_urls(data_dir: Path) -> set[str]:
    return {
        r.rec_headers.get_header("WARC-Target-URI")
        for r in records(data_dir)
        if r.rec_type in ("response", "revisit")
    }


def assert_recrawl_stores_revisits(first: dict, second: dict) -> None:
    """Crawl reports ``first`` and ``second`` of one site into one collection: the second
    stored at least 90 % fewer payload bytes, as revisits (either dedup index backend)."""
    assert first["payload_bytes_stored"] > 100_000
    assert second["payload_bytes_stored"] <= first["payload_bytes_stored"] * 0.10
    assert second["revisits"] >= first["responses"] * 0.9


class Crawl:
    def __init__(self, data_dir: Path, result, report: dict):
        self.data_dir = data_dir
        self.result = result
        self.report = report


def printed_report(stdout: str) -> Path:
    """The report a ``diancang crawl`` printed that it wrote. Not the last by name: a job of
    another seed list is named STEM-HASH, which may sort before STEM's older reports."""
    found = re.search(r"^  report +(.+)$", stdout, re.M)
    assert found, f"no report line in the crawl's output: {stdout[-3000:]}"
    return Path(found.group(1))


def run_crawl_cli(data_dir: Path, seed_list: Path, *args: str, **env: str) -> Crawl:
    result = diancang("crawl", str(seed_list), *args, env=crawl_env(data_dir, **env))
    assert result.returncode == 0, result.stderr[-3000:]
    report = printed_report(result.stdout)
    return Crawl(data_dir, result, json.loads(report.read_text(encoding="utf-8")))


def write_demo_seed_list(directory: Path, portal) -> Path:
    """A seed list of the running demo portal (``diancang demo``'s seed), as a CSV file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "demo-seeds.csv"
    row = {name: value for name, value in demo_seed_fields(portal).items() if value}
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return path
