"""Helpers of the web-app tests (a module of its own: test modules never import conftest)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

COLLECTION = "govinfo-500000"
WARC_NAME = "govinfo-500000-20261120080000000001-00000-h.warc.gz"


@dataclass(frozen=True)
class Tokens:
    harvester: str
    curator: str

    @property
    def env_value(self) -> str:
        """DIANCANG_API_TOKENS: roles with the SHA-256 of each token."""
        return ",".join(
            f"{role}:{hashlib.sha256(token.encode()).hexdigest()}"
            for role, token in (("harvester", self.harvester), ("curator", self.curator))
        )

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def write_warc(path: Path, pages: int = 3) -> Path:
    """A small closed ``.warc.gz``: warcinfo, then one HTML response per page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i in range(pages):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            body = io.BytesIO(f"<html><title>page {i}</title>".encode() + b"x" * 5000)
            record = writer.create_warc_record(
                f"http://example.org/{i}", "response", payload=body, http_headers=http
            )
            writer.write_record(record)
    return path
