"""Settings: config/default.toml, then the file named by DIANCANG_CONFIG, then the environment.

Every ``DIANCANG_*`` variable is read here and nowhere else. A key of ``[section]`` is
overridden by ``DIANCANG_SECTION_KEY`` (``[crawl]`` keys by ``DIANCANG_KEY``); default.toml is
the one source of default values, so a key missing there is an error, not a silent default.
The standard ``AWS_*`` variables are boto3's and are not read here.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from diancang.review.states import PUBLISH_POLICIES

DEFAULT_CONFIG = resources.files("diancang.config") / "default.toml"  # shipped as package data

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the key or variable."""


@dataclass(frozen=True)
class CrawlSettings:
    concurrency_per_host: int
    delay: float  # seconds between requests to one host
    concurrency_total: int
    timeout: float
    redirect_limit: int
    retry_times: int  # Scrapy RETRY_TIMES: retries of a failed download
    max_response_bytes: int
    max_decompressed_bytes: int
    warc_max_size: int
    query_variants_per_path: int
    max_url_length: int
    listing_pages: int  # pages of one listing followed by pagination (trap bound)
    chromium: str
    browser_max_pages: int  # pages open in Chromium at once
    browser_recycle_after: int  # pages per browser context before a fresh one
    browser_page_timeout: float  # seconds for navigation
    behavior_timeout: float  # seconds of scrolling and clicking per page
    browser_detect: bool  # capture pages that look script-built with the browser
    lease_ttl: float  # seconds a shared-frontier lease lasts unless its worker renews it


@dataclass(frozen=True)
class OaiSettings:
    """What the OAI-PMH provider says about itself, and its list page size."""

    name: str
    admin_email: str
    repository_id: str
    page_size: int


@dataclass(frozen=True)
class S3Settings:
    """Transfer settings of the S3 store (endpoint and credentials are boto3's AWS_*)."""

    multipart_threshold: int
    multipart_chunksize: int
    max_concurrency: int
    retry_max_delay: int


@dataclass(frozen=True)
class ConsoleSettings:
    """The console's scheduler and workers (seconds)."""

    scheduler_interval: float  # between two passes of the scheduler over the seeds
    worker_interval: float  # between a worker's looks for jobs and progress updates
    worker_stale_after: float  # a running job whose worker is silent this long has failed
    web_workers: int  # processes of `diancang serve`'s web server; 0: from the cores

    @property
    def web_processes(self) -> int:
        """``web_workers``, or gunicorn's advice for the cores: two a core, and one more."""
        return self.web_workers or 2 * (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class ReviewSettings:
    """Automatic QA after crawls, curators' reject reasons, provincial sampling."""

    reject_reasons: str  # comma-separated, in the order the console offers them
    qa_after_crawl: bool  # score every finished job's pages
    qa_sample_above: int  # a job with more HTML pages than this is scored on a random sample
    qa_sample_size: int  # pages in that sample
    qa_page_timeout: float  # seconds for one page's replay in Chromium
    audit_sample_size: int  # records an auditor's 抽检 draws by default

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(r.strip() for r in self.reject_reasons.split(",") if r.strip())


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warc_store: str
    database_url: str
    dedup_url: str  # revisit-dedup index: postgresql://…; empty: SQLite in data_dir/dedup
    allow_networks: tuple[Network, ...]
    operator: str
    replay_url: str  # pywb base URL, ending in "/"
    staff_replay_url: str  # curators' replay (access rules lifted for staff), ending in "/"
    publish_policy: str  # "reviewed": OAI-PMH serves approved records only; "all": every record
    api_tokens: str  # "role:sha256,…", parsed by diancang.console.auth.ApiTokens
    secret_key: str  # signs console sessions; empty: one generated and kept in data_dir
    secure_cookies: bool  # console cookies only over HTTPS
    frontier_url: str  # redis://…: the shared frontier of many workers; empty: SQLite journal
    worker_id: str  # names this worker in WARC file names; empty: host name and process id
    crawl: CrawlSettings
    oai: OaiSettings
    s3: S3Settings
    console: ConsoleSettings
    review: ReviewSettings

    def to_values(self) -> dict:
        """These settings as JSON-able values: what a Scrapy setting may carry."""
        values = dataclasses.asdict(self)
        values["data_dir"] = str(self.data_dir)
        values["allow_networks"] = [str(network) for network in self.allow_networks]
        return values

    @classmethod
    def from_values(cls, values: Mapping) -> Settings:
        """The inverse of :meth:`to_values`."""
        return cls(
            **{
                **values,
                "data_dir": Path(values["data_dir"]),
                "allow_networks": parse_networks(values["allow_networks"]),
                **{name: section(**values[name]) for name, section in _SECTIONS.items()},
            }
        )

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warcs"

    @property
    def reports_dir(self) -> Path:
        """The crawl reports, one JSON file per crawl."""
        return self.warc_dir / "reports"

    @property
    def secret_key_file(self) -> Path:
        """Where the console keeps its generated session key when ``secret_key`` is empty."""
        return self.data_dir / "secret_key"

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


_FROM_TEXT = {"int": int, "float": float, "str": str, "bool": _flag}
_TOML_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}
_SECTIONS = {
    "crawl": CrawlSettings,
    "oai": OaiSettings,
    "s3": S3Settings,
    "console": ConsoleSettings,
    "review": ReviewSettings,
}
_POSITIVE = {"s3", "console"}  # sections whose numbers must be above 0
_ZERO_MEANS_DEFAULT = {("console", "web_workers")}  # except these, where 0 asks for a default
_TOP = {"data_dir": "str", "warc_store": "str", "database_url": "str", "dedup_url": "str",
        "operator": "str",
        "replay_url": "str", "staff_replay_url": "str", "publish_policy": "str",
        "api_tokens": "str", "secret_key": "str",
        "secure_cookies": "bool", "frontier_url": "str", "worker_id": "str"}  # fmt: skip


