"""S3 connection settings: the bucket and prefix from the store URL, everything else from AWS.

Endpoint, region and credentials come only from boto3's own sources: ``AWS_ENDPOINT_URL``,
``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, or
the AWS config and credentials files (``AWS_CONFIG_FILE``). Nothing is read from the repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
)

from diancang.settings import S3Settings, SettingsError, load_settings

MiB = 1 << 20

# Failures worth waiting out: the endpoint is down, overloaded or unreachable.
_TRANSIENT_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "503"}
_CONFIG_ERRORS = (NoCredentialsError, NoRegionError, ParamValidationError)


class StoreConfigError(ValueError):
    """The store URL or the S3 settings are wrong; the message says which."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # without leading or trailing "/", may be empty

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise StoreConfigError(f"DIANCANG_WARC_STORE={url!r}: expected s3://BUCKET/PREFIX")
        if parts.query or parts.fragment or "@" in parts.netloc:
            raise StoreConfigError(
                f"DIANCANG_WARC_STORE={url!r}: give only s3://BUCKET/PREFIX; credentials "
                "belong in the AWS_* environment or the AWS config file"
            )
        return cls(parts.netloc, parts.path.strip("/"))

    def key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def url(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{key}"


@dataclass(frozen=True)
class TransferOptions:
    """How the S3 store uploads; the configured values are the ``[s3]`` settings."""

    multipart_threshold: int
    multipart_chunksize: int
    max_concurrency: int
    retry_max_delay: float  # longest back-off between upload attempts, seconds
    retry_min_delay: float = 1.0  # first back-off after a transient failure

    @classmethod
    def from_settings(cls, s3: S3Settings) -> TransferOptions:
        return cls(
            multipart_threshold=s3.multipart_threshold,
            multipart_chunksize=s3.multipart_chunksize,
            max_concurrency=s3.max_concurrency,
            retry_max_delay=float(s3.retry_max_delay),
        )

    @classmethod
    def configured(cls, environ: Mapping[str, str] | None = None) -> TransferOptions:
        """From the settings of ``environ`` (default: this process's environment)."""
        try:
            return cls.from_settings(load_settings(environ).s3)
        except SettingsError as exc:
            raise StoreConfigError(str(exc)) from exc


@dataclass(frozen=True)
class ClientSettings:
    """Where and as whom a client of this process connects, so that another process (the
    WARC reader of ``catalog ingest``) makes the same client: a boto3 client cannot be
    pickled, and that process's environment may be older than this one's."""

    endpoint_url: str | None
    region_name: str | None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, client) -> ClientSettings:
        """The settings of ``client``, made by ``make_client`` from boto3's own sources."""
        credentials = boto3.session.Session().get_credentials()
        keys = credentials.get_frozen_credentials() if credentials else None
        return cls(
            client.meta.endpoint_url,
            client.meta.region_name,
            *((keys.access_key, keys.secret_key, keys.token) if keys else ()),
        )


def make_client(max_pool_connections: int = 10, settings: ClientSettings | None = None):
    """A boto3 S3 client that fails fast when the endpoint is down (we retry ourselves):
    from boto3's own sources, or from the ``settings`` of another process's client."""
    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"mode": "standard", "max_attempts": 3},
        max_pool_connections=max_pool_connections,
    )
    if settings is None:
        return boto3.session.Session().client("s3", config=config)
    session = boto3.session.Session(
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        aws_session_token=settings.token,
        region_name=settings.region_name,
    )
    return session.client("s3", endpoint_url=settings.endpoint_url, config=config)


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` means "try again later": connection refused, timeout, 5xx."""
    for link in _chain(exc):
        if isinstance(link, ClientError):
            status = link.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            code = link.response.get("Error", {}).get("Code", "")
            return status >= 500 or code in _TRANSIENT_CODES
        if isinstance(link, _CONFIG_ERRORS):
            return False
        if isinstance(link, BotoCoreError | ConnectionError | TimeoutError):
            return True
    return False


def is_not_found(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return code in {"404", "NoSuchKey", "NotFound"}
