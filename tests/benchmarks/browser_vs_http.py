"""Browser crawl against HTTP-only crawl of the same script-built pages (run by hand, not
collected by pytest):

    .venv/bin/python tests/benchmarks/browser_vs_http.py [--hosts 2] [--pages 100]
        [--latency 0.05] [--max-pages N] [--recycle-after N] [--modes http,browser]
        [--timeout SECONDS] [--keep DIR]

It serves the generated site in its scripted mode on loopback (``--hosts`` hosts of
``--pages`` pages; each page's links are built by a script from a JSON endpoint, so HTML
alone names no other page) and crawls every page twice with ``diancang crawl SEEDS.csv``,
each run a subprocess of its own, as a user runs it (start-up and replay indexing
included). The seed list is the same both times: every page URL a seed of depth 0, so both
crawls capture the same pages; only the ``browser`` column differs.

* HTTP-only: ``browser`` false and ``DIANCANG_BROWSER_DETECT=0`` (detection would otherwise
  send these pages, which look script-built, to Chromium).
* Browser: ``browser`` true: Chromium loads each page, runs its script and behaviours, and
  every exchange, a screenshot, a thumbnail, the text and the DOM go to WARC.

``--max-pages`` and ``--recycle-after`` are passed to the browser crawl as
``DIANCANG_BROWSER_MAX_PAGES`` and ``DIANCANG_BROWSER_RECYCLE_AFTER``. Other ``DIANCANG_*``
variables of the calling environment are dropped, ``DIANCANG_CHROMIUM`` excepted.

Measured per run: wall time and CPU (``os.wait4`` on the crawler, reaped children included;
or the sum polled from /proc when larger), pages per minute (pages = seeds whose document
was captured with status 200, read from the WARCs), the crawl phase alone (the report's
``elapsed_seconds``), and memory polled from /proc every 0.2 s over the whole process tree
(the crawler, Playwright's driver, Chromium's processes, found by parentage and by the
crawl's ``DIANCANG_DATA_DIR`` in their environment): the peak of the summed RSS, of the
summed PSS (shared pages counted once; read every second), and the crawler process's own
peak (VmHWM). The site counts the requests it answers, the most at once on one host, and
the longest pause between two page documents (a stalled crawl shows there).

Completeness: the JSON endpoint of every page must be captured by the browser crawl and
by no HTTP-only one; the browser's rendered DOM of each page must hold the page's links.
Whether memory stays flat: the peaks while the site served the first third of the pages
against the last third, and the peak in each tenth of the crawl. A crawl still running
after ``--timeout`` seconds is stopped (SIGTERM, then SIGKILL to its processes). Exit
status 1 when a crawl failed or stalled, missed pages, or the completeness check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: sites
import crawl_helpers  # noqa: E402
import psutil  # noqa: E402
from browser_proctree import MIB, TreeSampler  # noqa: E402
from sites.generated import GeneratedSite, linked_pages, page_path  # noqa: E402
from sites.request_probe import RequestProbe  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from diancang.demo_portal.serving import PageHandler  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INTERVAL = 0.2  # seconds between two samples of the process tree
MODES = ("http", "browser")
LABELS = {"http": "HTTP-only (`browser` false)", "browser": "browser (`browser` true)"}


class CrawlFailed(RuntimeError):
    """``diancang crawl`` exited with an error; the message holds the end of its output."""


class PageLog(RequestProbe):
    """When the site served each page document (not its script, JSON or style sheet).

    It wraps :meth:`PageHandler.wait_latency`, which every request of the generated site
    passes through: the progress of a crawl as the site sees it, the same for both modes.
    """

    def __init__(self, pages: set[str]) -> None:
        super().__init__(self._count)
        self._paths = pages
        self.served: list[float] = []
        self.requests: Counter[str] = Counter()  # every request, by first path segment

    @property
    def peak_in_flight(self) -> Counter[str]:  # most requests at once, per host
        return self.peak

    def _count(self, handler: PageHandler) -> None:
        path = handler.path.partition("?")[0]
        if path in self._paths:
            self.served.append(time.monotonic())
            self.requests["pages"] += 1
        else:
            self.requests[path.split("/")[1]] += 1

    def reset(self) -> None:
        with self.lock:
            self.served = []
            self.requests = Counter()
            self.peak.clear()


@dataclass(frozen=True)
class Capture:
    """What one crawl's WARCs hold of the site."""

    pages: int  # page documents captured with status 200 (response or revisit records)
    endpoints: int  # JSON endpoints captured (response or revisit records, status 200)
    pages_with_links: int  # pages whose archived HTML (DOM for the browser) names its links
    screenshots: int
    records: int
    warc_files: int


