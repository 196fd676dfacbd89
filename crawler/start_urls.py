"""A crawl of given URLs only (``diancang crawl SEED_LIST --urls FILE``): a patch crawl.

The URL file holds one absolute http(s) URL a line (blank lines and lines starting with
``#`` skipped). Its URLs are fetched for the crawl's one seed, into that seed's collection,
in place of the seed's URL; what they link to is followed only as far as the seed's own
scope and depth allow (a patch seed excludes everything: see ``jobs/patch.py``).
"""

from __future__ import annotations

from pathlib import Path

from diancang.crawler.job import CrawlError
from diancang.crawler.urls import clean_url

MAX_FILE_BYTES = 8 * 2**20  # as a seed list's bound
MAX_URLS = 100_000


def read_start_urls(path: Path) -> list[str]:
    """The URLs of ``path``, cleaned, in order, each once; CrawlError naming the line of the
    first bad one."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CrawlError(f"{path}: cannot read the URL list: {exc.strerror}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise CrawlError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CrawlError(f"{path}: not UTF-8 (byte {exc.start})") from exc
    urls: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        url = clean_url(line)
        if url is None:
            raise CrawlError(f"{path}:{number}: not an absolute http(s) URL: {line[:200]!r}")
        urls[url] = None
        if len(urls) > MAX_URLS:
            raise CrawlError(f"{path}: more than {MAX_URLS} URLs")
    if not urls:
        raise CrawlError(f"{path}: no URL to crawl")
    return list(urls)
