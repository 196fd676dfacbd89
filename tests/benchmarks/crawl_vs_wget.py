"""Crawl benchmark: Diancang against wget and bare Scrapy (run by hand, not collected by pytest).

    .venv/bin/python tests/benchmarks/crawl_vs_wget.py [--hosts 4] [--pages 500]
        [--latency 0.05] [--repeat 1] [--peers diancang,scrapy,wget]

(also ``make benchmark``). It serves a generated site on loopback (``--hosts`` hosts of
``--pages`` interlinked pages, every request answered after ``--latency`` seconds) and
crawls it with three peers, one after the other, each in a subprocess of its own:

* Diancang: ``diancang crawl SEEDS.csv`` as a user runs it (start-up, crawl, WARC writing,
  replay indexing), 2 requests per host; the crawl phase alone comes from its report.
  ``diancang-shared`` is the same crawl as one worker of a shared frontier (``--job``, a
  fresh Redis of ``tests/redis_server.py``, whose own CPU is not counted).
* wget: ``wget --recursive --page-requisites --warc-file``; sequential, one request at a time.
* Scrapy: a bare spider (``crawl_scrapy_peer.py``) with Diancang's politeness settings and
  no archiving: the cost of Scrapy itself.

Each peer's wall time, CPU time and peak RSS come from ``os.wait4`` on its process (its
reaped children included). Pages are counted from what each peer captured (WARC records,
or the spider's list) and checked against the site's URLs. The server also counts the
requests it is answering at once per host: the physical limit ``hosts x 2 / latency``
holds only for a crawler that keeps to 2 requests per host, so a peer that sends more shows
it in the "max in flight per host" column. With ``--repeat N`` every figure is the median
of N runs. The output is a Markdown table for the README, then the runs one by one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: sites
import crawl_helpers  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from sites.generated import GeneratedSite  # noqa: E402
from sites.request_probe import RequestProbe  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from diancang.demo_portal.serving import PageHandler  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PER_HOST = 2  # requests per host at once: Diancang's setting, given to every parallel peer
PEERS = ("diancang", "diancang-shared", "scrapy-polite", "scrapy", "wget")
DEFAULT_PEERS = ("diancang", "scrapy-polite", "scrapy", "wget")
LABELS = {
    "diancang": "Diancang (`diancang crawl`, start-up and replay indexing included)",
    "diancang-shared": "Diancang, one worker of a shared frontier (`--job`, Redis)",
    "diancang-crawl": "Diancang, crawl phase only (report `elapsed_seconds`)",
    "scrapy-polite": "bare Scrapy with Diancang's per-host-limit downloader, no WARC",
    "scrapy": "bare Scrapy (same settings, no WARC; Scrapy 2.19 overruns the per-host limit)",
    "wget": "wget --recursive --page-requisites --warc-file",
}


class PeerFailed(RuntimeError):
    """A peer exited with an error; the message holds the end of its log."""


@dataclass(frozen=True)
class Usage:
    """What one finished subprocess cost: wall seconds, CPU seconds, peak RSS."""

    wall: float
    cpu: float
    peak_rss_mb: float


@dataclass(frozen=True)
class Run:
    """One crawl of the site by one peer."""

    peer: str
    pages: int  # HTML pages of the site captured
    missing: int  # URLs of the site (pages and style sheets) not captured
    usage: Usage
    crawl_seconds: float | None  # the crawl phase alone, when the peer reports it
    requests_served: int  # requests the site answered during the run (robots.txt included)
    connections: int  # TCP connections those requests came on
    max_in_flight: int  # most requests the site answered at once on one host
    server_cpu: float  # CPU seconds of this process (the site's threads) during the run


@dataclass(frozen=True)
class Summary:
    """The median of a peer's runs (the worst page count, the highest concurrency)."""

    peer: str
    runs: int
    pages: int
    missing: int
    wall: float
    crawl_seconds: float | None
    cpu: float
    peak_rss_mb: float
    max_in_flight: int

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.wall

    @property
    def cpu_per_1000_pages(self) -> float:
        return self.cpu / self.pages * 1000 if self.pages else float("nan")


