"""Settings: config/default.toml, then the file named by DIANCANG_CONFIG, then the environment."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

DEFAULT_CONFIG = resources.files("diancang.config") / "default.toml"  # shipped as package data

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class CrawlSettings:
    concurrency_per_host: int = 2
    delay: float = 0.0
    concurrency_total: int = 32
    timeout: float = 30
    redirect_limit: int = 10
    max_response_bytes: int = 50 * 2**20
    max_decompressed_bytes: int = 200 * 2**20
    warc_max_size: int = 1_000_000_000
    query_variants_per_path: int = 50
    max_url_length: int = 2048
    chromium: str = "/usr/bin/chromium"
    browser_max_pages: int = 4  # pages open in Chromium at once
    browser_recycle_after: int = 50  # pages per browser context before a fresh one
    browser_page_timeout: float = 30  # seconds for navigation
    behavior_timeout: float = 20  # seconds of scrolling and clicking per page
    browser_detect: bool = True  # capture pages that look script-built with the browser


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warc_store: str
    database_url: str
    allow_networks: tuple[Network, ...] = ()
    operator: str = "Diancang operator"
    crawl: CrawlSettings = field(default_factory=CrawlSettings)

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warcs"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"


def parse_networks(text: str | list[str]) -> tuple[Network, ...]:
    """Parse CIDRs given as a comma-separated string or a list; a bad one raises ValueError."""
    items = text.split(",") if isinstance(text, str) else text
    networks = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"DIANCANG_ALLOW_NETWORKS: {item!r} is not a CIDR network") from exc
    return tuple(networks)


def _read_toml(path: Path | Traversable) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


_CRAWL_ENV = {
    "concurrency_per_host": ("DIANCANG_CONCURRENCY_PER_HOST", int),
    "delay": ("DIANCANG_DELAY", float),
    "concurrency_total": ("DIANCANG_CONCURRENCY_TOTAL", int),
    "timeout": ("DIANCANG_TIMEOUT", float),
    "max_response_bytes": ("DIANCANG_MAX_RESPONSE_BYTES", int),
    "max_decompressed_bytes": ("DIANCANG_MAX_DECOMPRESSED_BYTES", int),
    "redirect_limit": ("DIANCANG_REDIRECT_LIMIT", int),
    "query_variants_per_path": ("DIANCANG_QUERY_VARIANTS_PER_PATH", int),
    "chromium": ("DIANCANG_CHROMIUM", str),
    "browser_max_pages": ("DIANCANG_BROWSER_MAX_PAGES", int),
    "browser_recycle_after": ("DIANCANG_BROWSER_RECYCLE_AFTER", int),
    "behavior_timeout": ("DIANCANG_BEHAVIOR_TIMEOUT", float),
    "browser_page_timeout": ("DIANCANG_BROWSER_PAGE_TIMEOUT", float),
    "browser_detect": ("DIANCANG_BROWSER_DETECT", _flag),
    "warc_max_size": ("DIANCANG_WARC_MAX_SIZE", int),
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    raw = _read_toml(DEFAULT_CONFIG)
    if env.get("DIANCANG_CONFIG"):
        override = _read_toml(Path(env["DIANCANG_CONFIG"]))
        crawl = {**raw.get("crawl", {}), **override.get("crawl", {})}
        raw = {**raw, **override, "crawl": crawl}

    data_dir = Path(env.get("DIANCANG_DATA_DIR") or raw.get("data_dir", "./data")).resolve()
    warc_store = env.get("DIANCANG_WARC_STORE") or raw.get("warc_store") or str(data_dir / "warcs")
    database_url = (
        env.get("DIANCANG_DATABASE_URL")
        or raw.get("database_url")
        or f"sqlite:///{data_dir / 'catalog.sqlite'}"
    )
    networks = env.get("DIANCANG_ALLOW_NETWORKS")
    allow = parse_networks(networks if networks is not None else raw.get("allow_networks", []))

    crawl = dict(raw.get("crawl", {}))
    for key, (var, cast) in _CRAWL_ENV.items():
        if env.get(var):
            crawl[key] = cast(env[var])
    return Settings(
        data_dir=data_dir,
        warc_store=warc_store,
        database_url=database_url,
        allow_networks=allow,
        operator=env.get("DIANCANG_OPERATOR") or raw.get("operator", "Diancang operator"),
        crawl=CrawlSettings(**crawl),
    )