@dataclass(frozen=True)
class Run:
    mode: str
    capture: Capture
    wall: float
    crawl_seconds: float
    cpu: float
    cpu_wait4: float
    cpu_polled: float
    tree_rss: int
    tree_pss: int
    crawler_peak: int
    processes: int
    browser_processes: int
    first_third: tuple[int, int]  # (tree RSS, crawler RSS) peaks while the first third was served
    last_third: tuple[int, int]
    tenths: list[int]  # peak tree RSS in each tenth of the crawl (by pages served)
    report: dict
    strays: list[str]
    requests: dict[str, int]  # requests the site answered, by kind
    pause: float  # the longest time between two page documents served
    in_flight: int  # most requests the site answered at once on one host
    open_files: int  # most file descriptors the crawler process held at once
    sampler_cpu: float

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.capture.pages / self.wall

    @property
    def crawl_pages_per_minute(self) -> float:
        return 60 * self.capture.pages / self.crawl_seconds if self.crawl_seconds else 0.0


def generated_seed_list(site: GeneratedSite, path: Path, browser: bool) -> Path:
    """Every page a seed of depth 0: both crawls capture exactly the site's pages."""
    rows = [
        {"url": url, "title": f"生成站点 {urlsplit(url).hostname} {urlsplit(url).path}",
         "jurisdiction": "500000", "collection": "webarchive", "browser": str(browser).lower(),
         "depth": 0}
        for url in sorted(site.page_urls())
    ]  # fmt: skip
    return crawl_helpers.write_seed_list(path, rows)


def crawl_env(data_dir: Path, mode: str, args: argparse.Namespace) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DIANCANG_") or k == "DIANCANG_CHROMIUM"
    }
    env["DIANCANG_DATA_DIR"] = str(data_dir)
    env["DIANCANG_ALLOW_NETWORKS"] = "127.0.0.0/8"
    if mode == "http":
        env["DIANCANG_BROWSER_DETECT"] = "0"
    else:
        if args.max_pages is not None:
            env["DIANCANG_BROWSER_MAX_PAGES"] = str(args.max_pages)
        if args.recycle_after is not None:
            env["DIANCANG_BROWSER_RECYCLE_AFTER"] = str(args.recycle_after)
    return env


def read_capture(site: GeneratedSite, warcs: list[Path]) -> Capture:
    pages, endpoints, screenshots, records = set(), set(), 0, 0
    html: dict[str, bytes] = {}  # what the archive shows of each page: its DOM, else its HTML
    page_urls, endpoint_urls = site.page_urls(), site.links_urls()
    for path in warcs:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                records += 1
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type in ("response", "revisit"):
                    status = record.http_headers.get_statuscode() if record.http_headers else ""
                    if uri in page_urls and status == "200":
                        pages.add(uri)
                        if record.rec_type == "response":
                            html.setdefault(uri, record.content_stream().read())
                    elif uri in endpoint_urls and status == "200":
                        endpoints.add(uri)
                elif record.rec_type == "resource" and uri.startswith("urn:dom:"):
                    html[uri.removeprefix("urn:dom:")] = record.content_stream().read()
                elif record.rec_type == "resource" and uri.startswith("urn:screenshot:"):
                    screenshots += 1
    with_links = 0
    for url, body in html.items():
        path = urlsplit(url).path
        number = 0 if path == "/" else int(path.removeprefix("/p/").removesuffix(".html"))
        if all(
            f'href="{page_path(target)}"'.encode() in body
            for target in linked_pages(number, site.pages)
        ):
            with_links += 1
    return Capture(len(pages), len(endpoints), with_links, screenshots, records, len(warcs))


