"""Memory benchmark: what one large page costs (run by hand, not collected by pytest).

    .venv/bin/python tests/benchmarks/page_memory.py [--cases html,gzip,br]

Each case serves one page on loopback at the largest size the default limits allow:

* ``html``: an uncompressed HTML page of ``max_response_bytes`` (50 MiB), Chinese text with
  a link every few hundred bytes;
* ``gzip`` and ``br``: a compressed HTML body (a decompression bomb: a few links and
  whitespace) that inflates to just under ``max_decompressed_bytes`` (200 MiB), the largest
  the crawl decodes.

then runs ``diancang crawl`` on it and ``diancang catalog ingest`` of the WARCs it wrote,
each in a process of its own whose peak RSS GNU time reports. It prints a Markdown
table: peak RSS in MiB and as a ratio of the page's (decoded) size.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import brotlicffi

import diancang.storage  # noqa: F401 - imported before tests/ joins the path: tests/storage would shadow it
from diancang.demo_portal.serving import BackgroundServer, LoopbackHTTPServer, Page, PageHandler
from diancang.settings import CrawlSettings, load_settings

sys.path.append(str(Path(__file__).resolve().parents[1]))  # tests/: crawl_helpers
from crawl_helpers import BIN, crawl_env, warc_files, write_seed_list  # noqa: E402

MIB = 1024 * 1024


def html_of_size(size: int) -> bytes:
    """An HTML page of exactly ``size`` bytes: Chinese text and links (out of scope, so the
    crawl extracts them but fetches only the page)."""
    head = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>大页面</title>".encode()
    head += b"</head><body>"
    tail = b"</body></html>\n"
    unit = (
        "<p>政府信息公开目录第{n}条：关于印发年度工作要点的通知。</p>"
        "<a href='http://elsewhere.invalid/d/{n}.html'>详情</a>\n"
    )
    parts, length, n = [head], len(head) + len(tail), 0
    while True:
        piece = unit.format(n=n % 100_000).encode()
        if length + len(piece) > size:
            break
        parts.append(piece)
        length += len(piece)
        n += 1
    parts.append(b" " * (size - length) + tail)
    return b"".join(parts)


def bomb_of_size(size: int) -> bytes:
    """An HTML page of ``size`` bytes that is almost all whitespace: it compresses ~1000:1."""
    head = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>压缩炸弹</title></head>"
    links = "".join(f"<a href='http://elsewhere.invalid/{n}.html'>{n}</a>" for n in range(10))
    start = (head + "<body><p>" + links).encode()
    tail = b"</p></body></html>\n"
    return start + b" " * (size - len(start) - len(tail)) + tail


def build_case(case: str, limits: CrawlSettings) -> tuple[Page, int]:
    """The page to serve and its decoded size."""
    if case == "html":
        body = html_of_size(limits.max_response_bytes)
        return Page(body, "text/html; charset=utf-8"), len(body)
    body = bomb_of_size(limits.max_decompressed_bytes - MIB)
    if case == "gzip":
        encoded = gzip.compress(body, compresslevel=6, mtime=0)
    else:
        encoded = brotlicffi.compress(body, quality=5)
    page = Page(encoded, "text/html; charset=utf-8", headers=(("Content-Encoding", case),))
    return page, len(body)


def serve(page: Page) -> BackgroundServer:
    class Handler(PageHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            if self.path == "/":
                self.send_page(page)
            else:
                self.send_page(Page(b"not found", "text/plain", status=404))

    return BackgroundServer(LoopbackHTTPServer(("127.0.0.1", 0), Handler), "page").start()


def peak_rss(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``args``; its peak RSS in MiB and its wall time in seconds.

    Measured by GNU time, not by our own ``wait4``: Linux carries the forking process's
    high-water mark into the child's ``ru_maxrss`` across exec, and this process holds the
    page it serves (up to 200 MiB), which would be counted against the command.
    """
    started = time.monotonic()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *args], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"{args[:3]} failed: {result.stderr[-2000:]}")
    return int(result.stderr.split()[-1]) / 1024, time.monotonic() - started


def run_case(case: str, limits: CrawlSettings, work: Path) -> dict:
    page, decoded = build_case(case, limits)
    data_dir = work / case
    data_dir.mkdir()
    server = serve(page)
    try:
        seeds = write_seed_list(
            data_dir / "seeds.csv",
            [
                {
                    "url": server.url,
                    "title": "大页面",
                    "jurisdiction": "500000",
                    "collection": "webarchive",
                }
            ],
        )
        env = crawl_env(data_dir)
        crawl_rss, crawl_s = peak_rss([str(BIN / "diancang"), "crawl", str(seeds)], env)
    finally:
        server.stop()
    warcs = [str(p) for p in warc_files(data_dir)]
    ingest_rss, ingest_s = peak_rss([str(BIN / "diancang"), "catalog", "ingest", *warcs], env)
    return {
        "case": case,
        "sent": len(page.body),
        "decoded": decoded,
        "crawl": (crawl_rss, crawl_s),
        "ingest": (ingest_rss, ingest_s),
    }


def baseline_rss() -> float:
    """Peak RSS of ``diancang --help``: the cost of the imports alone."""
    rss, _ = peak_rss([str(BIN / "diancang"), "--help"], dict(os.environ))
    return rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="html,gzip,br")
    options = parser.parse_args()
    limits = load_settings({}).crawl
    base = baseline_rss()
    rows = []
    with tempfile.TemporaryDirectory(prefix="page-memory-") as tmp:
        for case in options.cases.split(","):
            rows.append(run_case(case, limits, Path(tmp)))
    print(f"`diancang --help` peak RSS (imports only): {base:.0f} MiB\n")
    print(
        "| page | sent | decoded | crawl peak RSS | × decoded | "
        "ingest peak RSS | × decoded |\n|---|---|---|---|---|---|---|"
    )
    for row in rows:
        decoded = row["decoded"] / MIB
        crawl, ingest = row["crawl"][0], row["ingest"][0]
        print(
            f"| {row['case']} | {row['sent'] / MIB:.1f} MiB | {decoded:.0f} MiB "
            f"| {crawl:.0f} MiB | {crawl / decoded:.1f} | {ingest:.0f} MiB "
            f"| {ingest / decoded:.1f} |"
        )


if __name__ == "__main__":
    main()
