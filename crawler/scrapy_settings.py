"""Scrapy settings of a Diancang crawl, derived from Diancang's own settings."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings.default_settings import DEFAULT_REQUEST_HEADERS, EXTENSIONS_BASE
from scrapy.settings.default_settings import RETRY_EXCEPTIONS as DEFAULT_RETRY_EXCEPTIONS

from diancang import __version__
from diancang.crawler.browser.settings import playwright_settings
from diancang.crawler.compression import accept_encoding
from diancang.crawler.context import SEED_IDS, SEED_LIST, SETTINGS_VALUES, START_URLS
from diancang.crawler.shared_state import SHARED_JOB
from diancang.crawler.spider import BROWSER_DETECT
from diancang.settings import Settings

USER_AGENT = f"Mozilla/5.0 (compatible; Diancang/{__version__}; public-library web archive)"
# Scrapy imports every extension of EXTENSIONS_BASE, also one disabled in EXTENSIONS, so
# this one is left out of the base: it listens on a port, and its import of aiohttp alone
# cost about 0.15 s of CPU per crawl
REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"


def scrapy_settings(
    settings: Settings,
    seed_list: Path,
    seed_ids: list[str],
    job_dir: Path,
    resume: bool,
    browser: bool,
    shared_job: str | None = None,
    start_urls: list[str] | None = None,
) -> dict:
    """Plain values only: the crawl's live objects are its context's (crawler/context.py)."""
    crawl = settings.crawl
    result = {
        "BOT_NAME": "diancang",
        "USER_AGENT": USER_AGENT,
        # only the encodings that decode here (HttpCompressionMiddleware would list all four)
        "DEFAULT_REQUEST_HEADERS": {
            **DEFAULT_REQUEST_HEADERS,
            "Accept-Encoding": accept_encoding(),
        },
        "ROBOTSTXT_OBEY": True,  # seeds with robots "ignore" opt out per request
        "CONCURRENT_REQUESTS": crawl.concurrency_total,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_host,
        "DOWNLOAD_DELAY": crawl.delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if crawl.delay > 0 else 0,
        # Our middleware cuts a slow body at crawl.timeout and keeps it; this hard timeout
        # ends servers that stall before sending anything.
        "DOWNLOAD_TIMEOUT": crawl.timeout * 1.5,
        "DOWNLOAD_MAXSIZE": crawl.max_decompressed_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_FAIL_ON_DATALOSS": False,
        "REDIRECT_MAX_TIMES": crawl.redirect_limit,
        "METAREFRESH_ENABLED": False,  # meta refresh targets are followed as links
        "HTTPERROR_ALLOW_ALL": True,
        "RETRY_TIMES": crawl.retry_times,
        "DEPTH_LIMIT": 0,  # link depth per seed is the spider's: requisites do not count
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOGSTATS_INTERVAL": 0,
        "DOWNLOADER": "diancang.crawler.downloader.PoliteDownloader",
        # the spider yields about a dozen outputs per page; Scrapy's default of 100
        # concurrent items starts that many asyncio tasks per response for nothing
        "CONCURRENT_ITEMS": 16,
        "SCHEDULER": "diancang.crawler.frontier.JournalScheduler",
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "DOWNLOADER_MIDDLEWARES": {
            # each costs a call or two per request: offsite filtering has no allowed_domains
            # to apply (scope is the crawl policy's), basic auth no credentials to send
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            # before robots.txt: a request of a spent seed makes no robots.txt request
            "diancang.crawler.policy.SeedBudgetMiddleware": 90,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "diancang.crawler.robots.SharedRobotsTxtMiddleware": 100,
            # after robots.txt and the default headers; before the recorder, so the request
            # record holds the validators as sent and a 304 is recorded as a revisit
            "diancang.crawler.conditional.ConditionalRequestMiddleware": 800,
            "diancang.crawler.recording.WarcRecorderMiddleware": 950,
            "diancang.crawler.recording.ResponseLimitsMiddleware": 960,
            # nearest the downloader: last check before a connection, first after it
            "diancang.crawler.network_guard.NetworkGuardMiddleware": 970,
        },
        "SPIDER_MIDDLEWARES": {
            "diancang.crawler.policy.FollowPolicyMiddleware": 950,
            # a development aid (warns of meta copied from a response), run on every output
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "ITEM_PIPELINES": {
            "diancang.crawler.pipelines.FrontierCheckpointPipeline": 100,
            "diancang.crawler.pipelines.MetadataRecordPipeline": 300,
        },
        "EXTENSIONS_BASE": {k: v for k, v in EXTENSIONS_BASE.items() if k != REMOTE_CONTROL},
        "EXTENSIONS": {
            "scrapy.extensions.logstats.LogStats": None,
            "diancang.crawler.progress.ProgressLine": 500,
            "diancang.crawler.garbage_collection.FewerCollections": 510,
        },
        SETTINGS_VALUES: settings.to_values(),
        SEED_LIST: str(seed_list),
        SEED_IDS: list(seed_ids),
        START_URLS: list(start_urls or []),
        "DIANCANG_JOB_DIR": str(job_dir),
        "DIANCANG_RESUME": resume,
        BROWSER_DETECT: browser and crawl.browser_detect,
    }
    if shared_job is not None:  # politeness is the claim step's, for the whole cluster
        result.update(
            {
                SHARED_JOB: shared_job,
                "SCHEDULER": "diancang.crawler.shared_frontier.SharedScheduler",
                "DOWNLOAD_DELAY": 0,  # a local delay would hold a claimed request back
                "DOWNLOAD_DELAY_JITTER": 0,
            }
        )
    if browser:
        result.update(playwright_settings(crawl))
        result["DOWNLOADER_MIDDLEWARES"][
            "diancang.crawler.browser.middleware.BrowserCaptureMiddleware"
        ] = 940
        result["RETRY_EXCEPTIONS"] = [
            *result.get("RETRY_EXCEPTIONS", DEFAULT_RETRY_EXCEPTIONS),
            "playwright.async_api.Error",  # a crashed page or browser: retried on a new one
        ]
    return result
