"""Seed lists: what to capture and when, scoped by jurisdiction (GB/T 2260)."""

from diancang.seeds.load import load_seed_list
from diancang.seeds.schema import Limits, Scope, Seed, SeedError, SeedList

__all__ = ["Limits", "Scope", "Seed", "SeedError", "SeedList", "load_seed_list"]