class InFlightProbe(RequestProbe):
    """The site's view of a crawl: requests in flight per host, requests served and
    connections opened (one client port per connection)."""

    def __init__(self) -> None:
        super().__init__(self._count)
        self.served = 0
        self.clients: set[tuple[str, int]] = set()

    def _count(self, handler: PageHandler) -> None:
        self.served += 1
        self.clients.add(handler.client_address)

    def reset(self) -> None:
        with self.lock:
            self.peak.clear()
            self.served = 0
            self.clients.clear()


def run_measured(command: Sequence[str], log: Path, env: dict[str, str] | None = None) -> Usage:
    """Run ``command`` to its end with output to ``log``; its wall, CPU and peak memory."""
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise PeerFailed(f"{shlex.join(command)} exited {process.returncode}:\n{tail}")
    # ru_maxrss is in KiB on Linux: the largest of the process and its reaped children.
    return Usage(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def warc_urls(paths: Iterable[Path]) -> set[str]:
    """Target URIs of the response and revisit records of ``paths``."""
    urls: set[str] = set()
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    urls.add(record.rec_headers.get_header("WARC-Target-URI"))
    return urls


def generated_seed_list(site: GeneratedSite, path: Path) -> Path:
    """One seed per host; depth ``pages`` reaches every page whatever order links come in."""
    rows = [
        {"url": url, "title": f"生成站点{number}", "jurisdiction": "500000",
         "collection": "webarchive", "depth": site.pages}
        for number, url in enumerate(site.seed_urls(), start=1)
    ]  # fmt: skip
    return crawl_helpers.write_seed_list(path, rows)


def crawl_diancang(
    site: GeneratedSite, work: Path, shared: bool = False
) -> tuple[Usage, set[str], float | None]:
    data_dir = work / "data"
    env = {
        **os.environ,
        "DIANCANG_DATA_DIR": str(data_dir),
        "DIANCANG_ALLOW_NETWORKS": "127.0.0.0/8",
        "DIANCANG_CONCURRENCY_PER_HOST": str(PER_HOST),
    }
    seeds = generated_seed_list(site, work / "seeds.csv")
    command = [str(BIN / "diancang"), "crawl", str(seeds)]
    if shared:
        redis = RedisServer(work / "redis").start()
        env.update(DIANCANG_FRONTIER_URL=redis.url, DIANCANG_WORKER_ID="bench")
        try:
            usage = run_measured([*command, "--job", "bench"], work / "diancang.log", env)
        finally:
            redis.stop()
    else:
        usage = run_measured(command, work / "diancang.log", env)
    report = json.loads(
        max((data_dir / "warcs" / "reports").glob("*.json")).read_text(encoding="utf-8")
    )
    urls = warc_urls(sorted((data_dir / "warcs").glob("*/*.warc.gz")))
    if report["responses"] < len(urls):
        raise PeerFailed(f"Diancang's report counts {report['responses']} responses")
    return usage, urls, report["elapsed_seconds"]


def crawl_wget(site: GeneratedSite, work: Path) -> tuple[Usage, set[str], float | None]:
    command = [
        "wget",
        "--recursive",
        "--level=inf",
        "--page-requisites",
        "--span-hosts",
        "--domains=" + ",".join(site.addresses),
        f"--warc-file={work / 'wget'}",
        "--no-verbose",
        f"--directory-prefix={work / 'wget-files'}",
        "-e",
        "robots=on",
        *site.seed_urls(),
    ]
    usage = run_measured(command, work / "wget.log")
    return usage, warc_urls([work / "wget.warc.gz"]), None


def crawl_scrapy(
    site: GeneratedSite, work: Path, polite: bool = False
) -> tuple[Usage, set[str], float | None]:
    name = "scrapy-polite" if polite else "scrapy"
    result = work / f"{name}.json"
    flags = ["--polite"] if polite else []
    command = [sys.executable, str(HERE / "crawl_scrapy_peer.py"), *flags, str(result)]
    usage = run_measured([*command, *site.seed_urls()], work / f"{name}.log")
    fetched = json.loads(result.read_text(encoding="utf-8"))
    return usage, set(fetched["fetched"]), fetched["elapsed_seconds"]


CRAWLERS: dict[str, Callable[[GeneratedSite, Path], tuple[Usage, set[str], float | None]]] = {
    "diancang": crawl_diancang,
    "diancang-shared": lambda site, work: crawl_diancang(site, work, shared=True),
    "wget": crawl_wget,
    "scrapy": crawl_scrapy,
    "scrapy-polite": lambda site, work: crawl_scrapy(site, work, polite=True),
}


def run_peer(peer: str, site: GeneratedSite, probe: InFlightProbe, work: Path) -> Run:
    work.mkdir(parents=True)
    probe.reset()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    usage, urls, crawl_seconds = CRAWLERS[peer](site, work)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (
        cpu_before.ru_utime + cpu_before.ru_stime
    )
    return Run(
        peer=peer,
        pages=len(urls & site.page_urls()),
        missing=len(site.all_urls() - urls),
        usage=usage,
        crawl_seconds=crawl_seconds,
        requests_served=probe.served,
        connections=len(probe.clients),
        max_in_flight=max(probe.peak.values(), default=0),
        server_cpu=server_cpu,
    )


def summarize(runs: list[Run]) -> Summary:
    crawl = [run.crawl_seconds for run in runs if run.crawl_seconds is not None]
    return Summary(
        peer=runs[0].peer,
        runs=len(runs),
        pages=min(run.pages for run in runs),
        missing=max(run.missing for run in runs),
        wall=statistics.median(run.usage.wall for run in runs),
        crawl_seconds=statistics.median(crawl) if crawl else None,
        cpu=statistics.median(run.usage.cpu for run in runs),
        peak_rss_mb=statistics.median(run.usage.peak_rss_mb for run in runs),
        max_in_flight=max(run.max_in_flight for run in runs),
    )


def table(summaries: dict[str, Summary], limit: float) -> str:
    diancang = summaries.get("diancang")
    lines = [
        "| crawler | pages | wall s | pages/s | % of limit | Diancang ÷ it "
        "| CPU s / 1,000 pages | peak RSS MB | max in flight per host |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(label: str, s: Summary, seconds: float, ratio: str, cpu: str, rss: str) -> None:
        rate = s.pages / seconds
        lines.append(
            f"| {label} | {s.pages} | {seconds:.1f} | {rate:.1f} | {rate / limit:.0%} | {ratio} "
            f"| {cpu} | {rss} | {s.max_in_flight} |"
        )

    for peer in PEERS:
        s = summaries.get(peer)
        if s is None:
            continue
        ratio = "—"
        if diancang is not None and peer != "diancang":
            ratio = f"{diancang.pages_per_second / s.pages_per_second:.2f}×"
        row(LABELS[peer], s, s.wall, ratio, f"{s.cpu_per_1000_pages:.2f}", f"{s.peak_rss_mb:.0f}")
        if peer == "diancang" and s.crawl_seconds:
            row(LABELS["diancang-crawl"], s, s.crawl_seconds, "—", "—", "—")
    return "\n".join(lines)


def run_table(runs: list[Run]) -> str:
    lines = [
        "| run | crawler | pages | missing URLs | requests served | connections | wall s "
        "| crawl s | CPU s | peak RSS MB | max in flight per host | server CPU s |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for number, run in enumerate(runs, start=1):
        crawl = f"{run.crawl_seconds:.1f}" if run.crawl_seconds is not None else "—"
        lines.append(
            f"| {number} | {run.peer} | {run.pages} | {run.missing} | {run.requests_served} "
            f"| {run.connections} | {run.usage.wall:.1f} | {crawl} | {run.usage.cpu:.1f} "
            f"| {run.usage.peak_rss_mb:.0f} | {run.max_in_flight} | {run.server_cpu:.1f} |"
        )
    return "\n".join(lines)


def machine_facts() -> list[str]:
    cpu_model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    wget_path = shutil.which("wget")
    wget = (
        subprocess.run([wget_path, "--version"], capture_output=True, text=True).stdout
        if wget_path
        else ""
    )
    return [
        f"{len(os.sched_getaffinity(0))} CPUs ({cpu_model}), Linux {platform.release()}",
        f"Python {platform.python_version()}, Scrapy {version('scrapy')}, "
        f"Twisted {version('twisted')}, warcio {version('warcio')}, "
        f"Diancang {version('diancang')}",
        wget.splitlines()[0] if wget else "wget: not found",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=4, help="hosts of the site (default 4)")
    parser.add_argument("--pages", type=int, default=500, help="pages per host (default 500)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--repeat", type=int, default=1, help="runs per peer; medians reported")
    parser.add_argument(
        "--peers",
        default=",".join(DEFAULT_PEERS),
        help="comma-separated subset of: " + ", ".join(PEERS),
    )
    parser.add_argument("--keep", type=Path, help="keep WARCs and logs under this directory")
    args = parser.parse_args(argv)
    args.peers = [peer.strip() for peer in args.peers.split(",") if peer.strip()]
    unknown = set(args.peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    if args.hosts < 1 or args.pages < 2 or args.latency <= 0 or args.repeat < 1:
        parser.error("need --hosts ≥ 1, --pages ≥ 2, --latency > 0, --repeat ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    limit = args.hosts * PER_HOST / args.latency
    command = (
        f".venv/bin/python tests/benchmarks/crawl_vs_wget.py --hosts {args.hosts} "
        f"--pages {args.pages} --latency {args.latency} --repeat {args.repeat}"
    )
    if args.peers != list(DEFAULT_PEERS):
        command += f" --peers {','.join(args.peers)}"
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        base = args.keep or Path(tmp)
        probe = InFlightProbe()
        with probe.installed(), GeneratedSite(args.hosts, args.pages, args.latency) as site:
            for repeat in range(1, args.repeat + 1):
                for peer in args.peers:
                    print(f"run {repeat}/{args.repeat}: {peer} …", file=sys.stderr, flush=True)
                    run = run_peer(peer, site, probe, base / f"{repeat}-{peer}")
                    print(
                        f"  {run.pages} pages in {run.usage.wall:.1f} s, "
                        f"{run.missing} URLs missing",
                        file=sys.stderr,
                        flush=True,
                    )
                    runs.append(run)
    summaries = {peer: summarize([r for r in runs if r.peer == peer]) for peer in args.peers}

    print(
        f"### Crawl benchmark: {args.hosts} hosts × {args.pages} pages, "
        f"{args.latency * 1000:.0f} ms per request\n"
    )
    print(
        f"Physical limit with {PER_HOST} requests per host: {args.hosts} × {PER_HOST} / "
        f"{args.latency} s = {limit:.0f} requests/s. Besides its pages, each host serves "
        f"one style sheet and one robots.txt: {args.hosts * (args.pages + 2)} requests in all. "
        f"{'Median of ' + str(args.repeat) + ' runs.' if args.repeat > 1 else 'One run.'}\n"
    )
    print(table(summaries, limit))
    print()
    print(f"Command: `{command}`\n")
    print("Machine: " + "; ".join(machine_facts()) + "\n")
    incomplete = [s.peer for s in summaries.values() if s.missing]
    if incomplete:
        print(f"**Incomplete crawls** (URLs of the site not captured): {', '.join(incomplete)}\n")
    over = [s.peer for s in summaries.values() if s.max_in_flight > PER_HOST]
    if over:
        print(
            f"**Over the per-host limit**: {', '.join(over)} had more than {PER_HOST} requests "
            "in flight on one host at once, so its rate is not bounded by the physical limit "
            "above.\n"
        )
    print("#### Runs\n")
    print(run_table(runs))
    return 1 if incomplete else 0


if __name__ == "__main__":
    sys.exit(main())
