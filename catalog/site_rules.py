"""Per-seed facts the catalogue needs: extraction overrides, jurisdiction, collection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from diancang.catalog.extract.overrides import override_field


@dataclass(frozen=True)
class SiteRule:
    seed_id: str
    host: str
    jurisdiction: str | None = None
    collection: str | None = None
    extract: dict[str, str] = field(default_factory=dict)


class SiteRules:
    """Look up the rule of a capture by its seed id (from warcinfo) or, failing that, its host."""

    def __init__(self, rules: Iterable[SiteRule] = ()) -> None:
        self.by_seed: dict[str, SiteRule] = {}
        self.by_host: dict[str, SiteRule] = {}
        for rule in rules:
            for name in rule.extract:
                override_field(name)  # a bad field name fails at load, not mid-ingest
            self.by_seed[rule.seed_id] = rule
            self.by_host.setdefault(rule.host, rule)

    @classmethod
    def from_seeds(cls, seeds: Iterable) -> SiteRules:
        """From ``diancang.seeds.schema.Seed`` objects (anything with id, url, jurisdiction,
        extract)."""
        return cls(
            SiteRule(
                seed_id=seed.id,
                host=host_of(seed.url),
                jurisdiction=getattr(seed, "jurisdiction", None),
                collection=getattr(seed, "collection", None),
                extract=dict(getattr(seed, "extract", {}) or {}),
            )
            for seed in seeds
        )

    def find(self, seed_id: str | None, url: str) -> SiteRule | None:
        if seed_id and seed_id in self.by_seed:
            return self.by_seed[seed_id]
        return self.by_host.get(host_of(url))


def host_of(url: str) -> str:
    """The lower-case ``host[:port]`` of ``url``; empty for a URL that does not parse."""
    try:
        return (urlsplit(url).netloc or "").lower()
    except ValueError:
        return ""