def run_crawl(site: GeneratedSite, log: PageLog, mode: str, work: Path, args) -> Run:
    work.mkdir(parents=True)
    data_dir = work / "data"
    seeds = generated_seed_list(site, work / f"{mode}.csv", browser=mode == "browser")
    command = [str(BIN / "diancang"), "crawl", str(seeds)]
    env = crawl_env(data_dir, mode, args)
    log.reset()
    with (work / "output.log").open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        sampler = TreeSampler(
            process.pid, INTERVAL, marker=f"DIANCANG_DATA_DIR={data_dir}".encode()
        ).start()
        watchdog = threading.Timer(args.timeout, stop_crawl, (process, sampler))
        watchdog.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        watchdog.cancel()
        sampler.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        tail = (work / "output.log").read_text(encoding="utf-8", errors="replace")[-1500:]
        logs = list((data_dir / "jobs").glob("*/crawl.log"))
        captured = logs[0].read_text(encoding="utf-8").count("browser captured") if logs else 0
        why = f"stopped after {args.timeout:.0f} s" if wall >= args.timeout else "failed"
        raise CrawlFailed(
            f"{mode}: {shlex.join(command)} {why} (exit status "
            f"{os.waitstatus_to_exitcode(status)}), {len(log.served)} pages served, "
            f"{captured} captured by the browser, longest pause between two pages "
            f"{longest_pause(log.served, time.monotonic()):.0f} s; its data: {data_dir}\n{tail}"
        )
    report = json.loads(
        max((data_dir / "warcs" / "reports").glob("*.json")).read_text(encoding="utf-8")
    )
    capture = read_capture(site, sorted((data_dir / "warcs").glob("*/*.warc.gz")))
    served = sorted(log.served)
    first_third, last_third, tenths = (0, 0), (0, 0), []
    if served:
        n = len(served)
        bounds = [served[0]] + [served[min(n - 1, (k * n) // 10)] for k in range(1, 10)]
        bounds.append(served[-1] + 1e-9)
        tenths = [sampler.peak("tree_rss", a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
        one, two = served[n // 3], served[(2 * n) // 3]
        first_third = (
            sampler.peak("tree_rss", served[0], one),
            sampler.peak("root_rss", served[0], one),
        )
        last_third = (
            sampler.peak("tree_rss", two, served[-1]),
            sampler.peak("root_rss", two, served[-1]),
        )
    cpu_wait4 = usage.ru_utime + usage.ru_stime
    return Run(
        mode=mode,
        capture=capture,
        wall=wall,
        crawl_seconds=report.get("elapsed_seconds") or 0.0,
        cpu=max(cpu_wait4, sampler.cpu_seconds),
        cpu_wait4=cpu_wait4,
        cpu_polled=sampler.cpu_seconds,
        tree_rss=sampler.peak("tree_rss"),
        tree_pss=sampler.peak("tree_pss"),
        crawler_peak=max(sampler.root_high_water, sampler.peak("root_rss")),
        processes=sampler.peak("processes"),
        browser_processes=sampler.peak("browser_processes"),
        first_third=first_third,
        last_third=last_third,
        tenths=tenths,
        report=report,
        strays=sorted(sampler.strays),
        requests=dict(log.requests),
        pause=longest_pause(log.served),
        in_flight=max(log.peak_in_flight.values(), default=0),
        open_files=sampler.peak("root_files"),
        sampler_cpu=sampler.own_cpu,
    )


def stop_crawl(process: subprocess.Popen, sampler: TreeSampler) -> None:
    """The crawl ran out of time: SIGTERM (Scrapy's clean stop), then SIGKILL to its tree."""
    process.terminate()
    time.sleep(15)
    for pid in sampler.members:  # the crawler's processes at the last sample, by id
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def longest_pause(served: list[float], end: float | None = None) -> float:
    """The longest time between two page documents served (and the end, when given)."""
    times = sorted(served) + ([end] if end is not None else [])
    return max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0)


def mb(value: int) -> str:
    return f"{value / MIB:.0f}"


def main_table(runs: dict[str, Run]) -> str:
    lines = [
        "| crawl | pages | JSON endpoints | pages with their links | wall s | pages/min "
        "| crawl s | pages/min (crawl) | CPU s | CPU s / page | peak RSS MB, tree "
        "| peak PSS MB, tree | peak RSS MB, crawler | processes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |",
    ]
    for mode in MODES:
        run = runs.get(mode)
        if run is None:
            continue
        c = run.capture
        lines.append(
            f"| {LABELS[mode]} | {c.pages} | {c.endpoints} | {c.pages_with_links} "
            f"| {run.wall:.1f} | {run.pages_per_minute:.0f} | {run.crawl_seconds:.1f} "
            f"| {run.crawl_pages_per_minute:.0f} | {run.cpu:.1f} "
            f"| {run.cpu / max(c.pages, 1):.3f} | {mb(run.tree_rss)} | {mb(run.tree_pss)} "
            f"| {mb(run.crawler_peak)} | {run.processes} |"
        )
    return "\n".join(lines)


def memory_table(runs: dict[str, Run]) -> str:
    lines = [
        "| crawl | tree RSS MB, first third → last third | crawler RSS MB, first → last "
        "| contexts recycled | browser pages | peak tree RSS MB in each tenth of the pages |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for mode in MODES:
        run = runs.get(mode)
        if run is None:
            continue
        browser = run.report.get("browser", {})
        lines.append(
            f"| {LABELS[mode]} | {mb(run.first_third[0])} → {mb(run.last_third[0])} "
            f"| {mb(run.first_third[1])} → {mb(run.last_third[1])} "
            f"| {browser.get('contexts_recycled', 0)} | {browser.get('pages', 0)} "
            f"| {' '.join(mb(v) for v in run.tenths)} |"
        )
    return "\n".join(lines)


def runs_detail(runs: dict[str, Run]) -> str:
    lines = [
        "| crawl | responses | revisits | WARC records | WARC files | screenshots | errors "
        "| CPU s (wait4 / polled) | Chromium processes at most | sampler CPU s "
        "| requests the site answered | most in flight on one host | open files, crawler "
        "| longest pause between pages s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | --- | ---: | ---: "
        "| ---: |",
    ]
    for mode in MODES:
        run = runs.get(mode)
        if run is None:
            continue
        r = run.report
        errors = ", ".join(f"{k} {v}" for k, v in r.get("errors", {}).items()) or "none"
        if r.get("browser", {}).get("errors"):
            errors += f"; browser errors {r['browser']['errors']}"
        lines.append(
            f"| {LABELS[mode]} | {r.get('responses')} | {r.get('revisits')} "
            f"| {run.capture.records} | {run.capture.warc_files} | {run.capture.screenshots} "
            f"| {errors} | {run.cpu_wait4:.1f} / {run.cpu_polled:.1f} "
            f"| {run.browser_processes} | {run.sampler_cpu:.1f} "
            f"| {', '.join(f'{k} {v}' for k, v in sorted(run.requests.items()))} "
            f"| {run.in_flight} | {run.open_files} | {run.pause:.1f} |"
        )
    return "\n".join(lines)


def machine_facts() -> list[str]:
    cpu_model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    memory = psutil.virtual_memory().total // MIB
    chromium = os.environ.get("DIANCANG_CHROMIUM", "/usr/bin/chromium")
    try:
        browser = subprocess.run(
            [chromium, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except OSError:
        browser = f"{chromium}: not found"
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return [
        f"{len(os.sched_getaffinity(0))} CPUs ({cpu_model}), {memory} MiB RAM, "
        f"Linux {platform.release()}, load average before the runs {load}",
        f"Python {platform.python_version()}, Scrapy {version('scrapy')}, "
        f"scrapy-playwright {version('scrapy-playwright')}, Playwright {version('playwright')}, "
        f"warcio {version('warcio')}, Diancang {version('diancang')}",
        browser or chromium,
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=2, help="hosts of the site (default 2)")
    parser.add_argument("--pages", type=int, default=100, help="pages per host (default 100)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--max-pages", type=int, help="DIANCANG_BROWSER_MAX_PAGES")
    parser.add_argument("--recycle-after", type=int, help="DIANCANG_BROWSER_RECYCLE_AFTER")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated subset of: http, browser"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="seconds a crawl may take before it is stopped (default 300 + 3 per page)",
    )
    parser.add_argument("--keep", type=Path, help="keep WARCs and logs under this directory")
    args = parser.parse_args(argv)
    args.modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if set(args.modes) - set(MODES) or not args.modes:
        parser.error("--modes takes http, browser or both")
    if args.hosts < 1 or args.pages < 2 or args.latency < 0:
        parser.error("need --hosts ≥ 1, --pages ≥ 2, --latency ≥ 0")
    if (args.max_pages is not None and args.max_pages < 1) or (
        args.recycle_after is not None and args.recycle_after < 1
    ):
        parser.error("--max-pages and --recycle-after take a positive number")
    if args.timeout is None:
        args.timeout = 300 + 3 * args.hosts * args.pages
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: not empty")
    return args


def command_line(args: argparse.Namespace) -> str:
    command = (
        f".venv/bin/python tests/benchmarks/browser_vs_http.py --hosts {args.hosts} "
        f"--pages {args.pages} --latency {args.latency}"
    )
    if args.max_pages is not None:
        command += f" --max-pages {args.max_pages}"
    if args.recycle_after is not None:
        command += f" --recycle-after {args.recycle_after}"
    if args.modes != list(MODES):
        command += f" --modes {','.join(args.modes)}"
    return command


def check(site: GeneratedSite, runs: dict[str, Run]) -> list[str]:
    """What is wrong with the runs: pages missed, JSON captured or not where it should be."""
    total = len(site.page_urls())
    problems = []
    for mode, run in runs.items():
        c = run.capture
        if c.pages != total:
            problems.append(f"{mode}: {total - c.pages} of {total} pages not captured")
        if mode == "http" and (c.endpoints or c.pages_with_links):
            problems.append(f"http: {c.endpoints} JSON endpoints captured without a browser")
        if mode == "browser" and c.endpoints != total:
            problems.append(f"browser: {total - c.endpoints} JSON endpoints not captured")
        if mode == "browser" and c.pages_with_links != total:
            problems.append(f"browser: {total - c.pages_with_links} DOMs lack their links")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    facts = machine_facts()
    runs: dict[str, Run] = {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
        base = args.keep or Path(tmp)
        site = GeneratedSite(args.hosts, args.pages, args.latency, scripted=True)
        paths = {page_path(number) for number in range(args.pages)}
        with PageLog(paths).installed() as log, site:
            for mode in args.modes:
                print(f"{mode} crawl of {args.hosts * args.pages} pages …", file=sys.stderr)
                try:
                    run = run_crawl(site, log, mode, base / mode, args)
                except CrawlFailed as exc:
                    failures.append(str(exc))
                    print(f"  {exc}", file=sys.stderr, flush=True)
                    continue
                print(
                    f"  {run.capture.pages} pages in {run.wall:.1f} s, "
                    f"peak tree RSS {mb(run.tree_rss)} MB",
                    file=sys.stderr,
                    flush=True,
                )
                runs[mode] = run
    total = args.hosts * args.pages
    print(
        f"### Browser crawl against HTTP-only crawl: {total} script-built pages "
        f"({args.hosts} hosts × {args.pages}), {args.latency * 1000:.0f} ms per request\n"
    )
    print(
        "Each page builds its list of links with a script from a JSON endpoint. Both crawls "
        f"take the same seed list, every page a seed of depth 0; the browser "
        "crawl has `browser` true. Wall time and pages/min include start-up and replay "
        "indexing; the crawl phase is the report's `elapsed_seconds`. Memory is polled from "
        f"/proc every {INTERVAL} s over the crawler and all its descendants (Playwright's "
        "driver, Chromium): RSS summed over processes counts shared pages once per process; "
        f"PSS, read every {INTERVAL * 5:.0f} s, counts them once.\n"
    )
    print(main_table(runs))
    print()
    if "http" in runs and "browser" in runs:
        http, browser = runs["http"], runs["browser"]
        rate = http.pages_per_minute / max(browser.pages_per_minute, 1e-9)
        crawl_rate = http.crawl_pages_per_minute / max(browser.crawl_pages_per_minute, 1e-9)
        print(
            f"HTTP-only against browser: {rate:.1f}× the pages per minute ({crawl_rate:.1f}× "
            f"in the crawl phase); the browser crawl takes "
            f"{browser.tree_pss / max(http.tree_pss, 1):.1f}× the memory (peak PSS, tree) and "
            f"{browser.cpu / max(http.cpu, 1e-9):.1f}× the CPU.\n"
        )
    print("#### Memory over the crawl\n")
    print(memory_table(runs))
    print()
    print("#### Runs\n")
    print(runs_detail(runs))
    print()
    settings = []
    if args.max_pages is not None:
        settings.append(f"DIANCANG_BROWSER_MAX_PAGES={args.max_pages}")
    if args.recycle_after is not None:
        settings.append(f"DIANCANG_BROWSER_RECYCLE_AFTER={args.recycle_after}")
    print(f"Command: `{command_line(args)}`" + (f" ({', '.join(settings)})" if settings else ""))
    print()
    print("Machine: " + "; ".join(facts) + "\n")
    for mode, run in runs.items():
        if run.strays:
            names = ", ".join(run.strays)
            print(f"Note: {mode}: processes outside the crawler's tree, counted: {names}.\n")
    problems = [failure.partition("\n")[0] for failure in failures] + check(site, runs)
    for problem in problems:
        print(f"**Problem**: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
