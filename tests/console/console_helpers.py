"""Helpers of the web-app tests (a module of its own: test modules never import conftest)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

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