def _variable(section: str | None, key: str) -> str:
    prefix = "DIANCANG_" if section in (None, "crawl") else f"DIANCANG_{section.upper()}_"
    return prefix + key.upper()


def _value(raw: dict, section: str | None, key: str, kind: str, env: Mapping[str, str]):
    """One setting: the environment variable if set, else the configured value."""
    var = _variable(section, key)
    name = f"{section}.{key}" if section else key
    if env.get(var):
        try:
            value = _FROM_TEXT[kind](env[var])
        except ValueError:
            raise SettingsError(f"{var}={env[var]!r}: expected {kind}") from None
        where = var
    else:
        table = raw.get(section, {}) if section else raw
        if key not in table:
            raise SettingsError(f"setting {name!r} is missing from the configuration")
        value = table[key]
        if not isinstance(value, _TOML_TYPES[kind]) or (kind == "int" and value is True):
            raise SettingsError(f"setting {name!r} = {value!r}: expected {kind}")
        where = name
    if (
        section in _POSITIVE
        and value <= 0
        and not (value == 0 and (section, key) in _ZERO_MEANS_DEFAULT)
    ):
        number = "a whole number" if kind == "int" else "a number"
        raise SettingsError(f"{where}={value!r}: expected {number} above 0")
    return float(value) if kind == "float" else value


def _section(raw: dict, section: str, env: Mapping[str, str]):
    cls = _SECTIONS[section]
    fields = {f.name: f.type for f in dataclasses.fields(cls)}
    unknown = set(raw.get(section, {})) - set(fields)
    if unknown:
        raise SettingsError(f"unknown setting(s) in [{section}]: {', '.join(sorted(unknown))}")
    return cls(**{key: _value(raw, section, key, kind, env) for key, kind in fields.items()})


def _merged(env: Mapping[str, str]) -> dict:
    raw = _read_toml(DEFAULT_CONFIG)
    if env.get("DIANCANG_CONFIG"):
        override = _read_toml(Path(env["DIANCANG_CONFIG"]))
        merged = {**raw, **override}
        for section in _SECTIONS:
            merged[section] = {**raw.get(section, {}), **override.get(section, {})}
        raw = merged
    return raw


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    raw = _merged(env)
    unknown = set(raw) - set(_TOP) - set(_SECTIONS) - {"allow_networks"}
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    top = {key: _value(raw, None, key, kind, env) for key, kind in _TOP.items()}
    data_dir = Path(top["data_dir"]).resolve()
    networks = env.get("DIANCANG_ALLOW_NETWORKS")  # set but empty: no extra networks
    if networks is None and "allow_networks" not in raw:
        raise SettingsError("setting 'allow_networks' is missing from the configuration")
    if top["publish_policy"] not in PUBLISH_POLICIES:
        raise SettingsError(
            f"publish_policy={top['publish_policy']!r}: expected one of "
            + ", ".join(PUBLISH_POLICIES)
        )
    return Settings(
        data_dir=data_dir,
        warc_store=top["warc_store"] or str(data_dir / "warcs"),
        database_url=top["database_url"] or f"sqlite:///{data_dir / 'catalog.sqlite'}",
        dedup_url=top["dedup_url"],
        allow_networks=parse_networks(networks if networks is not None else raw["allow_networks"]),
        operator=top["operator"],
        replay_url=_slashed(top["replay_url"]),
        staff_replay_url=_slashed(top["staff_replay_url"]),
        publish_policy=top["publish_policy"],
        api_tokens=top["api_tokens"],
        secret_key=top["secret_key"],
        secure_cookies=top["secure_cookies"],
        frontier_url=top["frontier_url"],
        worker_id=top["worker_id"],
        crawl=_section(raw, "crawl", env),
        oai=_section(raw, "oai", env),
        s3=_section(raw, "s3", env),
        console=_section(raw, "console", env),
        review=_section(raw, "review", env),
    )


def _slashed(url: str) -> str:
    return url if url.endswith("/") else url + "/"
